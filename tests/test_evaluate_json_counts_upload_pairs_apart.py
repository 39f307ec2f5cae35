"""`zsl evaluate --json`'s `unmatched` counts the predictions paired with images uploaded
through Label Studio's web page (by their file name alone) as `matched_by_upload_name`, apart
from `matched_by_relative_path`, as the text's notes count them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.evaluation_helpers import touch
from tests.helpers import run


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write_export(tasks: list[tuple[str, str]]) -> Path:
    """A Label Studio JSON export of tasks with this image URL, each annotated with this choice."""
    exported = []
    for number, (url, choice) in enumerate(tasks, start=1):
        result = {"from_name": "choice", "to_name": "image", "type": "choices"}
        annotation = {
            "id": number,
            "result": [{**result, "value": {"choices": [choice]}}],
            "was_cancelled": False,
        }
        exported.append({"id": number, "annotations": [annotation], "data": {"image": url}})
    path = Path("export.json")
    path.write_text(json.dumps(exported))
    return path


def write_predictions(paths: dict[str, str]) -> Path:
    """zsl's predictions CSV of these images (made here), each labelled with its label."""
    with open("predictions.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["path", "label", "score", "top_k_labels", "top_k_scores", "status", "error"]
        )
        for path, label in paths.items():
            touch(path)
            writer.writerow([path, label, "0.9", label, "0.9", "ok", ""])
    return Path("predictions.csv")


def unmatched_of(predictions: Path, truth: Path) -> dict:
    result = run("evaluate", predictions, "--truth", truth, "--json", "-", "--quiet")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["unmatched"]


def test_uploads_and_relative_paths_are_counted_apart() -> None:
    # Two uploads through the web page and one image imported from local storage, labelled from
    # a copy of the folder under copy/: two pair by their name, one by its relative path.
    predictions = write_predictions(
        {"copy/photos/a.png": "cat", "copy/photos/b.png": "dog", "copy/photos/c.png": "dog"}
    )
    exported = write_export(
        [
            ("/data/upload/3/0000000a-a.png", "cat"),
            ("/data/upload/3/0000000b-b.png", "dog"),
            ("/data/local-files/?d=photos/c.png", "dog"),
        ]
    )
    unmatched = unmatched_of(predictions, exported)
    assert unmatched["matched_by_relative_path"] == 1
    assert unmatched["matched_by_upload_name"] == 2


def test_no_upload_counts_none() -> None:
    predictions = write_predictions({"copy/photos/a.png": "cat", "copy/photos/b.png": "dog"})
    exported = write_export(
        [("/data/local-files/?d=photos/a.png", "cat"), ("/data/local-files/?d=photos/b.png", "dog")]
    )
    unmatched = unmatched_of(predictions, exported)
    assert (unmatched["matched_by_relative_path"], unmatched["matched_by_upload_name"]) == (2, 0)
