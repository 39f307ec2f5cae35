"""`python -m zsl_cli.demo`: help text, and errors as one stderr line with their exit code."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.demo.__main__ import app

PROG = "python -m zsl_cli.demo"
COMMANDS = ("make-images", "train", "evaluate")


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], prog_name=PROG)


@pytest.mark.parametrize("command", [(), *((c,) for c in COMMANDS)])
def test_help_is_plain_text_that_names_every_value(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    text = result.stdout
    assert "╭" not in text and "│" not in text, text  # no Rich panels
    # typer's own placeholders (<path>, <int>, {out}) say nothing about what to give, and braces
    # around a required argument's metavar ({DIR}) read as a literal to type.
    assert not re.search(r"<\w+>|range>|\{[A-Za-z_]+\}", text), text
    assert "Examples" in text and f"{PROG} {' '.join(command)}".strip() in text


def test_short_help_option():
    assert run("make-images", "-h").stdout == run("make-images", "--help").stdout


def test_top_level_help_gives_the_exit_codes_and_where_output_goes():
    text = " ".join(run("--help").stdout.split())
    assert "Exit codes: 0 success; 2 usage error or bad input" in text
    assert "130 interrupted (Ctrl-C: the process ends by SIGINT" in text
    assert "141 the reader" in text
    assert "messages go to stderr" in text


def test_help_defaults_are_the_ones_used():
    from zsl_cli.demo.__main__ import DEFAULT_EVALUATE_SEEDS
    from zsl_cli.demo.train import TrainSettings

    assert list(DEFAULT_EVALUATE_SEEDS) == [101, 102, 103, 104, 105]
    from zsl_cli.demo.evaluate import MAX_PER_CLASS

    evaluate_help = " ".join(run("evaluate", "--help").stdout.split())
    assert "[default: 101 to 105]" in evaluate_help
    assert f"Images per class in each set, 1 to {MAX_PER_CLASS:,} " in evaluate_help
    text = " ".join(run("train", "--help").stdout.split())
    assert f"[default: {TrainSettings.steps}]" in text
    assert f"after {TrainSettings.text_warmup_steps} text-only warm-up steps" in text
    # The trainer refuses a seed above this (its evaluation sets are seeds 2,000,000 above it);
    # help gave no range, where make-images and evaluate give theirs.
    assert "training images and batches, 0 to 4292967293." in text
    sets, count = TrainSettings.eval_sets, TrainSettings.eval_per_class
    assert f"scores the model on {sets} fresh sets of {count} images per class" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["make-images"],
            "Missing argument 'DIR' (see 'python -m zsl_cli.demo make-images --help')",
        ),
        (["make-images", "x", "--per-class", "many"], "Invalid value for '--per-class'"),
        (["evaluate", "x", "--seed", "one"], "Invalid value for '--seed'"),
        (["frobnicate"], "No such command 'frobnicate'"),
        # '' (an unset shell variable) was the current folder: make-images wrote over its files
        *(([command, ""], "'' names no file or folder") for command in COMMANDS),
        (["--bogus"], "No such option: --bogus (see 'python -m zsl_cli.demo --help')"),
    ],
)
def test_command_lines_that_do_not_parse_are_one_line_and_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"{PROG}: error: ")
    assert message in result.stderr


@pytest.mark.parametrize("command", ["make-images", "train"])
def test_a_seed_given_twice_to_a_one_seed_command_is_refused(tmp_path, command):
    # evaluate scores a set for each --seed; make-images and train took the last one, without
    # a word: `make-images shapes --seed 1 --seed 2` wrote the set of seed 2 alone.
    out = tmp_path / "out"
    result = run(command, out, "--seed", "1", "--seed", "2")
    assert result.exit_code == 2
    assert result.stderr == (
        f"{PROG}: error: --seed given 2 times: give it once, and run again for another seed "
        f"(see '{PROG} {command} --help')\n"
    )
    assert not out.exists()
    assert run(command, out, "--seed", "1", "--seed", "2", "--help").exit_code == 0


@pytest.mark.parametrize("option", ["--steps", "--threads"])
def test_train_refuses_a_count_below_1_before_creating_its_folder(tmp_path, option):
    out = tmp_path / "model"
    result = run("train", out, option, "0")
    assert result.exit_code == 2
    assert result.stderr == f"{PROG}: error: {option} must be at least 1, got 0\n"
    assert not out.exists()


def test_train_checks_its_counts_before_any_work(tmp_path):
    # Called from Python as well: a ZslError, not torch's RuntimeError after the folder is made.
    from zsl_cli.demo.train import TrainSettings, train
    from zsl_cli.errors import ZslError

    with pytest.raises(ZslError, match="--threads must be at least 1, got 0"):
        train(tmp_path / "model", TrainSettings(threads=0))
    assert not (tmp_path / "model").exists()


def test_evaluate_refuses_a_path_that_is_not_a_folder(tmp_path):
    result = run("evaluate", tmp_path / "missing")
    assert result.exit_code == 2
    assert result.stderr == f"{PROG}: error: {tmp_path / 'missing'} is not a model folder\n"


def test_evaluate_takes_the_bundled_model_by_name(tmp_path, monkeypatch):
    # As zsl label -m shapes-demo: the name alone was 'not a model folder' outside the package.
    monkeypatch.chdir(tmp_path)
    result = run("evaluate", "shapes-demo", "--seed", "7", "--per-class", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("7\t")


@pytest.mark.parametrize("command", ["make-images", "evaluate"])
def test_a_folder_name_too_long_for_a_file_name_is_one_line(tmp_path, command):
    # pathlib's exists() and is_dir() let ENAMETOOLONG through: the run ended in a traceback.
    name = tmp_path / ("n" * 300)
    result = run(command, name)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{PROG}: error: ") and result.stderr.count("\n") == 1
    assert str(name) in result.stderr


def test_no_arguments_shows_the_help():
    result = run()
    assert result.stdout.startswith(f"Usage: {PROG} ") and result.stderr == ""


def _wait_for_an_image(folder: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not any(folder.glob("*/*.png")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no image in 120 s: guards a hang"
        time.sleep(0.05)


def test_ctrl_c_is_one_line_and_ends_by_sigint(tmp_path):
    out = tmp_path / "shapes"
    process = subprocess.Popen(
        [sys.executable, "-m", "zsl_cli.demo", "make-images", str(out), "--per-class", "10000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # A shell that starts jobs in the background makes them ignore SIGINT; undo that here.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    _wait_for_an_image(out, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    # Killed by SIGINT once its work is done, as zsl is: a shell loop of demo runs stops there.
    assert process.returncode == -signal.SIGINT, stderr.decode()
    # The program's name as invoked, as its errors give it; it said "zsl: interrupted".
    assert stderr.decode() == f"{PROG}: interrupted\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["make-images", "--help"], []])
def test_help_into_a_full_stdout_names_the_program_as_invoked(args):
    # It said "zsl: error: cannot write to stdout", naming another program.
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "zsl_cli.demo", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    assert done.stderr.decode() == (
        f"{PROG}: error: cannot write to stdout: No space left on device\n"
    )
    assert done.returncode == 2


def test_help_into_a_closed_stdout_names_the_program_as_invoked():
    done = subprocess.run(
        [sys.executable, "-m", "zsl_cli.demo", "--help"],
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        timeout=120,
    )
    assert done.stderr.decode() == f"{PROG}: error: cannot write to stdout: it is closed\n"
    assert done.returncode == 2


def test_a_reader_that_went_away_ends_by_sigpipe(tmp_path):
    command = [sys.executable, "-m", "zsl_cli.demo", "make-images", str(tmp_path / "shapes")]
    gone = subprocess.Popen([*command, "--per-class", "1"], stderr=subprocess.PIPE)
    gone.stderr.close()  # before its closing line, "wrote 30 images ..."
    assert gone.wait(timeout=120) == -signal.SIGPIPE


@pytest.mark.parametrize("module", ["zsl_cli.cli", "zsl_cli.demo.__main__"])
def test_an_option_whose_metavar_is_its_name_declares_the_name(module):
    # typer 0.27 took such a metavar for the option's name: `--seed` was refused, as `--SEED`.
    import importlib
    import typing

    import typer.models

    unnamed = []
    for command in importlib.import_module(module).app.registered_commands:
        hints = typing.get_type_hints(command.callback, include_extras=True)
        for name, hint in hints.items():
            for info in getattr(hint, "__metadata__", ()):
                if not isinstance(info, typer.models.OptionInfo):
                    continue
                # Inside Annotated, typer reads Option's first argument (`default`) as a name.
                named = info.param_decls or str(info.default).startswith("-")
                if not named and (info.metavar or "").lower() == name.replace("_", "-"):
                    unnamed.append(f"{command.callback.__name__}({name})")
    assert not unnamed
