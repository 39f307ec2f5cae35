"""A file rewritten in place with the same size within the mtime tick it was read in kept its
old vector: its (size, mtime) did not change (file systems with 1-s mtimes; a watcher that embeds
right after writing, through the library). As git does not trust an entry whose mtime is not
older than its stat, `embed` reads no file before the tick of its mtime is over, so that a later
rewrite gets another mtime."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.test_label_cli import write_images
from zsl_cli import api
from zsl_cli.store import FileStat, wait_for_mtime_ticks

SECOND = 1_000_000_000


def waits(stats: list[FileStat]) -> list[float]:
    slept: list[float] = []
    wait_for_mtime_ticks(stats, sleep=slept.append)
    return slept


def test_a_file_of_this_tick_is_read_once_the_tick_is_over() -> None:
    now = time.time_ns()
    this_second = now // SECOND * SECOND  # as a file system of whole-second mtimes keeps it
    (slept,) = waits([FileStat("/a.png", 1, this_second), FileStat("/b.png", 1, now - SECOND)])
    # until the end of the 2 s a FAT mtime may stand for, and the clock's lag
    assert 0 < slept <= 2.01
    assert abs(time.time_ns() + slept * SECOND - (this_second + 2.01 * SECOND)) < 0.05 * SECOND
    # ns mtimes move by the kernel's clock tick: a short wait
    (slept,) = waits([FileStat("/a.png", 1, now + 1)])
    assert 0 < slept <= 0.03


def test_files_of_past_ticks_and_future_mtimes_are_not_waited_for() -> None:
    now = time.time_ns()
    old_whole = (now - 3 * SECOND) // SECOND * SECOND
    assert (
        waits([FileStat("/a.png", 1, old_whole), FileStat("/b.png", 1, now - SECOND // 10)]) == []
    )
    # An mtime in the future (a clock set wrong): no wait would end it.
    assert waits([FileStat("/c.png", 1, now + 3600 * SECOND)]) == []


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
