"""`zsl label --strict` fails the run where a folder could not be read, though every image it
found was labelled: its images were left out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import run, write_images


@pytest.mark.parametrize(("strict", "status"), [([], 0), (["--strict"], 1)])
def test_an_unreadable_folder_fails_the_run_under_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, strict, status
):
    monkeypatch.chdir(tmp_path)
    write_images(tmp_path / "photos" / "ok", 1)
    write_images(tmp_path / "photos" / "locked", 1)
    (tmp_path / "classes.txt").write_text("red circle\nblue square\n")
    real_scandir = os.scandir

    def scandir(path=".", *args, **kwargs):  # as root, chmod 000 does not refuse a listing
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    args = ["photos", "-c", "classes.txt", "-m", "shapes-demo", "-o", "out.csv", "-q"]
    result = run("label", *args, *strict)
    assert result.exit_code == status, result.stderr
    assert len(Path("out.csv").read_text().splitlines()) == 2
