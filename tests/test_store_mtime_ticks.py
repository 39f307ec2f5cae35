"""A file rewritten in place with the same size within the mtime tick it was read in kept its
old vector: its (size, mtime) did not change (file systems with 1-s mtimes; a watcher that embeds
right after writing, through the library). As git does not trust an entry whose mtime is not
older than its stat, `embed` reads no file before the tick of its mtime is over, so that a later
rewrite gets another mtime."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.helpers import write_images
from zsl_cli import api
from zsl_cli.store import FileStat, wait_for_mtime_ticks

SECOND = 1_000_000_000


# A fixed clock, 0.4 s into a second, so that each wait is exact however slowly the test runs.
NOW = 1_700_000_000 * SECOND + 400_000_000


def waits(stats: list[FileStat], now: int = NOW) -> list[float]:
    slept: list[float] = []
    waited = wait_for_mtime_ticks(stats, sleep=slept.append, now_ns=lambda: now)
    assert sum(slept) == waited
    return slept


def test_a_file_of_this_tick_is_read_once_the_tick_is_over() -> None:
    this_second = NOW // SECOND * SECOND  # as a file system of whole-second mtimes keeps it
    # until the end of the 2 s a FAT mtime may stand for, and the clock's lag: 2.01 s after it
    assert waits([FileStat("/a.png", 1, this_second), FileStat("/b.png", 1, NOW - SECOND)]) == [
        1.61
    ]
    # ns mtimes move by the kernel's clock tick: a short wait, to 30 ms after the mtime
    assert waits([FileStat("/a.png", 1, NOW - 1_000_000)]) == [0.029]
    assert waits([FileStat("/a.png", 1, NOW)]) == [0.03]
    # the longest wait of several files is the one waited
    assert waits([FileStat("/a.png", 1, NOW - 1_000_000), FileStat("/b.png", 1, this_second)]) == [
        1.61
    ]


def test_files_of_past_ticks_and_future_mtimes_are_not_waited_for() -> None:
    old_whole = (NOW - 3 * SECOND) // SECOND * SECOND
    assert (
        waits([FileStat("/a.png", 1, old_whole), FileStat("/b.png", 1, NOW - SECOND // 10)]) == []
    )
    # a whole second before this one may still be in the same 2 s tick
    assert waits([FileStat("/a.png", 1, NOW // SECOND * SECOND - SECOND)]) == [0.61]
    # a tick just over: 2.01 s after a whole second, 30 ms after an ns mtime
    assert waits([FileStat("/a.png", 1, NOW // SECOND * SECOND)], now=NOW + 1_610_000_000) == []
    assert waits([FileStat("/a.png", 1, NOW - 30_000_000)]) == []
    # An mtime in the future (a clock set wrong): no wait would end it.
    assert waits([FileStat("/c.png", 1, NOW + 3600 * SECOND)]) == []
    assert waits([FileStat("/c.png", 1, NOW + 1)]) == []


def test_embed_reads_a_just_written_file_after_its_mtime_tick(
    tiny_clip, tmp_path: Path, monkeypatch
) -> None:
    images = tmp_path / "images"
    (image,) = write_images(images, 1)
    mtime = time.time_ns() // SECOND * SECOND  # written this second, on a 1-s file system
    os.utime(image, ns=(mtime, mtime))
    started: list[int] = []
    decode_for = api.decode_for

    def decoding_starts(*args, **kwargs):
        started.append(time.time_ns())
        return decode_for(*args, **kwargs)

    monkeypatch.setattr(api, "decode_for", decoding_starts)
    request = api.EmbedRequest(
        tmp_path / "s.zsl", api.InputOptions([str(images)]), api.ModelOptions(str(tiny_clip))
    )
    assert api.embed(request).encoded == 1
    assert started[0] >= mtime + 2 * SECOND  # a rewrite from then on changes the mtime
