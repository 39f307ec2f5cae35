"""Where `zsl evaluate` warns of an unpaired truth image named as an unpaired prediction is but
for case: it compares the class folder and file name, and only images left unpaired on both
sides; a name paired already, or one alike in its file name alone, is no such case."""

from __future__ import annotations

from pathlib import Path

from tests.evaluation_helpers import evaluated_json, labelled_run

CLASSES = ["red circle", "blue square"]


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded by evaluate")
    return path


def evaluated(tmp_path: Path, labelled: list[str], truth_rows: str) -> dict:
    """`zsl evaluate --json` of each file under photos/ (`class folder/name`) labelled with its
    folder's class, against a truth CSV of `truth_rows` beside photos/."""
    photos = tmp_path / "photos"
    images = [(touch(photos / name), name.partition("/")[0]) for name in labelled]
    predicted = labelled_run(tmp_path / "p.jsonl", images, CLASSES)
    truth = tmp_path / "truth.csv"
    truth.write_text("path,label\n" + truth_rows)
    return evaluated_json(predicted, truth)


def case_warnings(metrics: dict) -> list[str]:
    return [w for w in metrics["warnings"] if "but for case" in w]


def test_file_names_alike_in_other_class_folders_are_not_warned_of(tmp_path):
    metrics = evaluated(
        tmp_path,
        ["red circle/1.JPG", "blue square/3.png"],
        "photos/blue square/1.jpg,blue square\nphotos/blue square/3.png,blue square\n",
    )
    assert metrics["unmatched"]["truth"]["count"] == 1
    assert not case_warnings(metrics)


def test_the_class_folder_and_file_name_alone_are_compared(tmp_path):
    metrics = evaluated(
        tmp_path,
        ["red circle/1.JPG", "blue square/3.png"],
        "elsewhere/red circle/1.jpg,red circle\nphotos/blue square/3.png,blue square\n",
    )
    [warning] = case_warnings(metrics)
    assert warning.startswith("1 truth image without prediction is named as a prediction is")


def test_a_paired_truth_image_is_not_warned_of(tmp_path):
    metrics = evaluated(
        tmp_path,
        ["red circle/1.JPG", "red circle/1.jpg", "blue square/3.png"],
        "photos/red circle/1.jpg,red circle\nphotos/blue square/3.png,blue square\n",
    )
    assert metrics["unmatched"]["predictions"]["count"] == 1
    assert not case_warnings(metrics)


def test_a_paired_prediction_is_not_warned_of(tmp_path):
    metrics = evaluated(
        tmp_path,
        ["red circle/1.JPG", "blue square/3.png"],
        "photos/red circle/1.JPG,red circle\nphotos/red circle/1.jpg,red circle\n"
        "photos/blue square/3.png,blue square\n",
    )
    assert metrics["unmatched"]["truth"]["count"] == 1
    assert not case_warnings(metrics)
