"""A glob whose last part is a plain name (`*/cover.png`) keeps a broken link of that name, as a
walk and a wildcard keep one: the decoder then reports it as a broken link, where leaving it out
dropped the image without a word."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zsl_cli.discovery import scan


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_broken_link_named_by_a_globs_last_part_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for album in ("spring", "summer"):
        (tmp_path / album).mkdir()
    (tmp_path / "spring" / "cover.png").touch()
    os.symlink(tmp_path / "gone.png", tmp_path / "summer" / "cover.png")
    monkeypatch.chdir(tmp_path)
    found = scan(["*/cover.png"])
    assert [path.as_posix() for path in found.paths] == ["spring/cover.png", "summer/cover.png"]
    # The same as a wildcard in that part takes it.
    assert scan(["*/cover.pn[g]"]).paths == found.paths
