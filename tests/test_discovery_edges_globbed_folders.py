"""A pattern that matches a folder and the folders below it (`p/**/`) walks the top one only:
its images are taken once, and each folder is listed once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zsl_cli import discovery
from zsl_cli.discovery import scan


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def nested(tmp_path: Path) -> None:
    deepest = tmp_path / "p" / "a" / "b" / "c"
    deepest.mkdir(parents=True)
    for folder in (tmp_path / "p", deepest.parent.parent, deepest.parent, deepest):
        (folder / "x.png").touch()


def test_the_images_below_are_taken_once(tmp_path: Path) -> None:
    nested(tmp_path)
    found = scan(["p/**/"])
    assert [path.as_posix() for path in found.paths] == [
        "p/a/b/c/x.png",
        "p/a/b/x.png",
        "p/a/x.png",
        "p/x.png",
    ]
    assert found.folders == scan(["p"]).folders  # each listed once


def test_the_folders_below_the_top_one_are_not_walked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested(tmp_path)
    listed: list[str] = []
    real_scandir = discovery.os.scandir

    def scandir(path):
        listed.append(os.path.normpath(path))
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    scan(["p/**/"])
    # A walk of each match listed p/a/b/c four times; matching `**` and then walking p, twice.
    assert max(listed.count(folder) for folder in listed) == 1
