"""A truth folder's hidden files and files of no image extension are not counted as unmatched,
so `zsl evaluate` does not warn of them as named like an unpaired prediction (of a file renamed
since it was labelled) but for case; an image file of the folder is warned of."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evaluation_helpers import evaluated_json, labelled_run

CLASSES = ["red circle", "blue square"]


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not decoded by evaluate")
    return path


@pytest.mark.parametrize(
    ("truth_name", "predicted_name", "warned"),
    [(".1.jpg", ".1.JPG", False), ("1.txt", "1.TXT", False), ("1.jpg", "1.JPG", True)],
)
def test_truth_folder_files_warned_of_alike_but_for_case(
    tmp_path, truth_name, predicted_name, warned
):
    truth = tmp_path / "truth"
    touch(truth / "red circle" / truth_name)
    images = [
        (truth / "red circle" / predicted_name, "red circle"),  # gone since it was labelled
        (touch(truth / "blue square" / "3.png"), "blue square"),
    ]
    predicted = labelled_run(tmp_path / "p.jsonl", images, CLASSES)
    metrics = evaluated_json(predicted, truth)
    said = [w for w in metrics["warnings"] if "but for case" in w]
    assert bool(said) is warned
