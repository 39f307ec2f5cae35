"""More truth files of other tools that `zsl evaluate --truth` refuses with the shell line that
converts them to a path,label CSV: Datumaro's own JSON (`annotations/default.json`), FiftyOne's
image classification export (`labels.json` beside `data/`), and Kaggle id tables whose quoted
cells hold commas. Each line is run here on a file the test writes, and the CSV it writes then
evaluates the predictions."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import error_line, run
from zsl_cli.records import CSV_COLUMNS

# A class named with a comma, as ImageNet's are: quoted in each CSV.
IMAGES = {"a": "red circle", "b": "tench, Tinca tinca", "c": "red circle"}
CLASSES = sorted(set(IMAGES.values()))

needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


def _predictions(paths: dict[str, str]) -> Path:
    """A predictions CSV, right for every image (`paths`: each path's class), in the current
    folder; each image an empty file there."""
    rows = []
    for path, label in paths.items():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(b"")
        rows.append(f'"{path}","{label}",0.9,"{label}",0.9,ok,\n')
    predictions = Path("p.csv")
    predictions.write_text(",".join(CSV_COLUMNS) + "\n" + "".join(rows), encoding="utf-8")
    return predictions


def _refusal(predictions: Path, truth: str) -> str:
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2, result.stdout
    return error_line(result.stderr)


def _converted(message: str, predictions: Path) -> list[str]:
    """Run the refusal's command (the last `...` in it), evaluate with the CSV it writes, and
    return that CSV's lines."""
    command = message.split("`")[-2]
    subprocess.run(command, shell=True, check=True)
    written = command.rsplit("> ", 1)[1]
    result = run("evaluate", predictions, "--truth", written, "--json", "out.json")
    assert result.exit_code == 0, error_line(result.stderr)
    out = json.loads(Path("out.json").read_text())
    assert out["n"] == len(IMAGES)
    assert out["top_k"]["1"]["overall"] == 1.0
    return Path(written).read_text().splitlines()


# Datumaro's own format: as CVAT exports it (`info`), and as Datumaro 1.x writes it.
DATUMARO_HEADS = {
    "cvat": {"info": {}},
    "datumaro-1": {"dm_format_version": "1.0", "media_type": 2, "infos": {}},
}


def _label(label_id: int, id: int = 0) -> dict:
    return {"id": id, "type": "label", "attributes": {}, "group": 0, "label_id": label_id}


@needs_jq
@pytest.mark.parametrize("head", DATUMARO_HEADS)
def test_a_datumaro_json_is_refused_with_a_jq_line(tmp_path, monkeypatch, head):
    monkeypatch.chdir(tmp_path)
    predictions = _predictions({f"images/{stem}.png": label for stem, label in IMAGES.items()})
    items = []
    for stem, label in IMAGES.items():
        annotations = [
            _label(CLASSES.index(label)),
            {"id": 1, "type": "bbox", "label_id": 1 - CLASSES.index(label), "bbox": [0, 0, 1, 1]},
        ]
        if stem == "c":  # tagged twice with its class: one class all the same
            annotations.append(_label(CLASSES.index(label), 2))
        items.append({"id": stem, "annotations": annotations, "image": {"path": f"{stem}.png"}})
    # An item tagged with no class (a box alone), and one tagged with two: no one class.
    items.append(
        {
            "id": "d",
            "annotations": [{"id": 0, "type": "bbox", "label_id": 0, "bbox": [0, 0, 1, 1]}],
            "image": {"path": "d.png", "size": [4, 4]},
        }
    )
    items.append({"id": "e", "annotations": [_label(0), _label(1, 1)], "image": {"path": "e.png"}})
    labels = [{"name": name, "parent": "", "attributes": []} for name in CLASSES]
    document = {
        **DATUMARO_HEADS[head],
        "categories": {"label": {"labels": labels, "attributes": []}},
        "items": items,
    }
    Path("export/annotations").mkdir(parents=True)
    Path("export/annotations/default.json").write_text(json.dumps(document, indent=2))
    message = _refusal(predictions, "export/annotations/default.json")
    assert "Datumaro" in message and "`jq -r " in message
    assert "left out" in message
    lines = _converted(message, predictions)
    assert lines[0] == "path,label"
    assert sorted(lines[1:]) == sorted(f'"{stem}.png","{label}"' for stem, label in IMAGES.items())


# FiftyOne's labels: indices into `classes`, class names (`classes` null), and either with
# its confidence (include_confidence=True) or as a one-item list (a Classifications field).
FIFTYONE_LABELS = {
    "indices": lambda label: CLASSES.index(label),
    "names": lambda label: label,
    "confidences": lambda label: {"label": CLASSES.index(label), "confidence": 0.8},
    "lists": lambda label: [label],
}


@needs_jq
@pytest.mark.parametrize("form", FIFTYONE_LABELS)
def test_a_fiftyone_classification_export_is_refused_with_a_jq_line(tmp_path, monkeypatch, form):
    monkeypatch.chdir(tmp_path)
    # Images of two extensions, which the keys of labels.json leave out.
    names = {"a": "a.png", "b": "b.jpg", "c": "c.png"}
    paths = {f"export/data/{names[stem]}": label for stem, label in IMAGES.items()}
    predictions = _predictions(paths)
    labels = {stem: FIFTYONE_LABELS[form](label) for stem, label in IMAGES.items()}
    labels["d"] = None  # an unlabelled sample: left out
    Path("export/data/d.png").write_bytes(b"")
    classes = None if form in ("names", "lists") else CLASSES
    Path("export/labels.json").write_text(json.dumps({"classes": classes, "labels": labels}))
    message = _refusal(predictions, "export/labels.json")
    assert "FiftyOne" in message and "jq -" in message
    lines = _converted(message, predictions)
    assert sorted(lines[1:]) == sorted(f'"{path}","{label}"' for path, label in paths.items())


def test_a_fiftyone_labels_file_without_its_data_folder_says_it_is_needed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    predictions = _predictions({f"images/{stem}.png": label for stem, label in IMAGES.items()})
    labels = {stem: CLASSES.index(label) for stem, label in IMAGES.items()}
    Path("labels.json").write_text(json.dumps({"classes": CLASSES, "labels": labels}))
    message = _refusal(predictions, "labels.json")
    assert "FiftyOne" in message and "`" not in message
    assert "data" in message


# Kaggle tables whose ids name the images without their extension, a quoted cell holding a
# comma before the id column (and ids quoted, one holding a comma itself); line ends of Windows.
QUOTED_IMAGES = {"a": "red circle", "b, 2": "tench, Tinca tinca", "c": "red circle"}


@pytest.mark.parametrize("id_column", ["image", "id"])
@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_kaggle_table_of_quoted_commas_is_refused_with_a_working_awk_line(
    tmp_path, monkeypatch, id_column, line_end
):
    monkeypatch.chdir(tmp_path)
    predictions = _predictions(
        {f"images/{stem}.png": label for stem, label in QUOTED_IMAGES.items()}
    )
    rows = [f"label,{id_column},note"]
    rows += [f'"{label}","{stem}","x, y"' for stem, label in QUOTED_IMAGES.items()]
    Path("train.csv").write_text(line_end.join(rows) + line_end)
    message = _refusal(predictions, "train.csv")
    assert ".png" in message and "awk " in message
    command = message.split("`")[-2]
    subprocess.run(command, shell=True, check=True)
    result = run("evaluate", predictions, "--truth", "truth.csv", "--json", "out.json")
    assert result.exit_code == 0, error_line(result.stderr)
    out = json.loads(Path("out.json").read_text())
    assert out["n"] == len(QUOTED_IMAGES)
    assert out["top_k"]["1"]["overall"] == 1.0
    assert Path("truth.csv").read_text().splitlines()[0] == "label,path,note"


def test_a_kaggle_table_whose_quoted_cell_spans_lines_keeps_its_rows(tmp_path, monkeypatch):
    """A note of two lines (which a truth CSV cannot hold, and evaluate refuses once converted):
    the line writes the table's rows as CSV reads them, but for the id column."""
    monkeypatch.chdir(tmp_path)
    predictions = _predictions({f"images/{stem}.png": label for stem, label in IMAGES.items()})
    table = [["id", "note", "label"]]
    table += [[stem, 'a note\nof two lines, one "quoted"', label] for stem, label in IMAGES.items()]
    with open("train.csv", "w", newline="") as file:
        csv.writer(file).writerows(table)
    message = _refusal(predictions, "train.csv")
    command = message.split("`")[-2]
    subprocess.run(command, shell=True, check=True)
    with open("truth.csv", newline="") as file:
        written = list(csv.reader(file))
    expected = [["path", *table[0][1:]]] + [[f"{row[0]}.png", *row[1:]] for row in table[1:]]
    assert written == expected
