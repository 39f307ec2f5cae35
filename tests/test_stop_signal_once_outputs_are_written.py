"""A stop signal (SIGTERM, SIGHUP, Ctrl-C) that comes once a run's outputs are all in place, as
they are moved there or while the summary or the tables are shown: the run says which of its
outputs are complete, and ends with its own exit status, or with 130 where its stdout output
(evaluate's and hubness's table) was not written in full. Also: evaluate's --json and --report
change together or not at all.

Each run is a real process (`zsl` as the program's entry point sets the signals up) with one
function patched to send the signal to the process itself, so that it lands in the window each
test is about."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import SHAPE_CLASSES, write_images, write_truth_and_predictions
from zsl_cli import api, files

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals to itself")

# `zsl` with `module.function` sending `signal` to its own process first, then doing its work.
SIGNALS_ITSELF = """
import importlib, os, signal, sys
module_name, function_name, number = sys.argv.pop(1), sys.argv.pop(1), int(sys.argv.pop(1))
module = importlib.import_module(module_name)
original = getattr(module, function_name)
def signalled(*args, **kwargs):
    os.kill(os.getpid(), number)
    return original(*args, **kwargs)
setattr(module, function_name, signalled)
from zsl_cli.cli import main
main()
"""


def zsl_signalled(
    cwd: Path, where: str, number: int, *args: object
) -> subprocess.CompletedProcess[str]:
    """`zsl ARGS` in `cwd`, sending itself signal `number` as `where` (module:function) is
    called; SIGINT at its default, as a terminal leaves it."""
    module, function = where.split(":")
    return subprocess.run(
        [sys.executable, "-c", SIGNALS_ITSELF, module, function, str(number), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "200"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def labelling(tmp_path: Path) -> None:
    write_images(tmp_path / "images", 6)
    (tmp_path / "classes.txt").write_text("\n".join(SHAPE_CLASSES) + "\n")


LABEL = ("label", "images", "-c", "classes.txt", "-m", "shapes-demo")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_label_summary_cut_short_ends_as_the_complete_run_it_was(tmp_path, number):
    labelling(tmp_path)
    done = zsl_signalled(
        tmp_path, "zsl_cli.summary:render_label_summary", number, *LABEL, "-o", "out.csv"
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == (
        "zsl: stopped by a signal before the summary was shown in full; the run is complete: "
        "Predictions: out.csv"
    )
    assert "interrupted" not in done.stderr and "Traceback" not in done.stderr
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 7
    assert json.loads((tmp_path / "out.csv.run.json").read_text())["complete"] is True


def test_label_to_stdout_cut_short_exits_as_complete(tmp_path):
    # For `-o -` the exit status is the only mark of a complete output.
    labelling(tmp_path)
    done = zsl_signalled(
        tmp_path, "zsl_cli.summary:render_label_summary", signal.SIGTERM, *LABEL, "-o", "-"
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 7
    assert done.stderr.splitlines()[-1].endswith("the run is complete: Predictions: stdout")


def test_label_signal_while_its_files_are_moved_into_place(tmp_path):
    # Held until the output, its run info and the Label Studio config are in place: then the
    # run is complete, and says so instead of its summary.
    labelling(tmp_path)
    done = zsl_signalled(
        tmp_path,
        "zsl_cli.files:_move_into_place",
        signal.SIGTERM,
        *LABEL,
        "-f",
        "label-studio",
        "--ls-document-root",
        ".",
        "-o",
        "tasks.json",
        "--ls-config",
        "config.xml",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == (
        "zsl: stopped by a signal before the summary was shown in full; the run is complete: "
        "Predictions: tasks.json, Label Studio config: config.xml"
    )
    assert "Labelled" not in done.stderr
    assert len(json.loads((tmp_path / "tasks.json").read_text())) == 6
    assert (tmp_path / "config.xml").exists()
    assert json.loads((tmp_path / "tasks.json.run.json").read_text())["complete"] is True


def test_label_none_labelled_keeps_its_exit_status_1(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "broken.png").write_bytes(b"not an image")
    (tmp_path / "classes.txt").write_text("\n".join(SHAPE_CLASSES) + "\n")
    done = zsl_signalled(
        tmp_path, "zsl_cli.summary:render_label_summary", signal.SIGTERM, *LABEL, "-o", "out.csv"
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1].endswith("the run is complete: Predictions: out.csv")


def evaluating(tmp_path: Path) -> tuple[str, ...]:
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog", "bird"])
    (tmp_path / "m.json").write_text('{"old": 1}\n')
    (tmp_path / "r.html").write_text("old\n")
    return ("evaluate", predictions.name, "--truth", truth.name)


def test_evaluate_table_cut_short_is_130_naming_the_complete_files(tmp_path):
    args = evaluating(tmp_path)
    done = zsl_signalled(
        tmp_path,
        "zsl_cli.summary:render_evaluation",
        signal.SIGTERM,
        *args,
        "--report",
        "r.html",
        "--json",
        "m.json",
    )
    assert done.returncode == 130, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1] == (
        "zsl: interrupted before the table was written in full; this run's --report r.html, "
        "--json m.json: complete"
    )
    assert json.loads((tmp_path / "m.json").read_text())["n"] == 3
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


def test_evaluate_ctrl_c_cutting_the_table_ends_by_sigint(tmp_path):
    # As every Ctrl-C that leaves status 130: killed by SIGINT, so that a shell stops its loop.
    args = evaluating(tmp_path)
    done = zsl_signalled(
        tmp_path, "zsl_cli.summary:render_evaluation", signal.SIGINT, *args, "--json", "m.json"
    )
    assert done.returncode == -signal.SIGINT, done.stderr
    assert done.stderr.splitlines()[-1].endswith("this run's --json m.json: complete")


def test_evaluate_with_its_json_on_stdout_exits_0_when_the_table_on_stderr_is_cut(tmp_path):
    args = evaluating(tmp_path)
    done = zsl_signalled(
        tmp_path, "zsl_cli.summary:render_evaluation", signal.SIGTERM, *args, "--json", "-"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["n"] == 3  # the whole document
    assert "the run is complete: --json -" in done.stderr.splitlines()[-1]


def test_evaluate_signal_between_report_and_json_changes_neither(tmp_path):
    args = evaluating(tmp_path)
    done = zsl_signalled(
        tmp_path,
        "zsl_cli.api:_write_json_if_asked",
        signal.SIGTERM,
        *args,
        "--report",
        "r.html",
        "--json",
        "m.json",
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1] == "zsl: interrupted"
    assert (tmp_path / "m.json").read_text() == '{"old": 1}\n'
    assert (tmp_path / "r.html").read_text() == "old\n"
    assert sorted(path.name for path in tmp_path.glob(".*")) == []


def test_evaluate_signal_while_the_files_are_moved_leaves_both_new(tmp_path):
    args = evaluating(tmp_path)
    done = zsl_signalled(
        tmp_path,
        "zsl_cli.files:_move_into_place",
        signal.SIGTERM,
        *args,
        "--report",
        "r.html",
        "--json",
        "m.json",
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1].endswith(
        "this run's --report r.html, --json m.json: complete"
    )
    assert json.loads((tmp_path / "m.json").read_text())["n"] == 3
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


def test_hubness_table_cut_short_names_its_json(tmp_path):
    labelling(tmp_path)
    done = zsl_signalled(
        tmp_path,
        "zsl_cli.summary:render_hubness",
        signal.SIGTERM,
        "hubness",
        "images",
        "-c",
        "classes.txt",
        "-m",
        "shapes-demo",
        "--json",
        "h.json",
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1] == (
        "zsl: interrupted before the table was written in full; this run's --json h.json: complete"
    )
    assert json.loads((tmp_path / "h.json").read_text())["n_images"] == 6


def test_library_evaluate_raises_with_its_result_once_both_files_are_in(tmp_path, monkeypatch):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog", "bird"])
    move = files._move_into_place

    def signalled(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return move(*args, **kwargs)

    monkeypatch.setattr(files, "_move_into_place", signalled)
    request = api.EvaluateRequest(
        predictions, truth, json_out=tmp_path / "m.json", report_out=tmp_path / "r.html"
    )
    with pytest.raises(api.InterruptedOnceWritten) as stop:
        api.evaluate(request)
    assert isinstance(stop.value, KeyboardInterrupt)
    result = stop.value.result
    assert isinstance(result, api.EvaluationResult) and result.n == 3
    assert json.loads((tmp_path / "m.json").read_text()) == json.loads(json.dumps(result.to_json()))
    assert (tmp_path / "r.html").exists()


def test_embed_summary_cut_short_names_the_store_and_export(tmp_path):
    labelling(tmp_path)
    done = zsl_signalled(
        tmp_path,
        "zsl_cli.summary:render_embed_summary",
        signal.SIGTERM,
        "embed",
        "images",
        "-s",
        "s.zsl",
        "-m",
        "shapes-demo",
        "--export",
        "e.npy",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == (
        "zsl: stopped by a signal before the summary was shown in full; the run is complete: "
        "store s.zsl, export e.npy, export e.npy.paths.csv"
    )
    assert len((tmp_path / "e.npy.paths.csv").read_text().splitlines()) == 7
