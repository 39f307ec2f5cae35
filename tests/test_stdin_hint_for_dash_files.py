"""`--seen -` and `--truth -` are told to give /dev/stdin, as `-c -` is: only image paths read
'-' as stdin."""

from __future__ import annotations

import pytest

from tests.helpers import error_line, run, write_truth_and_predictions

HINT = "(to read it from stdin, give /dev/stdin)"


@pytest.fixture()
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where no file is named '-'
    return tmp_path


def test_seen_and_truth_dash_say_how_to_read_stdin(in_tmp):
    truth, predictions = write_truth_and_predictions(in_tmp, ["cat", "dog"])
    seen = run("evaluate", predictions, "--truth", truth, "--seen", "-")
    assert seen.exit_code == 2
    assert error_line(seen.stderr) == f"zsl: error: seen-class list not found: - {HINT}"
    from_dash = run("evaluate", predictions, "--truth", "-")
    assert from_dash.exit_code == 2
    assert error_line(from_dash.stderr) == f"zsl: error: ground truth not found: - {HINT}"
    classes = run("label", "-c", "-", "--show-prompts")
    assert error_line(classes.stderr) == f"zsl: error: class file not found: - {HINT}"
    # Another name not there keeps its own hint.
    other = run("evaluate", predictions, "--truth", "nowhere")
    assert "class-folder tree" in error_line(other.stderr)
