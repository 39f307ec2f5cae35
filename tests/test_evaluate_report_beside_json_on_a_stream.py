"""`zsl evaluate --json - --report R`: the report is written before the JSON goes into the
stream, as a lone output is, so a reader that leaves early (`| true`, `| head -1` on a large
document) loses the JSON's tail, not the report."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import write_truth_and_predictions

pytestmark = pytest.mark.skipif(os.name != "posix", reason="a closed pipe")


def zsl_args(tmp_path, json_out):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog", "bird"])
    return [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions), "--truth", str(truth),
            "--json", json_out, "--report", str(tmp_path / "r.html")]  # fmt: skip


def test_a_stdout_reader_gone_leaves_the_report_written(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    child = subprocess.Popen(
        zsl_args(tmp_path, "-"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    child.stdout.close()  # the reader is gone before the JSON is written: `| true`
    child.wait(timeout=300)
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
