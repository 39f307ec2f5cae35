"""`zsl evaluate` and `zsl hubness` through the CLI on real files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.evaluation_helpers import label_folder
from tests.helpers import FOLDER_CLASSES, write_truth_and_predictions
from tests.hubness_helpers import reduce_whole
from zsl_cli.cli import app
from zsl_cli.evaluation import evaluate_files
from zsl_cli.readers import read_predictions
from zsl_cli.records import CSV_COLUMNS
from zsl_cli.report import render_html


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_evaluate_labels_against_an_image_folder(tiny_clip, image_folder, tmp_path):
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "predictions.jsonl", "-k", "0")
    metrics = tmp_path / "metrics.json"
    report = tmp_path / "report.html"
    result = run(
        "evaluate",
        predictions,
        "--truth",
        image_folder,
        "--seen",
        tmp_path / "seen.txt",
        "--top-k",
        "1,2",
        "--json",
        metrics,
        "--report",
        report,
    )
    assert result.exit_code == 0, result.stderr
    # The table is the command's output: on stdout, so that `> metrics.txt` keeps it.
    assert "mean per-class" in result.stdout and "GZSL" in result.stdout
    assert result.stderr == ""
    data = json.loads(metrics.read_text())
    assert data["n"] == 12 and data["n_classes"] == 3
    rows = [json.loads(line) for line in predictions.read_text().splitlines()]
    truth = [Path(r["path"]).parent.name for r in rows]
    expected_top1 = np.mean(
        [
            np.mean([r["label"] == c for r, t in zip(rows, truth, strict=True) if t == c])
            for c in FOLDER_CLASSES
        ]
    )
    assert data["top_k"]["1"]["mean_per_class"] == pytest.approx(expected_top1)
    assert set(data["gzsl"]) >= {"seen", "unseen", "harmonic_mean", "calibrated_stacking"}
    assert data["gzsl"]["calibrated_stacking"]["available"] is True
    assert report.read_text().lstrip().lower().startswith("<!doctype html")


def test_relative_paths_start_where_the_labelling_ran(tiny_clip, image_folder, tmp_path):
    # Labelled as `zsl label .` inside the set, evaluated from elsewhere against a CSV of
    # absolute paths: the run info says where the relative paths start.
    truth = tmp_path / "truth.csv"
    rows = [f"{p},{p.parent.name}" for p in sorted(image_folder.rglob("*.png"))]
    truth.write_text("path,label\n" + "\n".join(rows) + "\n")
    predictions = tmp_path / "p.csv"
    classes = tmp_path / "classes.txt"
    previous = os.getcwd()
    os.chdir(image_folder)
    try:
        labelled = run("label", ".", "-c", classes, "-m", tiny_clip, "-o", predictions, "-q")
    finally:
        os.chdir(previous)
    assert labelled.exit_code == 0, labelled.stderr
    assert not Path(read_predictions(predictions)[0].path).is_absolute()
    result = run("evaluate", predictions, "--truth", truth, "--json", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["n"] == 12
    # In a copy of the set, the paths are the copy's: they start in the current folder there.
    copy = shutil.copytree(image_folder, tmp_path / "copy")
    os.chdir(copy)
    try:
        result = run("evaluate", predictions, "--truth", ".", "--json", "-")
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["n"] == 12


def test_evaluate_json_to_stdout_and_report_checked_first(tiny_clip, image_folder, tmp_path):
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "predictions.csv")
    result = run("evaluate", predictions, "--truth", image_folder, "--json", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["n"] == 12
    assert "mean per-class" in result.stderr  # the table makes way for the JSON
    assert not Path("-").exists()
    # -q keeps stderr quiet, but the table is the output, not a summary.
    quiet = run("evaluate", predictions, "--truth", image_folder, "-q")
    assert "mean per-class" in quiet.stdout and quiet.stderr == ""
    quiet = run("evaluate", predictions, "--truth", image_folder, "--json", "-", "-q")
    assert json.loads(quiet.stdout)["n"] == 12 and quiet.stderr == ""
    metrics = tmp_path / "metrics.json"
    result = run(
        "evaluate",
        predictions,
        "--truth",
        image_folder,
        "--json",
        metrics,
        "--report",
        tmp_path / "r.pdf",
    )
    assert result.exit_code == 2 and "unknown report type '.pdf'" in result.stderr
    assert not metrics.exists()  # nothing written when the command is refused
    to_stdout = run("evaluate", predictions, "--truth", image_folder, "--report", "-")
    assert to_stdout.exit_code == 2
    assert "--report -: a report is a file, its type told by its name" in to_stdout.stderr


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "label-studio"])
def test_evaluate_reads_predictions_from_stdin(tiny_clip, image_folder, tmp_path, fmt):
    suffix = {"label-studio": "json"}.get(fmt, fmt)
    options = ["-f", fmt, "-k", "0"]
    if fmt == "label-studio":
        options += ["--ls-document-root", tmp_path]
    saved = label_folder(image_folder, tiny_clip, tmp_path / f"p.{suffix}", *options)
    from_file = run("evaluate", saved, "--truth", image_folder, "--json", "-", "-q")
    piped = CliRunner().invoke(
        app,
        ["evaluate", "-", "--truth", str(image_folder), "--json", "-", "-q"],
        input=saved.read_bytes(),
    )
    assert piped.exit_code == 0, piped.stderr
    expected, got = json.loads(from_file.stdout), json.loads(piped.stdout)
    assert got["n"] == expected["n"] == 12
    assert got["top_k"] == expected["top_k"] and got["per_class"] == expected["per_class"]


def test_predictions_typed_at_the_terminal_are_asked_for(image_folder):
    # `zsl evaluate -` at a terminal waited without a word, where `zsl label -` says it reads.
    import pty

    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "zsl_cli", "evaluate", "-", "--truth", str(image_folder)]
    with subprocess.Popen(command, stdin=terminal, stderr=subprocess.PIPE) as typed:
        os.close(terminal)
        os.write(controller, b"\x04")  # Ctrl-D at the start of a line: the end of the input
        stderr = typed.stderr.read().decode()
        assert typed.wait(timeout=300) == 2
    os.close(controller)
    assert stderr.startswith(
        "zsl: reading predictions from the terminal, as zsl label writes them; Ctrl-D ends them\n"
    )
    assert "no predictions to read" in stderr


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--truth", "NOTHERE"], "ground truth not found: NOTHERE"),
        (["--truth", "TRUTH", "--seen", "NOTHERE"], "seen-class list not found: NOTHERE"),
        (["--truth", "TRUTH", "--seen", "TRUTH"], "seen-class list is a directory: TRUTH"),
        (["--truth", "TRUTH", "-k", "0"], "--top-k '0': every k must be a whole number, 1 or more"),
        (["--truth", "TRUTH", "-k", "one"], "--top-k 'one': give comma-separated whole numbers"),
        (["--truth", "TRUTH", "--report", "r.txt"], "unknown report type '.txt'"),
        (
            ["--truth", "TRUTH", "--json", "r.html", "--report", "r.html"],
            "--json r.html and --report r.html are the same file",
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_an_error_of_the_command_line_is_said_before_predictions_are_typed(
    image_folder, tmp_path, args, error
):
    # It was said only after the predictions had been typed and Ctrl-D pressed; then after the
    # line saying they were read from the terminal, as if they were still wanted.
    import pty

    places = {"NOTHERE": str(tmp_path / "nothere"), "TRUTH": str(image_folder)}
    args = [places.get(arg, arg) for arg in args]
    error = error.replace("NOTHERE", places["NOTHERE"]).replace("TRUTH", places["TRUTH"])
    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "zsl_cli", "evaluate", "-", *args]
    with subprocess.Popen(command, stdin=terminal, stderr=subprocess.PIPE, cwd=tmp_path) as typed:
        os.close(terminal)
        try:
            stderr = typed.communicate(timeout=120)[1].decode()
        finally:
            typed.kill()
            os.close(controller)
    assert typed.returncode == 2, stderr
    assert stderr.startswith("zsl: error: ") and error in stderr, stderr
    assert stderr.count("\n") == 1, stderr  # the error alone: no "reading predictions" line


# `zsl label ... | zsl evaluate /dev/stdin`, with a writer that gives the predictions as label
# does, late (once evaluate waits on the pipe) and in parts, without a second process loading
# torch and a model (6 CPU-s).
SLOW_WRITER = """
import sys, time
data = open(sys.argv[1], "rb").read()
time.sleep(1)
for start in range(0, len(data), 500):
    sys.stdout.buffer.write(data[start : start + 500])
    sys.stdout.buffer.flush()
    time.sleep(0.1)
"""


def test_evaluate_reads_a_pipe(tiny_clip, image_folder, tmp_path):
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "p.jsonl")
    evaluate = [sys.executable, "-m", "zsl_cli", "evaluate", "/dev/stdin", "--truth"]
    evaluate += [str(image_folder), "--json", "-", "-q"]
    label = [sys.executable, "-c", SLOW_WRITER, str(predictions)]
    producer = subprocess.Popen(label, stdout=subprocess.PIPE)
    consumer = subprocess.run(evaluate, stdin=producer.stdout, capture_output=True, timeout=300)
    producer.stdout.close()
    assert producer.wait(timeout=300) == 0
    assert consumer.returncode == 0, consumer.stderr.decode()
    assert json.loads(consumer.stdout)["n"] == 12


def test_evaluate_reader_of_the_table_going_away(tiny_clip, image_folder, tmp_path):
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "predictions.csv")
    evaluate = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions)]
    with subprocess.Popen(
        [*evaluate, "--truth", str(image_folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as gone:
        gone.stdout.close()
        stderr = gone.stderr.read()
        assert gone.wait(timeout=300) == -signal.SIGPIPE and stderr == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_evaluate_table_that_cannot_be_written(tiny_clip, image_folder, tmp_path):
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "predictions.csv")
    evaluate = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions)]
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [*evaluate, "--truth", str(image_folder)], stdout=full, stderr=subprocess.PIPE
        )
    assert done.returncode == 2
    assert done.stderr.decode() == "zsl: error: cannot write to stdout: No space left on device\n"


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_evaluate_table_on_a_stdout_that_cannot_encode_the_class_names(tmp_path, encoding):
    # PYTHONIOENCODING=ascii, or a C or Latin-1 locale without UTF-8 mode: the table is written
    # with the names escaped, not lost to a UnicodeEncodeError.
    truth, predictions = write_truth_and_predictions(tmp_path, ["café", "日本", "green 🌲"])
    command = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions), "--truth", str(truth)]
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    done = subprocess.run(command, capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    table = done.stdout.decode(encoding)
    assert "\\u65e5\\u672c" in table and "green \\U0001f332" in table
    # é as a character (\u00e9), not as \xe9, which is how a byte that is not UTF-8 shows.
    assert ("caf\\u00e9" if encoding == "ascii" else "café") in table
    # Escaped names keep the table's columns in line.
    rows = [line for line in table.splitlines() if line.endswith("100.0%  1.000")]
    assert len(rows) == 3 and len({len(row) for row in rows}) == 1


def test_report_table_with_stdout_closed(tmp_path):
    # `zsl evaluate ... >&-`: the table has nowhere to go. It ended in an AttributeError
    # traceback, exit 1, after writing --json; now one line and exit 2 before any work, as
    # `zsl label` does for its predictions.
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    metrics = tmp_path / "metrics.json"
    command = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions), "--truth", str(truth)]
    for extra in ([], ["--json", str(metrics)]):
        done = subprocess.run(
            [*command, *extra], stderr=subprocess.PIPE, timeout=300, preexec_fn=lambda: os.close(1)
        )
        assert done.returncode == 2
        assert done.stderr.decode().startswith("zsl: error: stdout is closed"), done.stderr
    assert not metrics.exists()
    # With --json - the JSON's own stdout is closed; the table would go to stderr.
    done = subprocess.run(
        [*command, "--json", "-"], stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1)
    )
    assert done.returncode == 2 and b"Traceback" not in done.stderr


def test_evaluate_user_errors(tmp_path):
    (tmp_path / "p.csv").write_text("path,label,score,top_k_labels,top_k_scores,status,error\n")
    result = run("evaluate", tmp_path / "p.csv", "--truth", tmp_path / "missing")
    assert result.exit_code == 2 and result.stderr.startswith("zsl: error: ")
    result = run("evaluate", tmp_path / "p.csv", "--truth", tmp_path, "--top-k", "x")
    assert result.exit_code == 2
    # A k below 1 is refused before the predictions and the truth are read.
    result = run("evaluate", tmp_path / "missing.csv", "--truth", tmp_path / "missing", "-k", "5,0")
    assert result.exit_code == 2
    assert result.stderr == "zsl: error: --top-k '5,0': every k must be a whole number, 1 or more\n"


def test_evaluate_writes_every_class_row_to_a_file(tmp_path):
    names = [f"class {i:02d}" for i in range(25)]
    (tmp_path / "truth.csv").write_text(
        "path,label\n" + "".join(f"{i}.png,{name}\n" for i, name in enumerate(names))
    )
    (tmp_path / "p.csv").write_text(
        "path,label,score,top_k_labels,top_k_scores,status,error\n"
        + "".join(f"{i}.png,{name},0.9,{name},0.9,ok,\n" for i, name in enumerate(names))
    )
    result = run("evaluate", tmp_path / "p.csv", "--truth", tmp_path / "truth.csv")
    assert result.exit_code == 0, result.stderr
    assert all(name in result.stdout for name in names) and "more classes" not in result.stdout


def test_evaluate_refuses_to_write_over_the_run_info_of_linked_predictions(tmp_path):
    # latest.csv -> runs/r1.csv: the run info read is runs/r1.csv.run.json, next to the target;
    # only latest.csv.run.json was guarded, and --json overwrote the predictions' run info.
    truth, _ = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    runs = tmp_path / "runs"
    runs.mkdir()
    (tmp_path / "p.csv").rename(runs / "r1.csv")
    run_info = runs / "r1.csv.run.json"
    run_info.write_text('{"classes": {"names": ["cat", "dog"]}}')
    latest = tmp_path / "latest.csv"
    latest.symlink_to(runs / "r1.csv")
    result = run("evaluate", latest, "--truth", truth, "--json", run_info)
    assert result.exit_code == 2 and "is an input of this run" in result.stderr, result.stderr
    assert run_info.read_text() == '{"classes": {"names": ["cat", "dog"]}}'


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "out.txt"])
def test_evaluate_json_into_what_stdout_writes_moves_the_table_to_stderr(tmp_path, name):
    # `--json /dev/stdout > out.txt`: the table went to stdout too, and the two overwrote each
    # other in out.txt; as with --json -, the table makes way for the JSON.
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    out = tmp_path / "out.txt"
    command = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions), "--truth", str(truth)]
    with open(out, "wb") as stdout:
        done = subprocess.run(
            [*command, "--json", name], stdout=stdout, stderr=subprocess.PIPE, cwd=tmp_path
        )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["n"] == 2
    assert b"mean per-class" in done.stderr


def test_evaluate_skips_blank_lines_in_a_predictions_csv(tmp_path):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    rows = predictions.read_text().splitlines(keepends=True)
    predictions.write_text(rows[0] + rows[1] + "\n" + rows[2] + "\n\n")  # as an editor leaves
    result = run("evaluate", predictions, "--truth", truth, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["n"] == 2
    # Rows of empty cells, as a spreadsheet saves rows it once used: one was a prediction of
    # no image ("1 prediction without truth", shown as nothing), two the same one twice.
    predictions.write_text("\r\n".join([*(row.strip() for row in rows), ",,,,,,", ",,,,,,", ""]))
    result = run("evaluate", predictions, "--truth", truth, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == 2 and data["unmatched"]["predictions"]["count"] == 0
    # The blank lines still count for the line an error names.
    predictions.write_text(rows[0] + "\r\n" + rows[1] + "\r\n" + "2.png,cat\r\n")
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2
    assert result.stderr == f"zsl: error: {predictions}: line 5: expected 7 columns, found 2\n"


def test_evaluate_scores_the_rows_before_a_cut_last_line_and_warns_once(tmp_path):
    # `zsl label ... | head -c N > p.csv`, or a run killed mid-write: evaluate refused the
    # whole file for its last line ("line 4: expected 7 columns, found 3").
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "café", "crème_brûlée"])
    predictions.write_bytes(predictions.read_bytes()[:-15])
    metrics = tmp_path / "metrics.json"
    result = run("evaluate", predictions, "--truth", truth, "--json", metrics)
    assert result.exit_code == 0, result.stderr
    warning = (
        f"{predictions}: line 4: the last line is cut short (the file ends inside it: a "
        "labelling run stopped while writing, or a copy cut off); that prediction is left out"
    )
    assert result.stderr == f"warning: {warning}\n"
    data = json.loads(metrics.read_text())
    assert data["n"] == 2 and data["unmatched"]["truth"]["count"] == 1
    assert data["warnings"] == [warning]


def test_evaluate_refuses_predictions_saved_in_a_legacy_code_page_in_one_line(tmp_path):
    # Saved by Excel on Windows as "CSV (Comma delimited)", in cp1252: the label caf\xe9 never
    # matched the truth's café, and the class was scored 0% without a word.
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "café"])
    predictions.write_bytes(predictions.read_text().replace("\n", "\r\n").encode("cp1252"))
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: {predictions}: line 3: the class 'caf\\xe9' is not UTF-8 text: the file "
        'was saved in another encoding since; save it as UTF-8 (in Excel: "CSV UTF-8")\n'
    )


@pytest.mark.parametrize(
    ("truth_csv", "message"),
    [
        ("path,label,label\n0.png,cat,dog\n", "line 1: the header has more than one 'label'"),
        ("Path,label,path \n0.png,cat,1.png\n", "line 1: the header has more than one 'path'"),
        ("image,file_name,class\n0.png,0.png,cat\n", "line 1: the columns image, file_name could"),
        # An unquoted comma in a path: the label would be read from the wrong cell.
        ("path,label\n0.png,cat\n1,b.png,dog\n", "line 3: 3 cells, more than the header's 2"),
        ("Pfad;Klasse\n0.png;cat\n", "(found: Pfad;Klasse) (its columns, Pfad, Klasse, are read"),
    ],
)
def test_evaluate_refuses_an_ambiguous_truth_csv(tmp_path, truth_csv, message):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    truth.write_text(truth_csv)
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2
    assert result.stderr.startswith("zsl: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_evaluate_reads_truth_and_predictions_as_spreadsheets_and_pandas_save_them(tmp_path):
    # A truth CSV from Excel in a locale whose decimal mark is ',' ("CSV UTF-8", ';', its own
    # column names), and predictions edited in pandas (a label cleared: null): both were refused.
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    truth.write_bytes(b"\xef\xbb\xbfImage;Class;Confidence\r\n0.png;cat;0,5\r\n1.png;dog;1\r\n")
    edited = tmp_path / "p.jsonl"
    edited.write_text(
        '{"path":"0.png","label":null,"score":0.9,"top_k":[{"label":"cat","score":0.9}],'
        '"status":"ok","error":""}\n'
        '{"path":"1.png","label":"dog","score":0.9,"top_k":null,"status":"ok","error":null}\n'
    )
    result = run("evaluate", edited, "--truth", truth, "-k", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("warning: 1 image has status ok but no label (e.g. '")
    assert result.stderr.count("\n") == 1
    assert "overall 50.0%" in result.stdout


def test_png_report_names_characters_missing_from_the_font_once(tmp_path):
    pytest.importorskip("matplotlib")
    truth, predictions = write_truth_and_predictions(tmp_path, ["猫", "犬", "bird"])
    report = tmp_path / "r.png"
    evaluate = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions), "--truth"]
    evaluate += [str(truth), "--report", str(report)]
    done = subprocess.run(evaluate, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert report.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # One line of zsl's, not matplotlib's warnings with their source lines, once per drawing.
    assert "UserWarning" not in done.stderr and "Glyph" not in done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        f"warning: report {report}: 2 characters of the class names are missing from the font "
        "and shown as boxes (an .html report shows them)"
    ]
    quiet = subprocess.run([*evaluate, "-q"], capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    assert "warning" not in quiet.stderr and "Glyph" not in quiet.stderr


def test_what_matplotlib_logs_on_import_is_a_warning_that_quiet_silences(tmp_path):
    pytest.importorskip("matplotlib")
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    report = tmp_path / "r.png"
    (tmp_path / "a-file").write_text("")
    # A config folder matplotlib cannot make (as under a read-only HOME): it logs two lines.
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "a-file" / "matplotlib")}
    evaluate = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions), "--truth"]
    evaluate += [str(truth), "--report", str(report)]
    done = subprocess.run(evaluate, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert report.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    logged = [line for line in done.stderr.splitlines() if "matplotlib" in line.lower()]
    assert logged and all(
        line.startswith(f"warning: report {report}: matplotlib: ") for line in logged
    ), done.stderr
    quiet = subprocess.run([*evaluate, "-q"], capture_output=True, text=True, timeout=300, env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""


def test_a_matplotlib_that_fails_to_import_is_one_line_not_a_traceback(tmp_path):
    pytest.importorskip("matplotlib")
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    env = {**os.environ, "MPLBACKEND": "no-such-backend"}
    evaluate = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions), "--truth"]
    evaluate += [str(truth), "--report", str(tmp_path / "r.png")]
    done = subprocess.run(evaluate, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("zsl: error: matplotlib cannot be imported (")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_hubness_compares_methods_with_accuracy(tiny_clip, image_folder, tmp_path):
    out = tmp_path / "hubness.json"
    result = run(
        "hubness",
        image_folder,
        "-c",
        tmp_path / "classes.txt",
        "-m",
        tiny_clip,
        "-k",
        "1",
        "--truth",
        image_folder,
        "--seen",
        tmp_path / "seen.txt",
        "--json",
        out,
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["k"] == 1 and data["n_images"] == 12 and data["n_classes"] == 3
    assert set(data["methods"]) == {"none", "csls", "isoftmax", "centering", "mp"}
    for method in data["methods"].values():
        assert {"skewness", "hub_occupancy", "antihub_rate", "robin_hood", "top_hubs"} <= set(
            method
        )
        assert "unseen_mean_per_class" in method["accuracy"]
    assert data["recommendation"] and "skewness" in result.stdout.lower()
    # k beyond the classes less one is clipped, and the table says so.
    classes = ("-c", tmp_path / "classes.txt", "-m", tiny_clip)
    clipped = run("hubness", image_folder, *classes, "-k", "10")
    assert clipped.exit_code == 0, clipped.stderr
    assert "(k = 2, not 10: at most the number of classes less one)" in clipped.stdout
    # The default over 3 classes: a quarter of them, at least 1.
    default = run("hubness", image_folder, *classes)
    assert default.exit_code == 0, default.stderr
    assert "(k = 1, a quarter of the classes: the default under 40 classes)" in default.stdout
    quiet = run("hubness", image_folder, "-c", tmp_path / "classes.txt", "-m", tiny_clip, "-q")
    assert "skewness" in quiet.stdout and quiet.stderr == ""
    none = run("hubness", image_folder, "-c", tmp_path / "classes.txt", "--methods", " , ")
    assert none.exit_code == 2 and "no hubness methods given" in none.stderr
    # An unknown method is named with its option and the choices it has, 'all' among them.
    typo = run("hubness", image_folder, "-c", tmp_path / "classes.txt", "--methods", "none,cls")
    assert typo.exit_code == 2
    assert typo.stderr == (
        "zsl: error: --methods 'cls': choose from none, csls, isoftmax, centering and mp, or all\n"
    )
    typo = run("label", image_folder, "-c", tmp_path / "classes.txt", "--hubness-reduction", "all")
    assert typo.exit_code == 2
    assert typo.stderr == (
        "zsl: error: --hubness-reduction 'all': choose none, csls, isoftmax, centering or mp\n"
    )


def test_hubness_warns_of_classes_the_model_cannot_tell_apart(tiny_clip, image_folder, tmp_path):
    # The same prompt under two names: the first takes every k-occurrence, the other is an
    # antihub whatever the images, as label warns.
    classes = tmp_path / "same.txt"
    classes.write_text("cat\nkitty: a photo of a CAT.\ndog\n")
    out = tmp_path / "hubness.json"
    result = run("hubness", image_folder, "-c", classes, "-m", tiny_clip, "-k", "1", "--json", out)
    assert result.exit_code == 0, result.stderr
    warning = "the model cannot tell 'cat' and 'kitty' apart"
    assert f"warning: {warning}" in result.stderr
    assert any(warning in line for line in json.loads(out.read_text())["warnings"])


def test_hubness_takes_the_attribute_and_description_templates_label_takes(
    tiny_clip, image_folder, tmp_path
):
    """hubness measures the prompts label would score, so it takes the same prompt options;
    its error for --templates that no class uses names them."""
    attributes = tmp_path / "attributes.csv"
    attributes.write_text("class,furry,feathered\ncat,1,0\ndog,1,0.5\nbird,0,1\n")
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(json.dumps({c: [f"{c} features"] for c in FOLDER_CLASSES}))
    base = ["hubness", image_folder, "-m", tiny_clip, "-k", "1", "-q"]
    custom = run(*base, "--attributes", attributes, "--attribute-template", "a {} animal")
    assert custom.exit_code == 0, custom.stderr
    described = run(*base, "--descriptions", descriptions, "--description-template", "{}: {}")
    assert described.exit_code == 0, described.stderr
    bad = run(*base, "--attributes", attributes, "--attribute-template", "no placeholder")
    assert bad.exit_code == 2 and "--attribute-template" in bad.stderr
    unused = run(*base, "-c", tmp_path / "classes.txt", "--description-template", "{}: {}")
    assert unused.exit_code == 2 and "--description-template" in unused.stderr
    templates = run(*base, "--attributes", attributes, "-t", "imagenet7")
    assert templates.exit_code == 2 and "--attribute-template" in templates.stderr
    assert "--attribute-template" in run("hubness", "--help").stdout


def test_hubness_accuracy_counts_truth_classes_outside_the_list_as_evaluate_does(
    tiny_clip, image_folder, tmp_path
):
    two = tmp_path / "two.txt"
    two.write_text("cat\ndog\n")  # bird images have a truth class no label can give
    out = tmp_path / "h.json"
    common = ["-c", two, "-m", tiny_clip, "--truth", image_folder, "--seen", tmp_path / "seen.txt"]
    result = run("hubness", image_folder, *common, "-k", "1", "--methods", "none", "--json", out)
    assert result.exit_code == 0, result.stderr
    assert "truth classes not in the class list count as wrong" in result.stderr
    assert "bird" in result.stderr
    hubness = json.loads(out.read_text())
    assert hubness["truth_classes_not_listed"] == ["bird"] and hubness["images_with_truth"] == 12
    predictions = tmp_path / "p.jsonl"
    labelled = run("label", image_folder, "-c", two, "-m", tiny_clip, "-o", predictions, "-q")
    assert labelled.exit_code == 0, labelled.stderr
    evaluated = run("evaluate", predictions, "--truth", image_folder, "--json", "-", "-q")
    top1 = json.loads(evaluated.stdout)["top_k"]["1"]
    accuracy = hubness["methods"]["none"]["accuracy"]
    assert accuracy["mean_per_class"] == pytest.approx(top1["mean_per_class"])
    assert accuracy["overall"] == pytest.approx(top1["overall"])
    assert accuracy["unseen_mean_per_class"] == 0.0  # bird, the unseen class, is never labelled
    # A seen list may name such a class, as evaluate's may.
    seen = tmp_path / "seen_bird.txt"
    seen.write_text("cat\nbird\n")
    common[-1] = seen
    result = run("hubness", image_folder, *common, "-k", "1", "--methods", "none", "--json", out)
    assert result.exit_code == 0, result.stderr
    evaluated = run("evaluate", predictions, "--truth", image_folder, "--seen", seen, "--json", "-")
    gzsl = json.loads(evaluated.stdout)["gzsl"]
    accuracy = json.loads(out.read_text())["methods"]["none"]["accuracy"]
    assert accuracy["unseen_mean_per_class"] == pytest.approx(gzsl["unseen"])  # dog alone
    # A class neither listed nor in the truth (a dataset's whole seen list, with a few classes
    # tried) changes nothing: a warning, as evaluate gives, where hubness stopped.
    seen.write_text("cat\nbird\nfox\n")
    result = run("hubness", image_folder, *common, "-k", "1", "--methods", "none", "--json", out)
    assert result.exit_code == 0, result.stderr
    assert "1 seen class is neither in the truth nor among the listed classes: fox" in result.stderr
    assert json.loads(out.read_text())["methods"]["none"]["accuracy"] == accuracy
    evaluated = run("evaluate", predictions, "--truth", image_folder, "--seen", seen)
    assert "1 seen class is neither in the truth nor among the run's classes: fox" in (
        evaluated.stderr
    )
    # A seen list of every class left no unseen accuracy: its column went without a word.
    seen.write_text("cat\ndog\nbird\n")
    result = run("hubness", image_folder, *common, "-k", "1", "--methods", "none", "--json", out)
    assert result.exit_code == 0, result.stderr
    assert "unseen_mean_per_class" not in json.loads(out.read_text())["methods"]["none"]["accuracy"]
    assert "no image's truth class is unseen" in result.stderr


def test_hubness_truth_that_names_no_listed_class_is_an_error(tiny_clip, image_folder, tmp_path):
    truth = tmp_path / "truth.csv"
    rows = [f"{p},{p.parent.name.title()}" for p in sorted(image_folder.rglob("*.png"))]
    truth.write_text("path,label\n" + "\n".join(rows) + "\n")
    result = run(
        "hubness", image_folder, "-c", tmp_path / "classes.txt", "-m", tiny_clip, "--truth", truth
    )
    assert result.exit_code == 2, result.stderr
    assert "no image of this run has a truth class in the class list" in result.stderr
    assert "their truth classes: Bird, Cat, Dog" in result.stderr
    # Of this run's images: the truth folder holds listed classes, the images given do not.
    (tmp_path / "two.txt").write_text("cat\ndog\n")
    common = ["-c", tmp_path / "two.txt", "-m", tiny_clip, "--truth", image_folder]
    result = run("hubness", image_folder / "bird", *common)
    assert result.exit_code == 2, result.stderr
    assert "no image of this run has a truth class in the class list" in result.stderr
    assert "(their truth classes: bird; classes: cat, dog)" in result.stderr
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("path,label\n/nowhere/a.png,cat\n")
    common = ["-c", tmp_path / "classes.txt", "-m", tiny_clip, "--truth", elsewhere]
    result = run("hubness", image_folder, *common)
    assert result.exit_code == 2, result.stderr
    assert "no image of this run is in the truth" in result.stderr


def test_hubness_counts_unreadable_images_wrong_as_evaluate_does(tiny_clip, image_folder, tmp_path):
    (image_folder / "cat" / "broken.png").write_bytes(b"not an image")
    classes = tmp_path / "classes.txt"
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "p.jsonl", "-k", "0")
    evaluated = run("evaluate", predictions, "--truth", image_folder, "-k", "1", "--json", "-")
    top1 = json.loads(evaluated.stdout)["top_k"]["1"]
    common = ["-c", classes, "-m", tiny_clip, "--truth", image_folder, "--methods", "none"]
    result = run("hubness", image_folder, *common, "-k", "1", "--json", tmp_path / "h.json")
    assert result.exit_code == 0, result.stderr
    hubness = json.loads((tmp_path / "h.json").read_text())
    assert hubness["n_images"] == 12 and hubness["images_with_truth"] == 13
    assert hubness["failed_images_with_truth"] == 1
    accuracy = hubness["methods"]["none"]["accuracy"]
    assert accuracy["mean_per_class"] == pytest.approx(top1["mean_per_class"])
    assert accuracy["overall"] == pytest.approx(top1["overall"])
    assert "over the 13 images in the truth (1 failed, counted wrong)" in result.stdout
    assert "1 image failed: not_an_image 1" in result.stdout
    assert hubness["failed_by_status"] == {"not_an_image": 1}


def test_hubness_from_a_store_matches_hubness_from_images(tiny_clip, image_folder, tmp_path):
    store = tmp_path / "set.zsl"
    assert run("embed", image_folder, "--store", store, "-m", tiny_clip, "-q").exit_code == 0
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    common = ["-c", tmp_path / "classes.txt", "-m", tiny_clip, "-k", "1", "-q"]
    assert run("hubness", image_folder, *common, "--json", a).exit_code == 0
    assert run("hubness", "--embeddings", store, *common, "--json", b).exit_code == 0
    first, second = json.loads(a.read_text()), json.loads(b.read_text())
    for name in first["methods"]:
        assert first["methods"][name]["skewness"] == pytest.approx(
            second["methods"][name]["skewness"], abs=1e-6
        )


def test_label_with_hubness_reduction(tiny_clip, image_folder, tmp_path, monkeypatch):
    from zsl_cli import api

    # The run's own similarities, kept as they go by, give each method's expected rankings.
    kept = []
    original = api.similarity_matrix
    monkeypatch.setattr(api, "similarity_matrix", lambda *a: kept.append(original(*a)) or kept[-1])
    broken = image_folder / "dog" / "img_001b.png"  # between two good images
    broken.write_bytes(b"not a png")
    rankings = {}
    for method in ("none", "csls", "centering", "isoftmax", "mp"):
        result = run(
            "label",
            image_folder,
            "-c",
            tmp_path / "classes.txt",
            "-m",
            tiny_clip,
            "--hubness-reduction",
            method,
            "-k",
            "0",
            "-f",
            "jsonl",
            "-q",
        )
        assert result.exit_code == 0, result.stderr
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        failed = [(r["path"], r["status"]) for r in rows if r["status"] != "ok"]
        assert failed == [(str(broken), "not_an_image")]  # in its place, as without reduction
        assert rows[10]["path"] == str(broken)  # after bird/*, cat/*, dog/img_00[01].png
        rows = [r for r in rows if r["status"] == "ok"]
        assert len(rows) == 12 and all(r["label"] in FOLDER_CLASSES for r in rows)
        assert all(0 <= r["score"] <= 1 for r in rows)
        rankings[method] = [[e["label"] for e in r["top_k"]] for r in rows]
        if method != "none":
            reduced = reduce_whole(kept[-1], method)
            expected = np.argsort(-reduced, axis=1, kind="stable")
            ranked = [[FOLDER_CLASSES[c] for c in row] for row in expected]
            assert rankings[method] == ranked, method
    # The images are such that every reduction changes some ranking: the check above can fail.
    assert all(rankings[method] != rankings["none"] for method in rankings if method != "none")
    # With no readable image there is no reference set: an error, and no half document.
    (tmp_path / "broken").mkdir()
    for name in ("a.png", "b.png"):  # two inputs: refused only once they turn out unreadable
        (tmp_path / "broken" / name).write_bytes(b"not a png")
    refused = run(
        "label",
        tmp_path / "broken",
        "-c",
        tmp_path / "classes.txt",
        "-m",
        tiny_clip,
        "--hubness-reduction",
        "csls",
        "-f",
        "json",
    )
    assert refused.exit_code == 2 and "needs the similarities" in refused.stderr
    assert refused.stdout == ""


def test_hubness_truth_and_seen_spelled_decomposed_match_composed_class_names(
    tiny_clip, image_folder, tmp_path
):
    # A truth made on macOS spells café decomposed; classes.txt spells it composed.
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    classes, seen, truth = tmp_path / "c.txt", tmp_path / "s.txt", tmp_path / "truth.csv"
    classes.write_text(f"cat\ndog\n{composed}\n")
    seen.write_text(f"cat\n{decomposed}\n")
    spelled = {"cat": "cat", "dog": "dog", "bird": decomposed}
    rows = [f"{p},{spelled[p.parent.name]}" for p in sorted(image_folder.rglob("*.png"))]
    truth.write_text("path,label\n" + "\n".join(rows) + "\n")
    out = tmp_path / "h.json"
    common = ["-c", classes, "-m", tiny_clip, "--truth", truth, "--seen", seen, "--json", out]
    result = run("hubness", image_folder, *common, "-k", "1", "--methods", "none")
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["truth_classes_not_listed"] == [] and data["images_with_truth"] == 12


def test_evaluate_never_rounds_a_mistake_away(tmp_path):
    # One mistake in 2,000 images: 99.95% must not read as a perfect 100.0%, nor its F1 as 1.000.
    n = 2000
    (tmp_path / "truth.csv").write_text(
        "path,label\n" + "".join(f"{i}.png,{'cat' if i < n // 2 else 'dog'}\n" for i in range(n))
    )
    rows = []
    for i in range(n):
        label = "cat" if i < n // 2 or i == n - 1 else "dog"
        other = "dog" if label == "cat" else "cat"
        rows.append(f"{i}.png,{label},0.9,{label}|{other},0.9|0.1,ok,\n")
    (tmp_path / "p.csv").write_text(",".join(CSV_COLUMNS) + "\n" + "".join(rows))
    result = run("evaluate", tmp_path / "p.csv", "--truth", tmp_path / "truth.csv", "-k", "1")
    assert result.exit_code == 0, result.stderr
    assert "top-1: mean per-class 99.9%, overall 99.9%" in result.stdout
    assert "100.0%" in result.stdout  # dog's precision and cat's accuracy are perfect
    assert "1.000" not in result.stdout and "macro F1: 0.999" in result.stdout


def test_evaluate_never_rounds_the_seen_unseen_curve_up_to_perfect(tmp_path):
    # One unreadable image of 2,500 unseen ones: the curve's area is 0.9996, not a perfect 1.000.
    n = 2500
    (tmp_path / "truth.csv").write_text(
        "path,label\n0.png,cat\n" + "".join(f"{i}.png,dog\n" for i in range(1, n + 1))
    )
    rows = ["0.png,cat,0.9,cat|dog,0.9|0.1,ok,\n"]
    rows += [f"{i}.png,dog,0.9,dog|cat,0.9|0.1,ok,\n" for i in range(1, n)]
    rows.append(f"{n}.png,,,,,unreadable,cannot read\n")
    (tmp_path / "p.csv").write_text(",".join(CSV_COLUMNS) + "\n" + "".join(rows))
    (tmp_path / "seen.txt").write_text("cat\n")
    common = ["--truth", tmp_path / "truth.csv", "--seen", tmp_path / "seen.txt", "-k", "1"]
    result = run("evaluate", tmp_path / "p.csv", *common)
    assert result.exit_code == 0, result.stderr
    assert "unseen 99.9%, H 99.9%; AUSUC 0.999\n" in result.stdout
    # The report shows four digits: 0.99996 is not 1.0000 there either.
    evaluated = evaluate_files(
        tmp_path / "p.csv", tmp_path / "truth.csv", ks=(1,), seen_path=common[3]
    )
    assert evaluated.gzsl is not None and evaluated.gzsl.calibrated is not None
    calibrated = replace(evaluated.gzsl.calibrated, ausuc=0.99996)
    page = render_html(replace(evaluated, gzsl=replace(evaluated.gzsl, calibrated=calibrated)))
    assert "AUSUC</td><td class='name'>0.9999</td>" in page


def test_evaluate_counts_one_image_and_one_class_in_the_singular(tmp_path):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat"])
    result = run("evaluate", predictions, "--truth", truth, "-k", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Evaluated 1 image over 1 class (0 failed, 0 abstained)\n")


def test_hubness_table_on_a_narrow_terminal_wraps_class_names_only(
    tiny_clip, image_folder, tmp_path
):
    import io

    from rich.console import Console

    from zsl_cli import api
    from zsl_cli.summary import render_hubness

    report = api.hubness(
        api.HubnessRequest(
            inputs=api.InputOptions(paths=(str(image_folder),)),
            classes=api.ClassOptions(classes=str(tmp_path / "classes.txt")),
            model=api.ModelOptions(name=str(tiny_clip)),
            truth=image_folder,
            seen=str(tmp_path / "seen.txt"),
        )
    )
    for width in (80, 72):
        stream = io.StringIO()
        render_hubness(Console(file=stream, width=width, markup=False, emoji=False), report)
        table = stream.getvalue()
        # Numbers, method names and header words stay whole; only the class names may fold.
        assert "…" not in table, table
        assert "occupancy" in table and "isoftmax" in table and "centering" in table
        for method in report.methods.values():
            assert f"{method.skewness:.2f}" in table


def test_json_output_named_as_a_folder_is_refused(tiny_clip, image_folder, tmp_path):
    """`--json out/` means a folder: writing a file named `out` would surprise."""
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    classes = tmp_path / "classes.txt"
    commands = [
        ["evaluate", predictions, "--truth", truth],
        ["hubness", image_folder, "-c", classes, "-m", tiny_clip, "-q"],
        ["embed", image_folder, "-m", tiny_clip, "--store", tmp_path / "s.zsl", "-q"],
    ]
    for command in commands:
        result = run(*command, "--json", f"{tmp_path}/out/")
        assert result.exit_code == 2 and "names a folder" in result.stderr, result.stderr
        assert not (tmp_path / "out").exists()


def _unstamped(document: str) -> dict:
    """A hubness --json document without its run's start time."""
    parsed = json.loads(document)
    del parsed["run"]["started_at"]
    return parsed


def test_repeated_list_options_add_up(tiny_clip, image_folder, tmp_path):
    # -k and --methods take comma-separated lists; repeating the option adds to the list, as
    # `-k 1 -k 2` reads, where keeping only the last would drop a metric asked for.
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "p.jsonl", "-k", "0")
    evaluate = ["evaluate", predictions, "--truth", image_folder, "--json", "-", "-q"]
    repeated, joined = run(*evaluate, "-k", "1", "-k", "2"), run(*evaluate, "-k", "1,2")
    assert repeated.exit_code == 0, repeated.stderr
    assert repeated.stdout == joined.stdout
    assert list(json.loads(repeated.stdout)["top_k"]) == ["1", "2"]

    hubness = ["hubness", image_folder, "-c", image_folder.parent / "classes.txt"]
    hubness += ["-m", tiny_clip, "-k", "1", "--json", "-", "-q"]
    repeated = run(*hubness, "--methods", "none", "--methods", "csls")
    joined = run(*hubness, "--methods", "none,csls")
    assert repeated.exit_code == 0, repeated.stderr
    methods = list(json.loads(repeated.stdout)["methods"])
    # The two runs differ only in when they started (the run info's started_at).
    assert methods == ["none", "csls"] and _unstamped(repeated.stdout) == _unstamped(joined.stdout)
    # The help says "[default: all]": so is `--methods all`, which was an unknown method.
    every, default = run(*hubness, "--methods", "all"), run(*hubness)
    assert every.exit_code == 0, every.stderr
    assert list(json.loads(every.stdout)["methods"]) == list(json.loads(default.stdout)["methods"])
    # Among others (or spelled with a space or a trailing comma), 'all' is still every method.
    for methods in (["all,csls"], ["none", "all"], [" all,"]):
        mixed = run(*hubness, *(f"--methods={m}" for m in methods))
        assert mixed.exit_code == 0, mixed.stderr
        assert _unstamped(mixed.stdout) == _unstamped(every.stdout)


def test_hubness_truth_folder_a_level_above_its_classes_is_said(tiny_clip, image_folder, tmp_path):
    # --truth of the folder that holds set/cat/...: every image's truth class is 'set'. evaluate
    # says where the class folders are; hubness said only that no truth class is listed.
    common = ["-c", tmp_path / "classes.txt", "-m", tiny_clip, "--truth", tmp_path]
    result = run("hubness", image_folder, *common)
    assert result.exit_code == 2, result.stderr
    assert "no image of this run has a truth class in the class list" in result.stderr
    assert f"such as 'set/bird': give --truth {image_folder})" in result.stderr
    # Some classes a level down: scored, with the same hint beside the warning.
    mixed = tmp_path / "mixed"
    shutil.copytree(image_folder / "cat", mixed / "cat")
    for name in ("dog", "bird"):
        shutil.copytree(image_folder / name, mixed / "split" / name)
    common[-1] = mixed
    result = run("hubness", mixed, *common, "--methods", "none")
    assert result.exit_code == 0, result.stderr
    assert "count as wrong, as in zsl evaluate: split (split holds folders" in result.stderr
    assert f"give --truth {mixed / 'split'})" in result.stderr


def test_hubness_names_truth_classes_that_differ_from_listed_ones_in_case(
    tiny_clip, image_folder, tmp_path
):
    # A folder 'Cat' beside the class cat: evaluate says which is which, hubness named it alone.
    # ('dog ' is the class dog, as a class list's 'dog ' is.)
    truth = tmp_path / "truth"
    for folder, name in (("Cat", "cat"), ("dog ", "dog"), ("bird", "bird")):
        shutil.copytree(image_folder / name, truth / folder)
    common = ["-c", tmp_path / "classes.txt", "-m", tiny_clip, "--truth", truth]
    result = run("hubness", truth, *common, "--methods", "none")
    assert result.exit_code == 0, result.stderr
    assert (
        "count as wrong, as in zsl evaluate: Cat ('Cat' in the truth is 'cat' among the classes)"
    ) in result.stderr
    shutil.move(truth / "bird", truth / "BIRD")
    shutil.move(truth / "dog ", truth / "Dog")
    result = run("hubness", truth, *common, "--methods", "none")
    assert result.exit_code == 2, result.stderr
    assert "'BIRD' in the truth is 'bird' among the classes" in result.stderr
