"""Predictions printed at a terminal send it no control sequences, whatever a file name or a
stored error text holds; files and pipes get the exact text, which reads back the same."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.terminal import terminal_bytes
from zsl_cli import api
from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.readers import read_predictions
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import FORMATS, open_writer

# Sets the text red, then the window title; U+009B is a one-character CSI on a terminal that
# reads 8-bit controls, U+0085 a line break (NEL), DEL a rubout.
ESCAPING_NAME = "x\x1b[31mRED\x1b]0;T\x07 \x9b2J \x85\x7f.png"
ESCAPING_ERROR = "\x1b[2J\x1b]52;c;cHduZWQ=\x07broken"
EXTENSIONS = {"csv": ".csv", "jsonl": ".jsonl", "json": ".json", "label-studio": ".json"}
# What a terminal would act on, but for the line ends: C0, DEL and C1 (as UTF-8, or bytes).
ACTIVE = [bytes([code]) for code in [*range(0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0)]] + [
    chr(code).encode() for code in range(0x80, 0xA0)
]


def predictions(folder: Path) -> list[Prediction]:
    path = str(folder / ESCAPING_NAME)
    return [
        Prediction(path=path, label="cat\x9b", score=0.5, top_k=(LabelScore("cat\x9b", 0.5),)),
        Prediction(path=path, label="", score=None, status="error", error=ESCAPING_ERROR),
    ]


def write(output: str | None, fmt: str, folder: Path, stdout=None) -> None:
    # Label Studio tasks name the images relative to a document root.
    studio = LabelStudioOptions(document_root=folder.parent, url_prefix="http://localhost/")
    options = {"label_studio": studio} if fmt == "label-studio" else {}
    with open_writer(output, fmt, stdout=stdout, **options) as writer:
        for prediction in predictions(folder):
            writer.write(prediction)
        writer.close({})


def terminal_controls(data: bytes) -> list[bytes]:
    lines = data.replace(b"\r\n", b"\n")  # a terminal's line end (it adds the "\r")
    return [control for control in ACTIVE if control in lines.replace(b"\n", b"")]


class _Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["jsonl", "json", "label-studio"])
def test_json_output_escapes_every_control_and_reads_back_the_same(tmp_path, fmt):
    # json.dumps escapes C0 but left C1 raw: U+009B reached a terminal from `-f jsonl`.
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    write(str(output), fmt, tmp_path)
    data = output.read_bytes()
    assert terminal_controls(data) == []
    assert b"\\u009b" in data and b"\\u001b" in data and b"\\u007f" in data
    written = predictions(tmp_path)
    read = read_predictions(output)
    assert [(p.path, p.label, p.error) for p in read] == [
        (p.path, p.label, p.error) for p in written
    ]
    assert [p.top_k[0].label for p in read if p.top_k] == ["cat\x9b"]


def test_json_escapes_a_del_in_text_that_is_otherwise_ascii(tmp_path):
    output = tmp_path / "out.jsonl"
    with open_writer(str(output), "jsonl") as writer:
        writer.write(Prediction(path=str(tmp_path / "a\x7f.png"), label="cat", score=0.5))
        writer.close({})
    assert b"a\\u007f.png" in output.read_bytes()
    assert read_predictions(output)[0].path == str(tmp_path / "a\x7f.png")


def test_csv_at_a_terminal_shows_controls_escaped(tmp_path):
    shown = _Terminal()
    write(None, "csv", tmp_path, stdout=shown)
    data = shown.getvalue()
    assert terminal_controls(data) == []
    text = data.decode()
    assert "x\\x1b[31mRED\\x1b]0;T\\x07 \\x9b2J \\x85\\x7f.png" in text
    assert "\\x1b[2J\\x1b]52;c;cHduZWQ=\\x07broken" in text
    assert "cat\\x9b" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_files_and_pipes_get_the_exact_text(tmp_path, fmt):
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    write(str(output), fmt, tmp_path)
    piped = io.BytesIO()  # no terminal: a pipe, a program reading
    write(None, fmt, tmp_path, stdout=piped)
    if fmt != "json":  # whose run info is in the document, not on stdout
        assert piped.getvalue() == output.read_bytes()
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(output.read_bytes().decode(), newline="")))
        assert [row["path"] for row in rows] == [str(tmp_path / ESCAPING_NAME)] * 2
        assert rows[1]["error"] == ESCAPING_ERROR
    read = read_predictions(output)
    assert [(p.path, p.label, p.error) for p in read] == [
        (p.path, p.label, p.error) for p in predictions(tmp_path)
    ]


def test_zsl_evaluate_reads_escaped_json_back_as_written(tmp_path):
    truth = tmp_path / "truth"
    images = []
    for name in ("cat\x9b", "dog\x85"):
        (truth / name).mkdir(parents=True)
        image = truth / name / ESCAPING_NAME
        Image.new("RGB", (8, 8)).save(image, format="PNG")
        images.append((str(image), name))
    for fmt in ("jsonl", "csv"):
        output = tmp_path / f"out.{fmt}"
        with open_writer(str(output), fmt) as writer:
            for path, label in images:
                writer.write(Prediction(path=path, label=label, score=0.9))
            writer.close({})
        result = api.evaluate(api.EvaluateRequest(str(output), str(truth)))
        assert result.n == 2
        # Labels read back otherwise would match no truth class.
        assert result.metrics.top_k[0].overall == 1.0, result.to_json()
        assert sorted(result.metrics.classes) == ["cat\x9b", "dog\x85"]


@pytest.fixture()
def escaping_folder(tmp_path: Path) -> Path:
    images = tmp_path / "images"
    images.mkdir()
    Image.new("RGB", (48, 40), (200, 30, 30)).save(images / ESCAPING_NAME, format="PNG")
    (tmp_path / "classes.txt").write_text("red circle\nblue square\n")
    return images


def label_command(tiny_clip, tmp_path: Path, *options: str) -> list[str]:
    command = [sys.executable, "-m", "zsl_cli", "label", "images", "-c", "classes.txt"]
    return [*command, "-m", str(tiny_clip), "-q", *options]


def test_zsl_label_at_a_terminal_prints_a_file_name_s_escapes_escaped(
    tiny_clip, tmp_path, escaping_folder
):
    shown = terminal_bytes(label_command(tiny_clip, tmp_path), tmp_path, stderr=False)
    assert terminal_controls(shown) == []
    assert b"images/x\\x1b[31mRED\\x1b]0;T\\x07 \\x9b2J \\x85\\x7f.png," in shown
    # -o /dev/stdout there is the same terminal.
    named = terminal_bytes(
        label_command(tiny_clip, tmp_path, "-o", "/dev/stdout"), tmp_path, stderr=False
    )
    assert named == shown
    jsonl = terminal_bytes(
        label_command(tiny_clip, tmp_path, "-f", "jsonl"), tmp_path, stderr=False
    )
    assert terminal_controls(jsonl) == [] and b"\\u009b2J" in jsonl


def test_zsl_label_into_a_pipe_writes_the_exact_name(tiny_clip, tmp_path, escaping_folder):
    done = subprocess.run(
        label_command(tiny_clip, tmp_path), capture_output=True, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode(), newline="")))
    assert [row["path"] for row in rows] == [f"images/{ESCAPING_NAME}"]
