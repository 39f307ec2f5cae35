"""check_tiff_strips counts the most pieces an uncompressed TIFF's directory lists, whether its
strip offsets or its tile offsets list them, in whichever order the tags come."""

from __future__ import annotations

import io
import struct

import pytest

from zsl_cli.image_damage import DecodeError
from zsl_cli.image_damage.tiff import check_tiff_strips
from zsl_cli.image_formats import ReadBudget

MANY = ReadBudget.FREE_READS + 1000


def _tiff(pieces: list[tuple[int, int]]) -> bytes:
    """A TIFF's header and directory alone, of (tag, count) offsets entries (LONG, placed at 8)."""
    entries = [(256, 3, 1, 1), (257, 3, 1, 1)] + [(tag, 4, count, 8) for tag, count in pieces]
    table = struct.pack("<H", len(entries))
    table += b"".join(struct.pack("<HHII", *entry) for entry in entries) + bytes(4)
    return b"II" + struct.pack("<HI", 42, 8) + table


@pytest.mark.parametrize(
    "pieces", [[(273, MANY), (324, 1)], [(273, 1), (324, MANY)], [(273, MANY)]]
)
def test_the_most_strips_or_tiles_listed_are_refused(pieces: list[tuple[int, int]]) -> None:
    data = _tiff(pieces)
    with pytest.raises(DecodeError) as caught:
        check_tiff_strips(io.BytesIO(data), len(data))
    assert caught.value.status == "decode_error"


def test_few_strips_and_tiles_pass() -> None:
    data = _tiff([(273, 3), (324, 2)])
    check_tiff_strips(io.BytesIO(data), len(data))
