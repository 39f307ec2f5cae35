"""A glob that matches a folder and folders inside it (`p/**/*` matches p/a, p/a/b, ...) walks the
outermost one only: the folders inside are in its walk, and walking each again made the listings
grow with the square of the depth."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zsl_cli import discovery
from zsl_cli.discovery import scan


def test_folders_matched_inside_a_matched_folder_are_not_walked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = Path("p")
    chain = []
    for name in "abcdefgh":
        folder = folder / name
        chain.append(folder)
    folder.mkdir(parents=True)
    for each in (Path("p"), *chain):
        (each / "x.png").touch()
    listed: list[str] = []
    real_scandir = discovery.os.scandir

    def scandir(path):
        listed.append(os.path.normpath(path))
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    found = scan(["p/**/*"])
    assert sorted(path.as_posix() for path in found.paths) == sorted(
        (each / "x.png").as_posix() for each in (Path("p"), *chain)
    )
    # `**` lists each folder, the `*` after it lists each again, and the walk of p/a lists those
    # below it: three times at most, however deep the folder lies.
    deepest = os.path.normpath(chain[-1])
    assert listed.count(deepest) <= 3
