"""How `main()` ends the process where no command's own handling could: a Ctrl-C before any
command runs ends it by SIGINT (a SIGTERM there exits 130: test_label_cli), and any exception no
check foresaw, whatever its type and whichever command raised it, exits 70 after its traceback.
Run as subprocesses: the status is the process's own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import write_truth_and_predictions
from zsl_cli.errors import EXIT_INTERNAL

# A Ctrl-C while typer builds the commands, before any of them runs.
_CTRL_C_BEFORE_THE_COMMAND = textwrap.dedent(
    """
    import signal
    from zsl_cli import cli
    cli.app = lambda **_: signal.raise_signal(signal.SIGINT)
    cli.main()
    """
)


def _sigint_default() -> None:
    """SIGINT's default action, as in a terminal: a shell starts background jobs ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="needs POSIX signals")
def test_a_ctrl_c_before_the_command_ends_the_process_by_sigint(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C_BEFORE_THE_COMMAND, "evaluate", "p.csv", "--truth", "t"],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        preexec_fn=_sigint_default,
    )
    assert done.returncode == -signal.SIGINT, done.stderr.decode()
    assert done.stderr.decode() == "zsl: interrupted\n" and done.stdout == b""


# `zsl evaluate` with the library's evaluate replaced by one that fails as a bug would.
_FAILING_EVALUATE = textwrap.dedent(
    """
    import sys
    import zsl_cli.api

    def evaluate(*args, **kwargs):
        raise {error}

    zsl_cli.api.evaluate = evaluate
    from zsl_cli.cli import main

    sys.argv = ["zsl", *sys.argv[1:]]
    main()
    """
)


@pytest.mark.parametrize(
    ("error", "name"),
    [("KeyError('cat')", "KeyError"), ("RuntimeError('a bug')", "RuntimeError")],
)
def test_any_unexpected_exception_of_evaluate_exits_70(tmp_path: Path, error: str, name: str):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _FAILING_EVALUATE.format(error=error),
            "evaluate",
            str(predictions),
            "--truth",
            str(truth),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == EXIT_INTERNAL, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert "Traceback (most recent call last):" in lines
    assert lines[-1] == (
        f"zsl: internal error: {name} (unexpected; please report it with the traceback above)"
    )


# A stop signal once the command is over, as the interpreter shuts down (atexit handlers run
# then): the run's files are published by now, and the signal must change nothing.
_SIGTERM_AT_EXIT = textwrap.dedent(
    """
    import atexit, signal, sys
    import zsl_cli.api

    if sys.argv[1] == "fail":
        def evaluate(*args, **kwargs):
            raise KeyError("cat")

        zsl_cli.api.evaluate = evaluate
    atexit.register(signal.raise_signal, signal.SIGTERM)
    from zsl_cli.cli import main

    sys.argv = ["zsl", *sys.argv[2:]]
    main()
    """
)


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
@pytest.mark.parametrize(("how", "status"), [("work", 0), ("fail", EXIT_INTERNAL)])
def test_a_stop_signal_as_the_interpreter_shuts_down_changes_nothing(
    tmp_path: Path, how: str, status: int
) -> None:
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    command = [sys.executable, "-c", _SIGTERM_AT_EXIT, how, "evaluate", str(predictions)]
    done = subprocess.run(
        [*command, "--truth", str(truth)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == status, done.stderr
    assert "KeyboardInterrupt" not in done.stderr and "atexit" not in done.stderr, done.stderr
    assert ("mean per-class" in done.stdout) == (how == "work")


# A Ctrl-C before the command, then a SIGTERM while the process ends (as it stops the decode
# processes): the second must not break the ending the first began.
_SECOND_SIGNAL_WHILE_ENDING = textwrap.dedent(
    """
    import multiprocessing, signal
    from zsl_cli import cli

    def children():
        signal.raise_signal(signal.SIGTERM)
        return []

    multiprocessing.active_children = children
    cli.app = lambda **_: signal.raise_signal(signal.SIGINT)
    cli.main()
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="needs POSIX signals")
def test_a_second_stop_signal_while_the_process_ends_changes_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SECOND_SIGNAL_WHILE_ENDING, "evaluate", "p.csv", "--truth", "t"],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        preexec_fn=_sigint_default,
    )
    assert done.returncode == -signal.SIGINT, done.stderr.decode()
    assert done.stderr.decode() == "zsl: interrupted\n"


def _sigpipe_blocked() -> None:
    """SIGPIPE blocked, as some parents start their children (the mask is inherited)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPIPE})


@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="needs POSIX signals")
def test_a_reader_gone_ends_by_sigpipe_even_where_it_was_blocked(tmp_path: Path) -> None:
    # Blocked, the signal zsl raises to end itself stayed pending, and it exited 141 instead.
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    read_end, write_end = os.pipe()
    os.close(read_end)
    command = [sys.executable, "-m", "zsl_cli", "evaluate", str(predictions), "--truth"]
    done = subprocess.run(
        [*command, str(truth)],
        stdout=write_end,
        stderr=subprocess.PIPE,
        timeout=120,
        preexec_fn=_sigpipe_blocked,
    )
    os.close(write_end)
    assert done.returncode == -signal.SIGPIPE and done.stderr == b""
