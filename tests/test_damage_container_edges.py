"""Edges of `container_cut_short` and the JPEG 2000 end checks, on files built with Pillow (WebP,
JPEG 2000) and by hand (HEIF boxes): a whole file is never called cut, one cut a byte short is,
and padding or bytes after a codestream's end marker are no part cut off."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image, features

from tests.helpers import needs_jpeg_2000
from zsl_cli.image_damage import container_cut_short, jpeg_2000_with_bytes_after


def picture() -> Image.Image:
    return Image.linear_gradient("L").resize((16, 12)).convert("RGB")


def saved(format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    picture().save(buffer, format, **options)
    return buffer.getvalue()


def cut_short(data: bytes, decoded: bool = False) -> bool:
    return container_cut_short(io.BytesIO(data), len(data), decoded=decoded)


needs_webp = pytest.mark.skipif(not features.check("webp"), reason="this Pillow has no WebP")


@needs_webp
def test_whole_webp_is_not_cut_and_one_a_byte_short_is() -> None:
    data = saved("WEBP")
    assert not cut_short(data)
    assert cut_short(data[:-1])


@needs_webp
def test_webp_with_bytes_after_its_riff_size_is_not_cut() -> None:
    assert not cut_short(saved("WEBP") + bytes(3))


@needs_jpeg_2000
@pytest.mark.parametrize("no_jp2", [True, False])
@pytest.mark.parametrize("tiles", [None, (8, 8)])
def test_whole_jpeg_2000_is_not_cut(no_jp2: bool, tiles: tuple[int, int] | None) -> None:
    data = saved("JPEG2000", no_jp2=no_jp2, tile_size=tiles)
    assert not cut_short(data)
    assert not cut_short(data, decoded=True)
    assert jpeg_2000_with_bytes_after(io.BytesIO(data), len(data)) is None


@needs_jpeg_2000
@pytest.mark.parametrize("no_jp2", [True, False])
@pytest.mark.parametrize("tiles", [None, (8, 8)])
@pytest.mark.parametrize("missing", [1, 2, 3])
def test_jpeg_2000_cut_short_is_cut(
    no_jp2: bool, tiles: tuple[int, int] | None, missing: int
) -> None:
    data = saved("JPEG2000", no_jp2=no_jp2, tile_size=tiles)
    assert cut_short(data[:-missing])


@needs_jpeg_2000
@pytest.mark.parametrize("padding", [b"\0", b"\0" * 70_000, b" \r\n\t", b"\x0b\x0c"])
def test_bare_codestream_padded_after_its_end_is_not_cut(padding: bytes) -> None:
    assert not cut_short(saved("JPEG2000", no_jp2=True) + padding)


@needs_jpeg_2000
def test_codestream_with_bytes_after_its_end_marker_is_not_cut() -> None:
    assert not cut_short(saved("JPEG2000", no_jp2=True, tile_size=(8, 8)) + b"trailing")


def codestream_box_at(data: bytes) -> int:
    at = data.index(b"jp2c") - 4
    assert int.from_bytes(data[at : at + 4], "big") == len(data) - at
    return at


@needs_jpeg_2000
def test_jp2_whose_codestream_box_runs_to_the_end_is_judged_by_its_end_marker() -> None:
    data = saved("JPEG2000")
    at = codestream_box_at(data)
    to_end = data[:at] + bytes(4) + data[at + 4 :]
    assert not cut_short(to_end)
    assert cut_short(to_end[:-1])


@needs_jpeg_2000
def test_jp2_whose_codestream_box_runs_past_the_end_is_cut() -> None:
    data = saved("JPEG2000")
    at = codestream_box_at(data)
    longer = data[:at] + (len(data) - at + 1).to_bytes(4, "big") + data[at + 4 :]
    assert cut_short(longer)


@needs_jpeg_2000
def test_jp2_with_padding_after_its_whole_codestream_box_is_not_cut() -> None:
    assert not cut_short(saved("JPEG2000") + bytes(5))


@needs_jpeg_2000
def test_jp2_with_a_box_cut_short_after_its_codestream_is_cut_unless_decoded() -> None:
    data = saved("JPEG2000") + struct.pack(">I", 100) + b"xml " + b"<a/>"
    assert cut_short(data)
    assert not cut_short(data, decoded=True)


@needs_jpeg_2000
def test_codestream_whose_last_tile_part_runs_to_its_end_marker_has_bytes_after_it() -> None:
    data = saved("JPEG2000", no_jp2=True)
    sot = data.index(b"\xff\x90")
    whole = data[: sot + 6] + bytes(4) + data[sot + 10 :]
    assert jpeg_2000_with_bytes_after(io.BytesIO(whole + b"more"), len(whole) + 4) == len(whole)
    assert jpeg_2000_with_bytes_after(io.BytesIO(whole), len(whole)) is None


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def heif_with_item(offset: int, length: int, base: int = 0, *, brand: bytes = b"heic") -> bytes:
    """A HEIF whose one item (iloc version 1, 4-byte offset, length and base offset) lies at
    base + offset, `length` bytes, and an mdat of 100 bytes last."""
    fields = struct.pack(">HHHH", 1, 1, 0, 0) + struct.pack(">IH", base, 1)
    fields += struct.pack(">II", offset, length)
    iloc = box(b"iloc", bytes([1, 0, 0, 0]) + bytes([0x44, 0x40]) + fields)
    ftyp = box(b"ftyp", brand + bytes(4) + brand)
    return ftyp + box(b"meta", bytes(4) + iloc) + box(b"mdat", bytes(100))


def test_heif_whose_item_ends_at_the_end_of_the_file_is_not_cut() -> None:
    data = heif_with_item(0, 0)
    data = heif_with_item(len(data) - 100, 100)
    assert not cut_short(data)
    assert cut_short(heif_with_item(len(data) - 100, 101))


def test_heif_item_placed_by_its_base_offset_past_the_end_is_cut() -> None:
    data = heif_with_item(0, 0)
    assert cut_short(heif_with_item(len(data) - 100, 100, base=1))
    assert not cut_short(heif_with_item(len(data) - 101, 100, base=1))


def test_iso_media_file_of_no_image_brand_is_not_judged_by_its_items() -> None:
    data = heif_with_item(0, 0)
    assert not cut_short(heif_with_item(len(data) - 100, 101, brand=b"isom"))


def test_heif_item_of_8_byte_offsets_and_4_byte_lengths_is_read_as_such() -> None:
    mdat = box(b"mdat", bytes(100))
    fields = struct.pack(">HHHH", 1, 1, 0, 0) + struct.pack(">IH", 0, 1)
    iloc = box(b"iloc", bytes([1, 0, 0, 0, 0x84, 0x40]) + fields + struct.pack(">QI", 0, 0))
    ftyp = box(b"ftyp", b"heic" + bytes(4) + b"heic")
    size = len(ftyp) + len(box(b"meta", bytes(4) + iloc)) + len(mdat)

    def with_item(offset: int, length: int) -> bytes:
        extent = struct.pack(">QI", offset, length)
        item = box(b"iloc", bytes([1, 0, 0, 0, 0x84, 0x40]) + fields + extent)
        return ftyp + box(b"meta", bytes(4) + item) + mdat

    assert not cut_short(with_item(size - 100, 100))
    assert cut_short(with_item(size - 100, 101))
