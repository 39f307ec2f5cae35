"""decode_image on run-length coded Windows Paint (MSP version 2) files, built by hand: a row
map whose rows take as many bytes as coding their pixels can (a run of one repeat for each byte,
three bytes) decodes, one row longer is refused."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import failure_of
from zsl_cli.images import decode_image


def msp_v2(width: int, rows: list[bytes]) -> bytes:
    """An MSP version 2 file of `width` pixels and the coded `rows`, its header's checksum (the
    XOR of its 16 words) made 0."""
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


def repeats_of_one(packed: bytes) -> bytes:
    """`packed` coded as a run of one repeat per byte: three bytes each, the longest coding."""
    return b"".join(bytes([0, 1, byte]) for byte in packed)


@pytest.mark.parametrize("width", [8, 13, 30])
def test_msp_whose_rows_take_the_most_bytes_coding_can_decodes(tmp_path: Path, width: int) -> None:
    rng = np.random.default_rng(width)
    bits = rng.integers(0, 2, size=(5, width), dtype=np.uint8)
    packed = np.packbits(bits, axis=1)  # rows padded to whole bytes, as MSP stores them
    path = tmp_path / "paint.msp"
    path.write_bytes(msp_v2(width, [repeats_of_one(row.tobytes()) for row in packed]))
    decoded = np.asarray(decode_image(path).convert("L"))
    assert np.array_equal(decoded, bits * 255)  # a set bit is white


def test_msp_with_a_row_one_byte_longer_than_coding_can_take_is_a_decode_error(
    tmp_path: Path,
) -> None:
    width = 13  # two bytes a row: six at most
    rows = [repeats_of_one(b"\xf0\x0f")] * 4
    rows[2] = rows[2] + b"\x01"  # a literal run's count with its byte missing: makes nothing
    path = tmp_path / "paint.msp"
    path.write_bytes(msp_v2(width, rows))
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "over 6 bytes" in failure.reason
