"""Of an image reached under two spellings, scan keeps the plainest: not through a folder link,
then without a `.` or `..` that undoes a folder it named, then relative, then byte order;
whatever the order of the arguments."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.discovery import scan


def kept(inputs: list[str], stdin: bytes = b"") -> list[str]:
    """The spellings scan keeps of `inputs`, for every order of them (all the same)."""
    orders = {
        tuple(str(p) for p in scan(list(order), stdin=io.BytesIO(stdin)).paths)
        for order in itertools.permutations(inputs)
    }
    assert len(orders) == 1, orders
    return list(orders.pop())


@pytest.fixture
def photos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("red star/a.png", "red star/b.png", "blue star/c.png"):
        (tmp_path / "photos" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "photos" / name).write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "photos"


def test_a_folder_reached_through_another_keeps_its_plain_spelling(photos: Path) -> None:
    # '.' sorts before letters: 'blue star/../red star' was kept, naming an unrelated folder.
    assert kept(["photos/red star", "photos/blue star/../red star"]) == [
        "photos/red star/a.png",
        "photos/red star/b.png",
    ]


def test_a_relative_spelling_is_kept_over_an_absolute_one(photos: Path) -> None:
    # '/' sorts first: one absolute spelling switched a relative run to absolute paths.
    absolute = str(photos / "red star" / "a.png")
    assert kept(["photos/red star/a.png", absolute]) == ["photos/red star/a.png"]
    listed = f"photos/red star/a.png\n./photos/red star/a.png\n{absolute}\n".encode()
    assert kept(["-"], listed) == ["photos/red star/a.png"]


def test_a_plain_absolute_spelling_is_kept_over_one_through_another_folder(photos: Path) -> None:
    absolute = str(photos / "red star" / "a.png")
    assert kept([absolute, "photos/blue star/../red star/a.png"]) == [absolute]


def test_leading_parent_folders_are_a_plain_relative_spelling(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run from a folder beside the images, '../photos' undoes no folder it named.
    (photos.parent / "labels").mkdir()
    monkeypatch.chdir(photos.parent / "labels")
    absolute = str(photos / "red star" / "a.png")
    assert kept([absolute, "../photos/red star/a.png"]) == ["../photos/red star/a.png"]
    assert kept(["../photos/red star/a.png", "../photos/blue star/../red star/a.png"]) == [
        "../photos/red star/a.png"
    ]


def test_a_folder_link_still_ranks_first(photos: Path) -> None:
    # Through a link, a spelling names another folder; without one it is plain, even absolute.
    os.symlink(photos / "red star", photos / "link", target_is_directory=True)
    absolute = str(photos / "red star" / "a.png")
    assert kept(["photos/link/a.png", absolute]) == [absolute]


def test_label_rows_keep_the_plain_spelling_and_evaluate_pairs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_image_set(tmp_path / "shapes", seed=11, per_class=2)
    monkeypatch.chdir(tmp_path)
    inputs = ["shapes/blue star/../red star", str(tmp_path / "shapes/red star/red_star_0001.png")]
    labelled = CliRunner().invoke(
        app,
        ["label", *inputs, "shapes/red star", "-c", "shapes/classes.txt", "-m", "shapes-demo"]
        + ["-o", "p.csv", "-q"],
    )
    assert labelled.exit_code == 0, labelled.output
    with open("p.csv", newline="") as rows:
        paths = [row["path"] for row in csv.DictReader(rows)]
    assert paths == ["shapes/red star/red_star_0000.png", "shapes/red star/red_star_0001.png"]
    evaluated = CliRunner().invoke(
        app, ["evaluate", "p.csv", "--truth", "shapes", "--json", "e.json"]
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(Path("e.json").read_text())["n"] == 2
