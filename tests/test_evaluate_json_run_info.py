"""`zsl evaluate --json` carries the run info of the predictions it scored (the model, its
precision, the classes and prompts, ... as `zsl label` records them), under `run_info` as label's
own `--json` names it: the metrics alone did not say which run they measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import FOLDER_CLASSES, run, write_images
from zsl_cli.files import sidecar_path
from zsl_cli.records import OUTPUT_BYTES_KEY


def labelled(tiny_clip: Path, tmp_path: Path, output: Path) -> tuple[Path, dict]:
    """Images in class folders under tmp_path, labelled into `output`; and the run info label
    recorded with it (in a JSON document, under `run`; else in its sidecar)."""
    photos = tmp_path / "photos"
    for index, name in enumerate(FOLDER_CLASSES):
        write_images(photos / name, 2, seed=index)
    (tmp_path / "classes.txt").write_text("\n".join(FOLDER_CLASSES) + "\n")
    result = run(
        "label", photos, "-c", tmp_path / "classes.txt", "-m", tiny_clip, "--precision", "fp32",
        "-o", output, "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    if output.suffix == ".json":
        return photos, json.loads(output.read_text())["run"]
    return photos, json.loads(sidecar_path(output).read_text())


def evaluate_json(*args: object) -> dict:
    result = run("evaluate", *args, "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", ["p.csv", "p.jsonl", "p.json"])
def test_the_run_info_of_the_predictions_scored_is_in_the_json(
    tiny_clip: Path, tmp_path: Path, name: str
) -> None:
    output = tmp_path / name
    photos, recorded = labelled(tiny_clip, tmp_path, output)
    report = evaluate_json(output, "--truth", photos)
    run_info = report["run_info"]
    assert run_info["model"]["name"] == str(tiny_clip)
    assert run_info["model"]["precision"] == "float32"
    assert run_info["classes"]["names"] == list(FOLDER_CLASSES)
    # As label recorded it (less the output's size, which only checks the sidecar against it).
    assert run_info == {k: v for k, v in recorded.items() if k != OUTPUT_BYTES_KEY}


def test_predictions_without_run_info_add_no_key(tiny_clip: Path, tmp_path: Path) -> None:
    output = tmp_path / "p.csv"
    photos, _ = labelled(tiny_clip, tmp_path, output)
    sidecar_path(output).unlink()
    report = evaluate_json(output, "--truth", photos)
    assert "run_info" not in report
    assert report["n"] == 2 * len(FOLDER_CLASSES)
