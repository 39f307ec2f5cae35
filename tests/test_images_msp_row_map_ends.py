"""decode_image on run-length coded Windows Paint (MSP version 2) files whose row map gives its
first or its last row more bytes than coding the row's pixels can take: every entry of the map
is checked, the ends too."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import failure_of
from zsl_cli.image_damage import check_msp_rows


def _msp_v2(width: int, rows: list[bytes]) -> bytes:
    """An MSP version 2 file of `width` pixels and the coded `rows`, its header's checksum
    (the XOR of its 16 words) made 0."""
    words = [0] * 16
    words[0:2] = struct.unpack("<2H", b"LinS")
    words[2], words[3] = width, len(rows)
    checksum = 0
    for word in words:
        checksum ^= word
    words[12] = checksum
    header = struct.pack("<16H", *words)
    rowmap = struct.pack(f"<{len(rows)}H", *(len(row) for row in rows))
    return header + rowmap + b"".join(rows)


def _repeats_of_one(packed: bytes) -> bytes:
    """`packed` coded as a run of one repeat a byte: three bytes each, the longest coding."""
    return b"".join(bytes([0, 1, byte]) for byte in packed)


@pytest.mark.parametrize("long_row", [0, -1])
def test_msp_whose_first_or_last_row_is_too_long_is_a_decode_error(
    tmp_path: Path, long_row: int
) -> None:
    width = 13  # two bytes a row: six at most
    rows = [_repeats_of_one(b"\xf0\x0f")] * 4
    rows[long_row] = rows[long_row] + b"\x01"
    path = tmp_path / "paint.msp"
    path.write_bytes(_msp_v2(width, rows))
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "over 6 bytes" in failure.reason


def test_msp_of_one_row_too_long_is_a_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "paint.msp"
    path.write_bytes(_msp_v2(8, [_repeats_of_one(b"\xaa") + b"\x01"]))
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "over 3 bytes" in failure.reason


def test_msp_row_check_leaves_the_file_at_its_start() -> None:
    file = io.BytesIO(_msp_v2(8, [_repeats_of_one(b"\xaa")] * 3))
    with Image.open(file) as image:
        file.seek(5)
        check_msp_rows(image, file)
        assert file.tell() == 0
