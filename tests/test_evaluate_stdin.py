"""`EvaluateRequest.stdin`: the stream that predictions "-" are read from, as
`InputOptions.stdin` is for a "-" path list (the CLI wraps it to say when a terminal is read)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import LABELLED_IMAGES as IMAGES
from tests.helpers import write_labelled
from zsl_cli import api
from zsl_cli.errors import ZslError


def test_predictions_dash_are_read_from_the_stream_given(tmp_path: Path) -> None:
    predictions, truth = write_labelled(tmp_path, IMAGES)
    from_file = api.evaluate(api.EvaluateRequest(str(predictions), str(truth)))
    streamed = api.evaluate(
        api.EvaluateRequest("-", str(truth), stdin=io.BytesIO(predictions.read_bytes()))
    )
    assert streamed.to_json()["top_k"] == from_file.to_json()["top_k"]
    assert streamed.to_json()["n"] == len(IMAGES)


@pytest.mark.parametrize(
    ("predictions", "stdin", "error"),
    [
        ("p.csv", io.BytesIO(b""), 'stdin is read only when predictions is "-"'),
        ("-", io.StringIO(""), "stdin: give a binary stream"),
        ("-", "p.csv", "stdin: str is not a binary stream"),
    ],
)
def test_a_stdin_that_cannot_be_read_is_refused(predictions, stdin, error) -> None:
    with pytest.raises(ZslError, match=error):
        api.EvaluateRequest(predictions, "truth", stdin=stdin)


def test_evaluate_reads_predictions_redirected_from_a_file(tmp_path: Path) -> None:
    # `zsl evaluate - < p.csv`: stdin is a file, which the CLI's stream read in place.
    predictions, truth = write_labelled(tmp_path, IMAGES)
    command = [sys.executable, "-m", "zsl_cli", "evaluate", "-", "--truth", str(truth), "--json"]
    with predictions.open("rb") as stdin:
        done = subprocess.run([*command, "-"], stdin=stdin, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with predictions.open("rb") as stdin:
        # The predictions file, read as stdin, is no output: refused as an input of the run.
        named = [*command, str(predictions)]
        refused = subprocess.run(named, stdin=stdin, capture_output=True, timeout=300)
    assert refused.returncode == 2
    assert b"is an input of this run" in refused.stderr, refused.stderr
    assert os.path.getsize(predictions) > 0
