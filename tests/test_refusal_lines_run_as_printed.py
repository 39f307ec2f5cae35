"""The shell lines that `zsl evaluate`'s refusals print run as printed, in the cases where they
failed or changed nothing: an attribute table's awk line from another folder than the
labelling's, a grep line over quoted empty labels (`""`), a Kaggle id line over a CRLF table
whose id column is the last, and an ImageNet txt export without its synsets.txt (no line)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import error_line, run
from zsl_cli.classes import parse_attributes
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth
from zsl_cli.records import CSV_COLUMNS
from zsl_cli.truth_exports import transpose_command

CLASSES = {"red circle": "red", "blue square": "blue", "green star": "green"}
WORDS = ["red", "blue", "green", "circle", "square", "star"]


def _command(message: str) -> str:
    """The last `...` of a refusal, run here; the file it writes."""
    command = message.split("`")[-2]
    subprocess.run(command, shell=True, check=True)
    return command.rsplit("> ", 1)[1]


def test_a_transposed_attribute_table_s_line_runs_from_another_folder(tmp_path, monkeypatch):
    work = tmp_path / "work"
    for name, colour in CLASSES.items():
        (work / "shapes" / name).mkdir(parents=True)
        Image.new("RGB", (32, 32), colour).save(work / "shapes" / name / "a.png")
    rows = [["class", *CLASSES]]
    rows += [[word, *("1" if word in name.split() else "0" for name in CLASSES)] for word in WORDS]
    (work / "att.csv").write_text("\n".join(",".join(row) for row in rows) + "\n")
    monkeypatch.chdir(work)
    labelled = run("label", "shapes", "--attributes", "att.csv", "-m", "shapes-demo", "-o", "p.csv")
    assert labelled.exit_code == 0, labelled.stderr

    monkeypatch.chdir(tmp_path)
    refused = run("evaluate", "work/p.csv", "--truth", "work/shapes")
    assert refused.exit_code == 2
    message = error_line(refused.stderr)
    assert "the truth's classes are the attribute names of work/att.csv" in message
    written = _command(message)
    spec = parse_attributes(Path(written).read_text(), written)
    assert spec.names == list(CLASSES)
    assert list(spec.attributes.names) == WORDS


@pytest.mark.parametrize(("newline", "blank_lines"), [("\n", 1), ("\r\n", 1), ("\n", 2)])
def test_the_transposing_line_passes_over_blank_lines(tmp_path, monkeypatch, newline, blank_lines):
    # A blank last line left it no columns to write: it wrote an empty table.
    monkeypatch.chdir(tmp_path)
    rows = ["class,red circle,blue square", "red,1,0", "", "circle,1,0", "square,0,1"]
    text = newline.join(rows + [""] * blank_lines) + newline
    Path("att.csv").write_bytes(text.encode())
    written = _command(f"`{transpose_command('att.csv')}`")
    spec = parse_attributes(Path(written).read_text(), written)
    assert spec.names == ["red circle", "blue square"]
    assert list(spec.attributes.names) == ["red", "circle", "square"]


@pytest.mark.parametrize(("delimiter", "empty"), [(",", '""'), (";", '""'), (",", '" "')])
def test_quoted_empty_labels_are_left_out_by_the_grep_line(tmp_path, monkeypatch, delimiter, empty):
    # As R's write.csv and pandas' QUOTE_ALL write them, with Windows' line ends.
    monkeypatch.chdir(tmp_path)
    rows = [["path", "label"], ["a.png", "cat"], ["b.png", None], ["c.png", "dog"]]
    lines = [delimiter.join(empty if cell is None else f'"{cell}"' for cell in row) for row in rows]
    Path("q.csv").write_text("\r\n".join(lines) + "\r\n")
    with pytest.raises(ZslError) as refused:
        load_truth("q.csv")
    assert "line 3: the label is empty" in refused.value.message
    written = _command(refused.value.message)
    labels = [(item.shown, item.label) for item in load_truth(written).items]
    assert labels == [("a.png", "cat"), ("c.png", "dog")]


def _predictions(images: dict[str, str]) -> Path:
    """Predictions, right for every image, of train/<stem>.png, in the current folder."""
    Path("train").mkdir()
    rows = []
    for stem, label in images.items():
        Path("train", f"{stem}.png").write_bytes(b"")
        rows.append(f'train/{stem}.png,"{label}",0.9,"{label}",0.9,ok,\n')
    predictions = Path("p.csv")
    predictions.write_text(",".join(CSV_COLUMNS) + "\n" + "".join(rows), encoding="utf-8")
    return predictions


def test_a_crlf_kaggle_table_with_the_id_last_converts_with_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    images = {"img1": "red circle", "img2": "blue star"}
    predictions = _predictions(images)
    Path("t3.csv").write_text(
        "label,id\r\n" + "".join(f"{label},{stem}\r\n" for stem, label in images.items())
    )
    refused = run("evaluate", predictions, "--truth", "t3.csv")
    assert refused.exit_code == 2
    message = error_line(refused.stderr)
    assert "'id'" in message
    written = _command(message)
    assert "\r" not in Path(written).read_text()
    evaluated = run("evaluate", predictions, "--truth", written, "--json", "out.json")
    assert evaluated.exit_code == 0, error_line(evaluated.stderr)
    out = json.loads(Path("out.json").read_text())
    assert out["n"] == len(images)
    assert out["top_k"]["1"]["overall"] == 1.0


def test_an_imagenet_txt_export_without_synsets_gets_no_line_that_reads_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    predictions = _predictions({"a": "red circle", "b": "blue star"})
    Path("nos").mkdir()
    Path("nos/train.txt").write_text("a.png 0\nb.png 1\n")
    refused = run("evaluate", predictions, "--truth", "nos/train.txt")
    assert refused.exit_code == 2
    message = error_line(refused.stderr)
    assert "its first line names an image and a class index" in message
    assert "there is no nos/synsets.txt" in message
    assert "awk" not in message
