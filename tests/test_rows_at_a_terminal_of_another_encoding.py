"""Rows printed at a terminal whose encoding is not UTF-8 (a Latin-1 locale) are written in its
encoding, as stderr's messages are, what it cannot hold escaped: in UTF-8, a letter's second byte
0x80-0x9f is a C1 control there (Û is C3 9B, an 8-bit CSI). Files and pipes get UTF-8 exactly."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.terminal import terminal_bytes, terminal_env
from zsl_cli.files import open_sink
from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import FORMATS, open_writer, write_class_prompts

# Printable letters whose UTF-8 holds 0x9B (CSI), 0x9D (OSC) and 0x9C (ST): on a Latin-1
# terminal "clear the screen, set the title to pwned"; and characters Latin-1 cannot hold.
LATIN_NAME = "\u00db2J\u00dd0;pwned\u00dc.png"
WIDE_NAME = "\u4e2d\U0001f600.png"
C1_BYTES = [bytes([code]) for code in range(0x80, 0xA0)]


class _TerminalBytes(io.BytesIO):
    def isatty(self) -> bool:
        return True


def _stdout(encoding: str, *, terminal: bool) -> tuple[io.TextIOWrapper, io.BytesIO]:
    """A stdout as Python makes one: text in `encoding` over bytes, at a terminal or not."""
    raw = _TerminalBytes() if terminal else io.BytesIO()
    return io.TextIOWrapper(raw, encoding=encoding), raw


def _predictions(folder: Path) -> list[Prediction]:
    return [
        Prediction(
            path=str(folder / LATIN_NAME),
            label="caf\u00e9",
            score=0.5,
            top_k=(LabelScore("caf\u00e9", 0.5), LabelScore("\u72ac", 0.25)),
        ),
        Prediction(path=str(folder / WIDE_NAME), label="", score=None, status="not_an_image"),
    ]


def _written(fmt: str, folder: Path, stdout: io.TextIOWrapper | None, output: str | None) -> None:
    studio = LabelStudioOptions(document_root=folder.parent, url_prefix="http://localhost/")
    options = {"label_studio": studio} if fmt == "label-studio" else {}
    with open_writer(output, fmt, stdout=stdout, **options) as writer:
        for prediction in _predictions(folder):
            writer.write(prediction)
        writer.close({"note": "run \u00db\u4e2d"})


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_at_a_latin1_terminal_are_latin1_with_no_c1_byte(tmp_path, fmt):
    stdout, raw = _stdout("iso-8859-1", terminal=True)
    _written(fmt, tmp_path, stdout, None)
    data = raw.getvalue()
    assert [byte for byte in C1_BYTES if byte in data] == []
    shown = data.decode("latin-1")
    if fmt == "csv":
        assert f"{tmp_path}/\u00db2J\u00dd0;pwned\u00dc.png,caf\u00e9," in shown
        assert f"{tmp_path}/\\u4e2d\\U0001f600.png," in shown
        assert "caf\u00e9|\\u72ac" in shown
    else:
        # JSON's \u escapes: the same text once parsed, whatever the terminal showed.
        lines = shown.splitlines()
        document = [json.loads(line) for line in lines] if fmt == "jsonl" else json.loads(shown)
        text = json.dumps(document, ensure_ascii=False)
        assert LATIN_NAME in text and WIDE_NAME in text and "\u72ac" in text
        assert "\u00db2J" in shown and "\\u4e2d" in shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_pipe_or_a_file_of_a_latin1_locale_gets_utf8_exactly(tmp_path, fmt):
    output = tmp_path / {"csv": "out.csv", "jsonl": "out.jsonl"}.get(fmt, "out.json")
    _written(fmt, tmp_path, None, str(output))
    stdout, raw = _stdout("iso-8859-1", terminal=False)
    _written(fmt, tmp_path, stdout, None)
    data = raw.getvalue()
    assert LATIN_NAME.encode() in data and WIDE_NAME.encode() in data
    if fmt != "json":  # whose run info is in the document, not on stdout
        assert data == output.read_bytes()


def test_rows_at_a_utf8_terminal_stay_utf8(tmp_path):
    stdout, raw = _stdout("utf-8", terminal=True)
    _written("csv", tmp_path, stdout, None)
    assert f"{LATIN_NAME},caf\u00e9,".encode() in raw.getvalue()
    assert WIDE_NAME.encode() in raw.getvalue()


def test_show_prompts_at_a_latin1_terminal(monkeypatch):
    stdout, raw = _stdout("iso-8859-1", terminal=True)
    monkeypatch.setattr(sys, "stdout", stdout)
    prompts = [("\u00db2J", 1.0, "a photo of \u00db2J\u00dd0;T\u00dc"), ("\u72ac", 1.0, "\u72ac")]
    write_class_prompts(open_sink(None), prompts)
    data = raw.getvalue()
    assert [byte for byte in C1_BYTES if byte in data] == []
    lines = data.decode("latin-1").splitlines()
    assert lines[1:] == [
        "\u00db2J,1,a photo of \u00db2J\u00dd0;T\u00dc",
        "\\u72ac,1,\\u72ac",
    ]


@pytest.fixture()
def latin_folder(tmp_path: Path) -> Path:
    images = tmp_path / "images"
    images.mkdir()
    Image.new("RGB", (48, 40), (200, 30, 30)).save(images / "ok.png", format="PNG")
    (images / LATIN_NAME).write_bytes(b"x")  # not an image: a row of its own all the same
    (tmp_path / "classes.txt").write_text("red circle\nblue square\n")
    return images


def _label(tiny_clip, *options: str) -> list[str]:
    command = [sys.executable, "-m", "zsl_cli", "label", "images", "-c", "classes.txt"]
    return [*command, "-m", str(tiny_clip), "-q", *options]


def test_zsl_label_at_a_latin1_terminal(tiny_clip, tmp_path, latin_folder):
    # PYTHONIOENCODING as a Latin-1 locale sets it: the encoding of stdout and of stderr.
    env = terminal_env(PYTHONIOENCODING="iso-8859-1", HF_HUB_OFFLINE="1")
    for options in ((), ("-o", "/dev/stdout"), ("-f", "jsonl")):
        shown = terminal_bytes(_label(tiny_clip, *options), tmp_path, stderr=False, env=env)
        assert [byte for byte in C1_BYTES if byte in shown] == [], (options, shown)
        assert "images/\u00db2J\u00dd0;pwned\u00dc.png".encode("latin-1") in shown, options
    piped = subprocess.run(
        _label(tiny_clip), capture_output=True, cwd=tmp_path, env=env, timeout=300
    )
    assert piped.returncode == 0, piped.stderr
    rows = list(csv.DictReader(io.StringIO(piped.stdout.decode(), newline="")))
    assert sorted(row["path"] for row in rows) == ["images/ok.png", f"images/{LATIN_NAME}"]
