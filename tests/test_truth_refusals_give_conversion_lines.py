"""Truth files of other tools that `zsl evaluate --truth` refuses (COCO JSON, ImageNet's
LOC_val_solution.csv, a Datumaro/CVAT ImageNet txt export, Kaggle ids without their file
extension) are refused with a shell line that converts them: each line is run here, and its
CSV then evaluates the predictions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import error_line, run
from zsl_cli.records import CSV_COLUMNS

# A class named with a comma, as ImageNet's are (`tench, Tinca tinca`): quoted in each CSV.
IMAGES = {"a": "red circle", "b": "tench, Tinca tinca", "c": "red circle"}

needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


@pytest.fixture
def labelled(tmp_path, monkeypatch) -> Path:
    """Predictions, right for every image, of images/{a,b,c}.png; the test runs in tmp_path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "images").mkdir()
    rows = []
    for stem, label in IMAGES.items():
        (tmp_path / "images" / f"{stem}.png").write_bytes(b"")
        rows.append(f'images/{stem}.png,"{label}",0.9,"{label}",0.9,ok,\n')
    predictions = tmp_path / "p.csv"
    predictions.write_text(",".join(CSV_COLUMNS) + "\n" + "".join(rows), encoding="utf-8")
    return predictions


def _refusal(predictions: Path, truth: str) -> str:
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2, result.stdout
    return error_line(result.stderr)


def _converted(message: str, predictions: Path) -> None:
    """Run the refusal's command (the last `...` in it) and evaluate with the CSV it writes."""
    command = message.split("`")[-2]
    subprocess.run(command, shell=True, check=True)
    written = command.rsplit("> ", 1)[1]
    result = run("evaluate", predictions, "--truth", written, "--json", "out.json")
    assert result.exit_code == 0, error_line(result.stderr)
    out = json.loads(Path("out.json").read_text())
    assert out["n"] == len(IMAGES)
    assert out["top_k"]["1"]["overall"] == 1.0


@needs_jq
def test_a_coco_json_is_refused_with_a_jq_line(labelled):
    ids = {name: index for index, name in enumerate(sorted(set(IMAGES.values())), 1)}
    coco = {
        "info": {},
        "images": [{"id": i, "file_name": f"{stem}.png"} for i, stem in enumerate(IMAGES, 7)],
        "annotations": [
            {"id": i, "image_id": image, "category_id": ids[label], "bbox": [0, 0, 1, 1]}
            for i, (image, label) in enumerate(zip(range(7, 10), IMAGES.values(), strict=True))
        ],
        "categories": [{"id": index, "name": name} for name, index in ids.items()],
    }
    Path("coco.json").write_text(json.dumps(coco, indent=2))
    message = _refusal(labelled, "coco.json")
    assert "COCO" in message and "`jq -r " in message
    _converted(message, labelled)


def test_imagenet_s_loc_val_solution_is_refused_with_an_awk_line(labelled):
    wnids = {"red circle": "n01440764", "tench, Tinca tinca": "n01443537"}
    lines = ["ImageId,PredictionString"]
    for stem, label in IMAGES.items():
        lines.append(f"{stem},{wnids[label]} 1 2 3 4 {wnids[label]} 5 6 7 8")
    Path("LOC_val_solution.csv").write_text("\n".join(lines) + "\n")
    predictions = labelled.read_text()
    for label, wnid in wnids.items():
        predictions = predictions.replace(f'"{label}"', wnid)
    labelled.write_text(predictions.replace(".png", ".JPEG"))
    for stem in IMAGES:
        Path(f"images/{stem}.png").rename(f"images/{stem}.JPEG")
    message = _refusal(labelled, "LOC_val_solution.csv")
    assert "`{ echo path,label; awk " in message
    _converted(message, labelled)


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_an_imagenet_txt_export_with_its_synsets_is_refused_with_an_awk_line(labelled, line_end):
    classes = sorted(set(IMAGES.values()))
    Path("export").mkdir()
    Path("export/synsets.txt").write_text(line_end.join(classes) + line_end)
    rows = [f"{stem}.png {classes.index(label)}" for stem, label in IMAGES.items()]
    Path("export/default.txt").write_text(line_end.join(rows) + line_end)
    message = _refusal(labelled, "export/default.txt")
    assert "synsets.txt" in message and "its first line names an image" in message
    _converted(message, labelled)


def test_kaggle_ids_without_the_extension_are_refused_with_an_awk_line(labelled):
    Path("train.csv").write_text(
        "image,label\n" + "".join(f'{stem},"{label}"\n' for stem, label in IMAGES.items())
    )
    message = _refusal(labelled, "train.csv")
    assert "outside the ground truth" not in message
    assert "'.png'" in message
    _converted(message, labelled)


def test_a_kaggle_id_column_is_refused_with_an_awk_line(labelled):
    Path("train.csv").write_text(
        "id,label\n" + "".join(f'{stem},"{label}"\n' for stem, label in IMAGES.items())
    )
    message = _refusal(labelled, "train.csv")
    assert "'id'" in message
    _converted(message, labelled)
