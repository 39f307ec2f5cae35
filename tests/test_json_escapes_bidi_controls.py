"""JSON outputs write a name's bidi embeddings, overrides and isolates (U+202E ...) as \\u202e, as
the CSV at a terminal and messages escape them: left raw, a file name's right-to-left override
turned the rest of its JSON line round on a terminal or viewer that lays out bidi text. The text
read back is the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import read_jsonl, run, write_images
from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.text_files import BIDI_CONTROLS
from zsl_cli.writers import open_writer

NAME = "x\u202egpj.png"  # shows as "xgnp.jpg" where the override is applied
LABEL = "\u05d7\u05ea\u05d5\u05dc\u2067cat\u2069"  # Hebrew with an isolate around a word


def _raw_controls(data: bytes) -> list[str]:
    return [control for control in BIDI_CONTROLS if control.encode() in data]


def _strings(value: object) -> set[str]:
    """Every string a JSON value holds, as keys or values, however deep."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {*value, *_strings(list(value.values()))}
    if isinstance(value, list):
        return set().union(*map(_strings, value))
    return set()


@pytest.mark.parametrize("fmt", ["jsonl", "json", "label-studio"])
def test_json_outputs_escape_bidi_controls_and_read_back_the_same(tmp_path: Path, fmt: str):
    output = tmp_path / f"out.{fmt}"
    path = str(tmp_path / NAME)
    studio = LabelStudioOptions(document_root=tmp_path, url_prefix="http://localhost/")
    options = {"label_studio": studio} if fmt == "label-studio" else {}
    with open_writer(str(output), fmt, **options) as writer:
        writer.write(Prediction(path=path, label=LABEL, score=0.5, top_k=(LabelScore(LABEL, 0.5),)))
        writer.close({})
    data = output.read_bytes()
    assert _raw_controls(data) == [], data
    assert b"\\u202e" in data and b"\\u2067" in data and b"\\u2069" in data
    text = data.decode()
    strings = _strings(read_jsonl(text) if fmt == "jsonl" else json.loads(text))
    assert LABEL in strings
    if fmt != "label-studio":  # whose tasks name the image by its URL
        assert path in strings


def test_zsl_label_jsonl_escapes_a_file_names_override(tmp_path: Path):
    images = tmp_path / "images"
    write_images(images, 1)[0].rename(images / NAME)
    classes = tmp_path / "classes.txt"
    classes.write_text("red circle\nblue square\n")
    result = run("label", images, "-c", classes, "-m", "shapes-demo", "-f", "jsonl", "-q")
    assert result.exit_code == 0, result.stderr
    assert _raw_controls(result.stdout.encode()) == [] and "\\u202e" in result.stdout
    assert [Path(record["path"]).name for record in read_jsonl(result.stdout)] == [NAME]
