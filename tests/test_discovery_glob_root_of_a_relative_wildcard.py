"""A relative glob whose first part is a wildcard (`*.png`, `*/cover.jpg`) covers the working
folder, not the file system's root: `embed` forgets the stored images under a scan's roots whose
files are gone, and a root of '/' would take in every image it ever stored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zsl_cli.discovery import scan


@pytest.mark.parametrize("pattern", ["*.png", "*/cover.png", "**/*.png"])
def test_a_relative_glob_wild_from_its_first_part_covers_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    (tmp_path / "album").mkdir()
    (tmp_path / "a.png").touch()
    (tmp_path / "album" / "cover.png").touch()
    monkeypatch.chdir(tmp_path)
    found = scan([pattern])
    assert found.paths
    assert found.roots == [os.fspath(tmp_path)]
