"""A path list's entry as long as a path can be is read, not refused as longer than any path:
also as the last line of a list saved on Windows, whose CR is still on it when it is measured."""

from __future__ import annotations

import io

from zsl_cli import discovery
from zsl_cli.discovery import read_path_list


def test_the_longest_path_on_a_last_line_ended_by_cr_alone_is_read() -> None:
    longest = discovery._longest_path() - 1  # less the NUL that ends a path
    name = "d/" + "a" * (longest - 2)
    listed = io.BytesIO(b"first.png\r\n" + name.encode() + b"\r")
    assert list(read_path_list(listed)) == ["first.png", name]
