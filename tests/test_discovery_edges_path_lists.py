"""A NUL-separated path list (-0) whose last name has no NUL after it: once a NUL has been
read, that name is taken whole, newlines and all, not refused as a list of lines."""

from __future__ import annotations

import io

import pytest

from zsl_cli.discovery import read_path_list
from zsl_cli.errors import ZslError


def test_the_last_name_without_a_nul_is_taken_whole() -> None:
    stream = io.BytesIO(b"a.png\0b\nc.png")
    assert list(read_path_list(stream, nul_separated=True)) == ["a.png", "b\nc.png"]


def test_lines_without_any_nul_are_still_refused() -> None:
    with pytest.raises(ZslError, match="no NUL byte: drop -0"):
        list(read_path_list(io.BytesIO(b"a.png\nb.png"), nul_separated=True))
