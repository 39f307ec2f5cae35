"""On a pseudo-terminal that reports no size, the progress bar gets 80 x 24 less one each way,
as tqdm sizes itself: a line as wide as the terminal wraps on some."""

from __future__ import annotations

import fcntl
import os
import struct
import sys
import termios

import pytest

from zsl_cli.summary import _bar_size


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize(
    ("rows", "columns", "size"),
    [
        (0, 0, {"ncols": 79, "nrows": 23}),
        (0, 100, {"ncols": 99, "nrows": 23}),
        (30, 0, {"ncols": 79, "nrows": 29}),
        (30, 100, {"dynamic_ncols": True}),
    ],
)
def test_the_bar_size_of_a_terminal_that_reports_zero(
    rows: int, columns: int, size: dict[str, object]
) -> None:
    leader, follower = os.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        with open(follower, "w", closefd=False) as stream:
            assert _bar_size(stream) == size
    finally:
        os.close(leader)
        os.close(follower)
