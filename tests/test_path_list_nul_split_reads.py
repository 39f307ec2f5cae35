"""A path list on stdin whose first NUL byte ends a read (a pipe hands its bytes over in
pieces): the next reads tell a find -print0 list (add -0) from a run of NUL bytes (/dev/zero)."""

from __future__ import annotations

import pytest

from zsl_cli.discovery import read_path_list
from zsl_cli.errors import ZslError


class _Pieces:
    """A binary stream whose reads give these pieces, one a read, then nothing."""

    def __init__(self, *pieces: bytes) -> None:
        self._pieces = list(pieces)

    def read(self, size: int = -1) -> bytes:
        return self._pieces.pop(0) if self._pieces else b""


@pytest.mark.parametrize(
    ("pieces", "message"),
    [
        (
            (b"a.png\0", b"\0\0\0", b"\0\0\0\0\0\0\0\0"),
            "the path list on stdin has NUL bytes in a row, as in /dev/zero: it is no path list",
        ),
        ((b"a.png\0", b"b.png\0"), "the path list on stdin is NUL-separated: add -0 (--null)"),
    ],
)
def test_a_nul_at_the_end_of_a_read_is_told_by_the_reads_after_it(pieces, message):
    with pytest.raises(ZslError) as info:
        list(read_path_list(_Pieces(*pieces)))
    assert info.value.message == message
