"""`python -m zsl_cli.demo` with a stdout or stderr that cannot be written, as `zsl` is: a
closed or full stdout ends evaluate in one line and exit 2, not in a traceback (exit 70) nor in
a table lost with exit 0; a stderr that cannot be written loses the messages, not the exit
status."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

import zsl_cli
from zsl_cli.demo.__main__ import BUNDLED_TRAINING_SEED

PROG = "python -m zsl_cli.demo"
CHILD_TIMEOUT_S = 300
# One image per class of a set: the table's rows are there, in seconds.
EVALUATE = ("evaluate", "shapes-demo", "--per-class", "1", "--seed", "7")

# `python -m zsl_cli.demo` with a smaller training run than its options allow (--steps 1 still
# renders 480 images a class, warms the text up for 200 steps and scores 3 sets of 20 a class):
# every stage still runs and says its lines, in seconds rather than minutes.
SMALL_TRAINING_DEMO = """
import dataclasses, runpy, sys
import zsl_cli.demo.train as train

@dataclasses.dataclass(frozen=True)
class SmallTraining(train.TrainSettings):
    images_per_class: int = 2
    batch_size: int = 8
    text_warmup_steps: int = 1
    eval_sets: int = 1
    eval_per_class: int = 1

train.TrainSettings = SmallTraining
sys.argv[0] = "zsl_cli.demo"
runpy.run_module("zsl_cli.demo", run_name="__main__", alter_sys=True)
"""

needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


def run_demo(
    tmp_path: Path,
    *args: str,
    stdout: int | IO[bytes] = subprocess.PIPE,
    stderr: int | IO[bytes] = subprocess.PIPE,
    preexec_fn: Callable[[], None] | None = None,
    launcher: tuple[str, ...] = ("-m", "zsl_cli.demo"),
) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    env["PYTHONPATH"] = str(Path(zsl_cli.__file__).parents[1])  # this checkout's zsl
    return subprocess.run(
        [sys.executable, *launcher, *args],
        cwd=tmp_path,
        stdout=stdout,
        stderr=stderr,
        preexec_fn=preexec_fn,
        env=env,
        timeout=CHILD_TIMEOUT_S,
    )


@needs_dev_full
def test_evaluate_into_a_full_stdout_is_one_line_and_exit_2(tmp_path):
    with open("/dev/full", "wb") as full:
        done = run_demo(tmp_path, *EVALUATE, stdout=full)
    full_disk = "cannot write to stdout: No space left on device"
    assert done.stderr.decode() == f"{PROG}: error: {full_disk}\n"
    assert done.returncode == 2


def test_evaluate_with_stdout_closed_is_one_line_and_exit_2(tmp_path):
    # The table went nowhere, without a word, and the run exited 0.
    done = run_demo(tmp_path, *EVALUATE, preexec_fn=lambda: os.close(1))
    assert done.stderr.decode() == f"{PROG}: error: cannot write to stdout: it is closed\n"
    assert done.returncode == 2


def test_evaluate_with_stdout_closed_is_refused_before_the_work(tmp_path):
    # A model folder that is not there is found out only as the work starts: the closed stdout
    # is said first, as zsl evaluate says it, rather than after minutes of scoring.
    done = run_demo(tmp_path, "evaluate", "missing", preexec_fn=lambda: os.close(1))
    assert done.stderr.decode() == f"{PROG}: error: cannot write to stdout: it is closed\n"
    assert done.returncode == 2


def test_evaluate_into_a_pipe_closed_early_ends_by_sigpipe(tmp_path):
    # The reader gone is not a full disk: killed by SIGPIPE (141 in a shell), as zsl is.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = run_demo(tmp_path, *EVALUATE, stdout=write_end)
    finally:
        os.close(write_end)
    assert done.returncode == -13, done.stderr.decode()
    assert b"Traceback" not in done.stderr


@needs_dev_full
def test_make_images_with_a_full_stderr_exits_0(tmp_path):
    # Its closing line ("wrote 30 images ...") could not be written: exit 1, which the demo's
    # exit codes do not have, after every image was written.
    with open("/dev/full", "wb") as full:
        done = run_demo(tmp_path, "make-images", "shapes", "--per-class", "1", stderr=full)
    assert done.returncode == 0
    assert len(list((tmp_path / "shapes").glob("*/*.png"))) == 30


@needs_dev_full
def test_evaluate_with_a_full_stderr_still_writes_its_table(tmp_path):
    # The seed of the bundled model's training images: a warning on stderr before the table.
    args = ("evaluate", "shapes-demo", "--per-class", "1", "--seed", str(BUNDLED_TRAINING_SEED))
    with open("/dev/full", "wb") as full:
        done = run_demo(tmp_path, *args, stderr=full)
    assert done.returncode == 0
    rows = done.stdout.decode().splitlines()
    assert rows[0].startswith("seed\t") and rows[1].startswith(f"{BUNDLED_TRAINING_SEED}\t")
    assert [row.split("\t")[0] for row in rows[2:]] == ["min", "mean"]


@needs_dev_full
def test_train_with_a_full_stderr_saves_the_model_and_exits_0(tmp_path):
    # Its first progress line failed: no model, and exit 1.
    with open("/dev/full", "wb") as full:
        done = run_demo(
            tmp_path,
            *("train", "model", "--steps", "1"),
            stderr=full,
            launcher=("-c", SMALL_TRAINING_DEMO),
        )
    assert done.returncode == 0
    assert (tmp_path / "model" / "config.json").is_file()
