"""container_cut_short at its edges: a JPEG 2000 codestream whose last tile-part runs to its end
marker (length 0) ends there also where that marker lies across two blocks read; one whose one
tile-part names a tile its SIZ segment does not count is not walked to that marker; an AVIF
whose last box runs to the end (size 0) with no "meta" box before it is not cut short; and
brands are read from the "ftyp" box alone."""

from __future__ import annotations

import io
import struct

import pytest

from zsl_cli.image_damage.containers import container_cut_short

BLOCK = 1 << 16  # what the walk reads the coded data in


def _codestream(tile: int, coded: int, after: bytes) -> bytes:
    """A bare 8x8 .j2k of one tile (one component), its one tile-part (of index `tile`) of
    length 0, its header's SOD right after SOT, `coded` bytes of coded data (no 0xFF), its end
    marker, then `after`."""
    siz = b"\xff\x51" + struct.pack(">HH8I", 41, 0, 8, 8, 0, 0, 8, 8, 0, 0)
    siz += struct.pack(">H", 1) + bytes([7, 1, 1])
    sot = b"\xff\x90" + struct.pack(">HHIBB", 10, tile, 0, 0, 1)
    return b"\xff\x4f" + siz + sot + b"\xff\x93" + b"\x11" * coded + b"\xff\xd9" + after


def test_an_end_marker_across_two_blocks_ends_a_last_tile_part_of_length_0() -> None:
    start = len(_codestream(0, 0, b"")) - 2  # where the coded data starts
    assert start > 0
    data = _codestream(0, BLOCK - 1, b"garbage")  # 0xFF the block's last byte, 0xD9 the next's
    assert data[start + BLOCK - 1 : start + BLOCK + 1] == b"\xff\xd9"
    assert not container_cut_short(io.BytesIO(data), len(data))


@pytest.mark.parametrize("coded", [10, BLOCK + 10])
def test_a_tile_part_of_a_tile_the_siz_does_not_count_is_not_walked(coded: int) -> None:
    data = _codestream(5, coded, b"garbage")
    assert container_cut_short(io.BytesIO(data), len(data))
    counted = _codestream(0, coded, b"garbage")
    assert not container_cut_short(io.BytesIO(counted), len(counted))


def _box(kind: bytes, body: bytes, size: int | None = None) -> bytes:
    return struct.pack(">I", len(body) + 8 if size is None else size) + kind + body


def test_an_avif_whose_last_box_runs_to_the_end_without_a_meta_box_is_not_cut_short() -> None:
    ftyp = _box(b"ftyp", b"avif" + bytes(4) + b"avifmif1")
    data = ftyp + _box(b"mdat", b"\x11" * 100, size=0)
    assert not container_cut_short(io.BytesIO(data), len(data))
    sized = ftyp + _box(b"mdat", b"\x11" * 100)  # ends before the "meta" box it lacks
    assert container_cut_short(io.BytesIO(sized), len(sized))


def test_brand_like_bytes_after_the_ftyp_box_make_no_image_of_a_video() -> None:
    # An MP4's "ftyp" names no image brand; "mif1" in the box after it is no brand of its.
    data = _box(b"ftyp", b"isom" + bytes(4) + b"isommp41") + _box(b"free", b"mif1" * 4)
    assert not container_cut_short(io.BytesIO(data), len(data))
