"""A truth CSV written on Windows or macOS, whose disks ignore case, may name `1.jpg` for the
`1.JPG` labelled (typed by hand, or lower-cased by a script): on Linux those are two names, and
both stayed unpaired in a list of unmatched paths. `zsl evaluate` says where an unpaired truth
image and an unpaired prediction are named alike but for case."""

from __future__ import annotations

from pathlib import Path

from tests.evaluation_helpers import evaluated_json, labelled_run

CLASSES = ["red circle", "blue square"]


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded by evaluate")
    return path


def labelled(tmp_path: Path) -> Path:
    photos = tmp_path / "photos"
    images = [
        (touch(photos / "red circle" / "1.JPG"), "red circle"),
        (touch(photos / "red circle" / "2.JPG"), "red circle"),
        (touch(photos / "blue square" / "3.png"), "blue square"),
    ]
    return labelled_run(tmp_path / "p.jsonl", images, CLASSES)


def test_a_truth_path_alike_but_for_case_is_warned_of(tmp_path):
    predicted = labelled(tmp_path)
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "path,label\nphotos\\red circle\\1.jpg,red circle\nphotos\\Red Circle\\2.jpg,red circle\n"
        "photos\\blue square\\3.png,blue square\n"
    )
    metrics = evaluated_json(predicted, truth)
    assert metrics["unmatched"]["truth"]["count"] == 2
    [warning] = [w for w in metrics["warnings"] if "but for case" in w]
    assert warning.startswith("2 truth images without prediction are named as a prediction is")
    assert "'photos\\red circle\\1.jpg' and" in warning
    assert "/photos/red circle/1.JPG'" in warning


def test_no_warning_where_the_names_differ_otherwise(tmp_path):
    predicted = labelled(tmp_path)
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "path,label\nphotos/red circle/9.jpg,red circle\nphotos/blue square/3.png,blue square\n"
    )
    metrics = evaluated_json(predicted, truth)
    assert metrics["unmatched"]["truth"]["count"] == 1
    assert not [w for w in metrics["warnings"] if "but for case" in w]
