"""The time a progress line in a log says is left, at the edges of its wordings: under a minute,
whole minutes (rounded) up to an hour and a half, then hours to one decimal."""

from __future__ import annotations

import io
import sys

import pytest

from zsl_cli.summary import ProgressBar


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("total", "done", "seconds", "said"),
    [
        # 0.5 images a second: 30 left are 60 s, a minute, no longer under one.
        (62, 32, 64, "encoding images: 32 of 62 (51%), 0.5 img/s, about 1 min left"),
        # 100 s left: 1.67 minutes, said as 2.
        (100, 50, 100, "encoding images: 50 of 100 (50%), 0.5 img/s, about 2 min left"),
        # 80 minutes left: still minutes.
        (100, 50, 4800, "encoding images: 50 of 100 (50%), 96 s per image, about 80 min left"),
        # 2,700 left at 0.5 a second: 5,400 s, an hour and a half.
        (2732, 32, 64, "encoding images: 32 of 2732 (1%), 0.5 img/s, about 1.5 h left"),
    ],
)
def test_the_time_left_in_each_wording(
    monkeypatch: pytest.MonkeyPatch, total: int, done: int, seconds: float, said: str
) -> None:
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    clock = Clock()
    bar = ProgressBar(clock=clock)
    bar.start(total, "encoding images")
    clock.now += seconds
    bar.advance(done)
    assert log.getvalue() == said + "\n"
