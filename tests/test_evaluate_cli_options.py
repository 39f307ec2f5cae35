"""`zsl evaluate`'s options as the command line reads them: --top-k's list, --quiet, and where
the table goes and how much of it shows on a terminal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run, write_truth_and_predictions
from tests.terminal import pseudo_terminal, read_until_closed, terminal_env


def _top_ks(predictions: Path, truth: Path, *top_k: str) -> list[str]:
    """The k values of the --json document's top_k, in its order."""
    result = run("evaluate", predictions, "--truth", truth, *top_k, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    return list(json.loads(result.stdout)["top_k"])


def test_top_k_defaults_to_1_and_5(tmp_path):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    assert _top_ks(predictions, truth) == ["1", "5"]


@pytest.mark.parametrize("given", ["1,,3", "1,3,", ",1,3", "1, ,3"])
def test_top_k_skips_empty_items(tmp_path, given):
    # A doubled or trailing comma, as a shell variable joined with commas leaves, is no item.
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    assert _top_ks(predictions, truth, "--top-k", given) == ["1", "3"]


@pytest.mark.parametrize("given", ["", ",", " , ", "one", "1,x", "1.5", "1;5"])
def test_top_k_without_whole_numbers_is_one_line_and_exit_2(tmp_path, given):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    result = run("evaluate", predictions, "--truth", truth, "--top-k", given)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"zsl: error: --top-k '{given}': give comma-separated whole numbers, e.g. 1,5\n"
    )


def _with_an_unlabelled_row(tmp_path: Path) -> tuple[Path, Path]:
    """Truth of three images and predictions of them, one an ok row whose label was emptied
    (evaluate warns of it)."""
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    with open(truth, "a", encoding="utf-8") as rows:
        rows.write("2.png,cat\n")
    with open(predictions, "a", encoding="utf-8") as rows:
        rows.write("2.png,,,,,ok,\n")
    return truth, predictions


def test_warnings_go_to_stderr_once_and_quiet_keeps_only_the_table(tmp_path):
    truth, predictions = _with_an_unlabelled_row(tmp_path)
    warning = "1 image has status ok but no label"
    said = run("evaluate", predictions, "--truth", truth)
    assert said.exit_code == 0, said.stderr
    assert said.stderr.count(warning) == 1 and said.stderr.startswith("warning: ")
    assert warning not in said.stdout and "mean per-class" in said.stdout
    quiet = run("evaluate", predictions, "--truth", truth, "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == said.stdout  # the table is the output, not a summary
    # --json - -q: the JSON alone, which still lists the warning.
    document = run("evaluate", predictions, "--truth", truth, "--json", "-", "-q")
    assert document.exit_code == 0 and document.stderr == ""
    assert any(warning in line for line in json.loads(document.stdout)["warnings"])


def _class_rows(table: str) -> list[str]:
    """The table's rows of classes named 'class NN' (not its header, 'class  support ...')."""
    return [line for line in table.splitlines() if re.match(r"class \d\d ", line)]


def _many_classes(tmp_path: Path, count: int) -> tuple[Path, Path]:
    names = [f"class {i:02d}" for i in range(count)]
    return write_truth_and_predictions(tmp_path, names)


def _evaluate_on_a_terminal(predictions: Path, truth: Path, *extra: str) -> tuple[int, str, str]:
    """`zsl evaluate` with stdout on a terminal (a pty): its exit status, what the terminal
    showed and stderr."""
    command = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions), "--truth"]
    env = terminal_env(TERM="dumb", COLUMNS="120")
    with (
        pseudo_terminal() as (controller, terminal),
        subprocess.Popen(
            [*command, str(truth), *extra], stdout=terminal, stderr=subprocess.PIPE, env=env
        ) as shown,
    ):
        os.close(terminal)
        received = read_until_closed(controller, shown)
        stderr = shown.stderr.read().decode()
        status = shown.wait(timeout=300)
    return status, received.decode().replace("\r\n", "\n"), stderr


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_a_terminal_shows_the_20_worst_classes_a_pipe_all(tmp_path):
    truth, predictions = _many_classes(tmp_path, 25)
    status, shown, stderr = _evaluate_on_a_terminal(predictions, truth)
    assert status == 0, stderr
    rows = _class_rows(shown)
    assert len(rows) == 20, shown
    assert "... 5 more classes" in shown
    piped = run("evaluate", predictions, "--truth", truth)
    assert piped.exit_code == 0, piped.stderr
    rows = _class_rows(piped.stdout)
    assert len(rows) == 25 and "more class" not in piped.stdout


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_a_terminal_shows_every_class_of_20_or_fewer(tmp_path):
    truth, predictions = _many_classes(tmp_path, 20)
    status, shown, stderr = _evaluate_on_a_terminal(predictions, truth)
    assert status == 0, stderr
    assert len(_class_rows(shown)) == 20
    assert "more class" not in shown


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_quiet_predictions_typed_at_the_terminal_are_read_without_a_word(tmp_path):
    # Without -q, a line says that the predictions are read from the terminal; -q keeps stderr
    # for errors alone.
    import pty

    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "zsl_cli", "evaluate", "-", "--truth", str(truth), "-q"]
    with subprocess.Popen(
        command, stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
    ) as typed:
        os.close(terminal)
        for line in predictions.read_text().splitlines():
            os.write(controller, line.encode() + b"\n")
        os.write(controller, b"\x04")  # Ctrl-D at the start of a line: the end of the input
        stdout, stderr = typed.communicate(timeout=300)
    os.close(controller)
    assert typed.returncode == 0, stderr.decode()
    assert stderr == b""
    assert "mean per-class" in stdout.decode()
