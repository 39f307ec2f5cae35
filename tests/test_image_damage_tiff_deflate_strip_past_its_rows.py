"""A deflate TIFF whose one strip inflates past its rows (2.5 times the image's bytes) and then
fails its checksum is damaged inside: the check inflates up to twice the image's bytes and a
block before it gives no verdict, and libtiff, stopping once it has the rows, says nothing."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from zsl_cli.image_damage import DecodeError
from zsl_cli.images import decode_image

SIDE = 1024


def _deflate_tiff(strip: bytes) -> bytes:
    """A SIDE x SIDE grey TIFF of one deflate-coded strip, its directory after it."""
    entries = [
        (256, 3, 1, SIDE),
        (257, 3, 1, SIDE),
        (258, 3, 1, 8),
        (259, 3, 1, 8),  # Adobe deflate
        (262, 3, 1, 1),
        (273, 4, 1, 8),
        (277, 3, 1, 1),
        (278, 3, 1, SIDE),
        (279, 4, 1, len(strip)),
    ]
    table = struct.pack("<H", len(entries))
    table += b"".join(struct.pack("<HHII", *entry) for entry in entries) + bytes(4)
    pad = b"\0" * (len(strip) % 2)
    return b"II" + struct.pack("<HI", 42, 8 + len(strip) + len(pad)) + strip + pad + table


def _strip(checksum_off_by: int) -> bytes:
    coded = bytearray(zlib.compress(bytes(range(256)) * (SIDE * SIDE * 5 // 2 // 256)))
    coded[-1] ^= checksum_off_by
    return bytes(coded)


def test_a_strip_inflating_past_its_rows_with_a_wrong_checksum_is_damaged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "damaged.tif"
    path.write_bytes(_deflate_tiff(_strip(checksum_off_by=1)))
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "decode_error"
    assert "fail zlib's checks" in caught.value.reason


def test_a_strip_inflating_past_its_rows_with_its_checksum_decodes(tmp_path: Path) -> None:
    path = tmp_path / "whole.tif"
    path.write_bytes(_deflate_tiff(_strip(checksum_off_by=0)))
    assert decode_image(path).size == (SIDE, SIDE)
