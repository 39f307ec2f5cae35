"""More truth files of other tools that `zsl evaluate --truth` refuses with the shell line that
converts them to a path,label CSV: Kaggle id tables whose quoted cells hold commas. Each line is
run here on a file the test writes, and the CSV it writes then evaluates the predictions."""

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
