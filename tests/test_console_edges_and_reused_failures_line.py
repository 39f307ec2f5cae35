"""Consoles at their edges (a terminal nobody sized under COLUMNS=0, a stdout closed by the
program that called zsl) and the quiet line of an embed run whose only failures are reused."""

from __future__ import annotations

import io
import os
import sys

import pytest

from tests.helpers import embed_report
from zsl_cli.errors import ZslError
from zsl_cli.summary import none_embedded_line, stderr_console, stdout_console


class UnsizedTerminal(io.StringIO):
    """A pseudo-terminal nobody sized (`script`, `docker run -t` from no terminal): 0 columns."""

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return 2


def test_columns_0_on_a_terminal_of_0_columns_prints_at_80(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # COLUMNS=0 is no width to rich, nor is the terminal's own 0: lines would not be printed.
    monkeypatch.setenv("COLUMNS", "0")
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=1: os.terminal_size((0, 0)))
    monkeypatch.setattr(sys, "stderr", UnsizedTerminal())
    console = stderr_console()
    assert console.width == 80
    console.print("a summary line")
    assert sys.stderr.getvalue() == "a summary line\n"


def test_a_stdout_closed_by_the_caller_is_said_to_be_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stdout", closed)
    with pytest.raises(ZslError, match="^stdout is closed: redirect it to a file"):
        stdout_console()


def test_the_quiet_line_of_reused_failures_alone_has_no_empty_reason() -> None:
    # No failure of this run: the stored failures reused are the one reason given.
    report = embed_report(found=2, encoded=0, reused=2, reused_failed=2)
    assert none_embedded_line(report, alone=True).plain == (
        "No image embedded: none of the 2 images found can be used (2 stored failures reused)"
    )
