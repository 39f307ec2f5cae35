"""The `zsl` command line: parse options, call the library, render results, map errors
to exit codes.

- `common`: the Typer app, its group and command classes (usage errors, stdout and stderr), and
  the options and helpers that several commands share;
- `label`, `embed`, `evaluate`, `hubness`: one command each, with the helpers only it uses;
- here: `main()`, the program's entry point: stop signals, interrupts and internal errors.

Nothing heavy is imported at module level so `zsl --help` answers at once.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    import typer

# isort: off
# Each command module adds its command to `app` as it is imported, in the order that `zsl --help`
# lists them.
from zsl_cli.cli import label  # noqa: F401
from zsl_cli.cli import embed  # noqa: F401
from zsl_cli.cli import evaluate  # noqa: F401
from zsl_cli.cli import hubness  # noqa: F401

# isort: on
from zsl_cli.cli.common import (
    PROG,
    UsageError,
    ZslCommand,
    ZslGroup,
    _say,
    app,
    file_name,
)
from zsl_cli.cli.hubness import HUBNESS_METHOD_HELP
from zsl_cli.errors import EXIT_BROKEN_PIPE, EXIT_INTERNAL, EXIT_INTERRUPTED, stop_signals

__all__ = [
    "HUBNESS_METHOD_HELP",
    "PROG",
    "UsageError",
    "ZslCommand",
    "ZslGroup",
    "app",
    "file_name",
    "main",
    "run",
]


# Here rather than in a module of its own: it runs this package's `app`, the one a caller that
# replaces `zsl_cli.cli.app` replaced.
def main() -> None:
    run(app, PROG)


def run(command: typer.Typer, prog: str) -> None:
    """Run the program `command` (zsl's app, or the demo's) as a process: stop signals, the
    ending after an interrupt or a reader gone, internal errors. Only here does the process end
    by a signal: tests run an app in-process, where it exits 130 or 141 as a command that ends
    so."""
    # `timeout`, `kill` and container stops send SIGTERM: stop as on Ctrl-C, keeping finished work.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # A closed terminal or dropped ssh session sends SIGHUP: by default it kills the process
    # mid-write, leaving the output's temporary file behind and the finished work unsaved.
    # Under nohup (SIGHUP ignored) it stays ignored.
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) == signal.SIG_DFL:
        signal.signal(signal.SIGHUP, signal.default_int_handler)
    if sys.stderr is None:  # started with stderr closed (`2>&-`): messages go nowhere
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    received = _SignalsReceived()
    try:
        command(prog_name=prog)
    except KeyboardInterrupt:  # while typer builds the commands, before any of them runs
        _say(f"{prog}: interrupted")
        _end(EXIT_INTERRUPTED, received.ctrl_c())
    except SystemExit as stop:
        if stop.code == EXIT_INTERRUPTED:
            _end(EXIT_INTERRUPTED, received.ctrl_c())
        if stop.code == EXIT_BROKEN_PIPE and hasattr(signal, "SIGPIPE"):
            # Killed by SIGPIPE, as a program that writes into `| head` is: `xargs` stops
            # launching batches on that, and took an exit status of 141 for a failed one.
            _end(EXIT_BROKEN_PIPE, signal.SIGPIPE)
        # The command is over, its files published: a stop signal while the interpreter shuts
        # down (0.2 s) printed a KeyboardInterrupt traceback or ended the process by the signal.
        _ignore_stop_signals()
        raise
    except Exception as error:  # noqa: BLE001 - what no check foresaw: a bug, to report
        _exit_internal_error(error, prog)


class _SignalsReceived:
    """Whether a Ctrl-C (SIGINT) came, rather than SIGTERM or SIGHUP: all three reach the command
    as a KeyboardInterrupt, which does not say which. CPython writes the number of each signal
    that a Python handler gets (zsl's own during a run as well as the default one) into the
    descriptor given to signal.set_wakeup_fd: here a pipe, read back at the end. Windows takes
    a socket there, and no process ends by a signal on it: nothing is known there."""

    def __init__(self) -> None:
        self._read_end: int | None = None
        if os.name != "posix":
            return
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        os.set_blocking(write_end, False)  # a signal's byte into a full pipe is dropped
        signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        self._read_end = read_end

    def ctrl_c(self) -> int | None:
        """SIGINT if one came so far, else None."""
        received = b""
        while self._read_end is not None:
            try:
                chunk = os.read(self._read_end, 65536)
            except BlockingIOError:  # all read
                break
            if not chunk:
                break
            received += chunk
        return signal.SIGINT if signal.SIGINT in received else None


def _exit_internal_error(error: Exception, prog: str) -> NoReturn:
    """The traceback, which a bug report needs, then one line saying what it is, and exit status
    EXIT_INTERNAL: Python's own status for it, 1, is the one a script reads as a run that
    completed with some images failed."""
    import traceback

    traceback.print_exception(error)
    _say(
        f"{prog}: internal error: {type(error).__name__} (unexpected; please report it with the "
        "traceback above)"
    )
    _ignore_stop_signals()
    sys.exit(EXIT_INTERNAL)


def _ignore_stop_signals() -> None:
    for number in stop_signals():
        signal.signal(number, signal.SIG_IGN)


def _end(status: int, by: int | None) -> NoReturn:
    """End the process now, the command's work published: killed by the signal `by`, where one
    is given, else (or where that did not end it) with exit status `status`.

    Interrupted, zsl ends by SIGINT after a Ctrl-C, as shells want: bash goes on with a script
    or loop whose command exited 130 after one, taking it for a Ctrl-C the command handled and
    made light of (`$?` shows 130 all the same). After SIGTERM or SIGHUP it exits 130.

    Under `python -m zsl_cli`, a KeyboardInterrupt raised while exec() or eval() ran a string
    (dataclasses and typer build functions that way, so a signal can land there while modules
    load) makes CPython end the process by SIGINT at exit even though zsl handled it: a parent
    saw the process killed by SIGINT, also for a SIGTERM, instead of exit status 130. Ending
    here skips the interpreter's exit handlers: the run has published or removed its files by
    now, and the one handler that mattered, which stopped decode processes, is done here."""
    _ignore_stop_signals()  # another Ctrl-C must not break the ending
    # A decode process pool that the interrupt caught before its queue could be closed (as it
    # started, while the model loads) would run on for ever, holding stdout and stderr open.
    import multiprocessing

    for child in multiprocessing.active_children():
        child.kill()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader gone, a full disk, a stream closed
            pass
    if by is not None:
        signal.signal(by, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {by})
        # To this thread (raise(3)), not os.kill's to the process: another thread could take
        # that one while this one went on to the exit below.
        signal.raise_signal(by)
    os._exit(status)
