"""api.read_predictions refuses a caller's mistakes as the other entry points do, with a
ZslError naming the argument, and reads "-" as EvaluateRequest does: from its `stdin`, a binary
stream, or the process's stdin where that is None."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from zsl_cli import api
from zsl_cli.errors import ZslError
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer

PREDICTIONS = [
    Prediction("a.png", "cat", 0.9, top_k=(LabelScore("cat", 0.9), LabelScore("dog", 0.1))),
    Prediction("b.png", "", None, status="decode_error", error="not an image"),
]


def written(tmp_path: Path) -> Path:
    path = tmp_path / "predictions.jsonl"
    with open_writer(path, "jsonl") as writer:
        for prediction in PREDICTIONS:
            writer.write(prediction)
        writer.close({})
    return path


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (None, r"^path: NoneType is not a file path"),
        (3, r"^path: int is not a file path"),
        (b"predictions.jsonl", r"^path: bytes is not a file path"),
        ("pre\0dictions.jsonl", r"^path 'pre\\x00dictions.jsonl': no file name holds a NUL"),
        ("", r"^path: the path is empty; give a predictions file's path, or '-' for stdin$"),
        ("x" * 5000 + ".jsonl", r"^x+\.jsonl: File name too long$"),
    ],
    ids=["None", "int", "bytes", "NUL", "empty", "too long"],
)
def test_a_path_that_names_no_file_is_refused_in_words(path: object, message: str) -> None:
    with pytest.raises(ZslError, match=message):
        api.read_predictions(path)  # type: ignore[arg-type]


def test_dash_reads_the_stream_given_as_stdin(tmp_path: Path) -> None:
    stream = io.BytesIO(written(tmp_path).read_bytes())
    assert api.read_predictions("-", stdin=stream) == PREDICTIONS


def test_a_file_s_predictions_are_read_as_before(tmp_path: Path) -> None:
    assert api.read_predictions(written(tmp_path)) == PREDICTIONS
    assert api.read_predictions(str(written(tmp_path))) == PREDICTIONS


def test_dash_without_a_stream_reads_the_process_s_stdin(tmp_path: Path) -> None:
    code = "from zsl_cli.api import read_predictions; print(len(read_predictions('-')))"
    with written(tmp_path).open("rb") as source:
        done = subprocess.run(
            [sys.executable, "-c", code], stdin=source, capture_output=True, timeout=120
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == "2"


def test_a_stdin_that_nothing_reads_is_refused_as_evaluate_request_refuses_it(
    tmp_path: Path,
) -> None:
    path = written(tmp_path)
    with pytest.raises(ZslError, match=r'^stdin is read only when path is "-"$'):
        api.read_predictions(path, stdin=io.BytesIO(path.read_bytes()))


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (io.StringIO(""), r"^stdin: give a binary stream \(e.g. sys.stdin.buffer\), not text$"),
        (b"{}", r"^stdin: bytes is not a binary stream$"),
    ],
    ids=["text", "bytes"],
)
def test_a_stdin_that_is_no_binary_stream_is_refused(stdin: object, message: str) -> None:
    with pytest.raises(ZslError, match=message):
        api.read_predictions("-", stdin=stdin)  # type: ignore[arg-type]
