"""A progress line due before the clock has moved (LOG_EVERY_S = 0, as the tests that want a
line at every batch set it, on a clock that ticks every 15 ms, as Windows' monotonic one does)
is written without a rate, not a ZeroDivisionError that ends the run."""

from __future__ import annotations

import io
import sys

import pytest

from zsl_cli import summary
from zsl_cli.summary import ProgressBar


def test_a_line_due_at_the_start_has_no_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary, "LOG_EVERY_S", 0.0)
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    bar = ProgressBar(clock=lambda: 1000.0)
    bar.start(100, "encoding images")
    bar.advance(10)
    bar.stop()
    [line] = stream.getvalue().splitlines()
    assert line.startswith("encoding images: 10 of 100 (10%), ") and "/s" not in line
