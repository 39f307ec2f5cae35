"""The one error type the library raises for problems a user can cause, and the exit codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zsl_cli.api import EmbedReport, LabelReport

EXIT_OK = 0
EXIT_PARTIAL = 1  # the run completed but some inputs failed (only with --strict)
EXIT_USAGE = 2  # bad options, bad input files, model not available
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of stdout or stderr went away (`| head`)


class ZslError(Exception):
    """A problem the user can fix. The CLI prints `message` as one line on stderr and exits."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run, raised once the finished work is saved. `report` is the run's report
    (its `interrupted` set); a caller that does not catch this stops as on any Ctrl-C."""

    def __init__(self, report: LabelReport | EmbedReport) -> None:
        super().__init__()
        self.report = report
