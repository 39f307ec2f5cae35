"""`zsl evaluate` pairs a truth row with the prediction of the same file where the two name it
differently and both names lead to it: a case-insensitive disk (macOS, Windows) opens
`1.jpg` as `1.JPG`, and macOS opens `café` composed as the `café` it stores decomposed. Such
names cannot be made on Linux's file systems; a hard link is one file under two names too, which
is what `stat` shows of those disks' two spellings, so the tests stand for them with one."""

from __future__ import annotations

import os
from pathlib import Path

from tests.evaluation_helpers import evaluated_json, labelled_run

CLASSES = ["red circle", "blue square"]


def touch(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_a_truth_row_naming_the_predicted_file_by_another_name_is_paired(tmp_path):
    # A truth CSV typed on Windows names photos\red circle\1.jpg for the 1.JPG that was
    # labelled; on that disk both names open one file, yet the row and the prediction stayed
    # unpaired (both names existing, they were taken for two images).
    photos = tmp_path / "photos"
    upper = touch(photos / "red circle" / "1.JPG", b"one")
    square = touch(photos / "blue square" / "2.png", b"two")
    os.link(upper, photos / "red circle" / "1.jpg")
    predicted = labelled_run(
        tmp_path / "p.jsonl", [(upper, "red circle"), (square, "blue square")], CLASSES
    )
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "path,label\nphotos/red circle/1.jpg,red circle\nphotos/blue square/2.png,blue square\n"
    )
    metrics = evaluated_json(predicted, truth)
    assert metrics["n"] == 2
    assert metrics["unmatched"]["predictions"]["count"] == 0
    assert metrics["unmatched"]["truth"]["count"] == 0


def test_a_file_two_truth_images_are_names_of_pairs_with_neither(tmp_path):
    # One file under a name in each of two class folders (as a hard-linking deduplicator leaves
    # a multi-label export): a third name of it, predicted, could be either image.
    photos = tmp_path / "photos"
    red = touch(photos / "red circle" / "a.png", b"one")
    (photos / "blue square").mkdir()
    os.link(red, photos / "blue square" / "a.png")
    other = tmp_path / "elsewhere" / "b.png"
    other.parent.mkdir()
    os.link(red, other)
    square = touch(photos / "blue square" / "b.png", b"two")
    predicted = labelled_run(
        tmp_path / "p.jsonl", [(other, "red circle"), (square, "blue square")], CLASSES
    )
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "path,label\nphotos/red circle/a.png,red circle\nphotos/blue square/a.png,blue square\n"
        "photos/blue square/b.png,blue square\n"
    )
    metrics = evaluated_json(predicted, truth)
    assert metrics["n"] == 1
    assert metrics["unmatched"]["predictions"]["count"] == 1
    assert metrics["unmatched"]["truth"]["count"] == 2
