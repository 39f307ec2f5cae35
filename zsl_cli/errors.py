"""The one error type the library raises for problems a user can cause, and the exit codes."""

from __future__ import annotations

import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

EXIT_OK = 0
# The run completed but no image came out of it, or (with --strict) some inputs failed.
EXIT_PARTIAL = 1
EXIT_USAGE = 2  # bad options, bad input files, model not available
# An unexpected exception: a bug, or a failure zsl does not know how to explain (sysexits.h's
# EX_SOFTWARE), never 1, which a script reads as "the run completed, some images failed".
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130  # Ctrl-C, or another of the STOP_SIGNALS
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of stdout or stderr went away (`| head`)

# What json.loads raises for content it cannot read: ValueError covers JSONDecodeError,
# UnicodeDecodeError and a number of 4,300+ digits (over the int conversion limit);
# RecursionError, arrays or objects nested deeper than Python's stack, valid JSON all the same.
JSON_ERRORS = (ValueError, RecursionError)

# What stops a run as Ctrl-C does, keeping its finished work: SIGTERM from `timeout`, `kill` and
# container stops, SIGHUP from a closed terminal.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


def stop_signals() -> list[int]:
    """The numbers of the STOP_SIGNALS this platform has (Windows has no SIGHUP)."""
    return [getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)]


class ZslError(Exception):
    """A problem the user can fix. The CLI prints `message` as one line on stderr and exits,
    or `cli_message` where the library's words for a caller in Python do not fit the CLI."""

    cli_message: str | None = None

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class OutputKept(ZslError):
    """An output that could not replace the file of its name (on Windows one another program
    holds open, e.g. Excel) and is kept beside it instead. `kept`: where, the output's file
    first, then those describing it (its run info, a .npy's path index). `result`: the run's
    result (a report), where the library had it ready: the run did its work, so a caller shows
    that as a finished run's before the error."""

    def __init__(self, message: str, kept: Sequence[Path], result: object = None) -> None:
        super().__init__(message)
        self.kept = list(kept)
        self.result = result

    def __reduce__(self) -> tuple[type[OutputKept], tuple[str, list[Path], object]]:
        return type(self), (self.message, self.kept, self.result)  # as Interrupted's


class RunReport(Protocol):
    """What api's LabelReport and EmbedReport, the reports an `Interrupted` holds, both have: this
    base module does not import the api that uses it. A caller reads either's own fields after
    `isinstance(stop.report, LabelReport)` (or EmbedReport)."""

    interrupted: bool
    elapsed_s: float
    unreadable_folders: list[tuple[Path, str]]  # (folder, reason)

    @property
    def failed(self) -> int: ...

    @property
    def warnings(self) -> list[str]: ...

    def to_json(self) -> dict[str, Any]: ...


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run, raised once the finished work is saved. `report` is the run's report
    (its `interrupted` set); a caller that does not catch this stops as on any Ctrl-C."""

    def __init__(self, report: RunReport) -> None:
        super().__init__()
        self.report = report

    def __reduce__(self) -> tuple[type[Interrupted], tuple[RunReport]]:
        # Through __init__, which needs the report: concurrent.futures pickles a worker's
        # exception, and one that cannot be unpickled broke the pool instead of reaching the
        # caller.
        return type(self), (self.report,)
