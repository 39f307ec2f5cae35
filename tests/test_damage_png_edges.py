"""Edges of the PNG checks around Pillow's decode, on files built with Pillow: where the pixel
data's checksum is read (whole chunks alone, from the first chunk on), which damaged chunks are
patched, and which ICC profiles and text chunks are skipped."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from zsl_cli.image_damage import (
    PatchedFile,
    check_png_pixel_data,
    damaged_png_chunks,
    dropped_png_text,
    extra_icc_profiles,
)
from zsl_cli.images import DecodeError


def small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    checksum = zlib.crc32(kind + data) if crc is None else crc
    return len(data).to_bytes(4, "big") + kind + data + checksum.to_bytes(4, "big")


def with_chunks_before(data: bytes, before: bytes, *chunks: bytes) -> bytes:
    at = data.index(before) - 4
    return data[:at] + b"".join(chunks) + data[at:]


def idat_end(data: bytes) -> int:
    at = data.index(b"IDAT") - 4
    return at + 12 + int.from_bytes(data[at : at + 4], "big")


def with_bad_idat_checksum(data: bytes) -> bytes:
    end = idat_end(data)
    return data[: end - 4] + bytes(4) + data[end:]


def test_pixel_data_that_fails_its_checksum_is_refused() -> None:
    data = with_bad_idat_checksum(small_png())
    with pytest.raises(DecodeError, match="fails its checksum"):
        check_png_pixel_data(io.BytesIO(data), len(data))


def test_whole_pixel_data_passes_and_leaves_the_file_at_its_start() -> None:
    data = small_png()
    file = io.BytesIO(data)
    check_png_pixel_data(file, len(data))
    assert file.tell() == 0


@pytest.mark.parametrize("missing", [1, 2, 4])
def test_pixel_data_cut_inside_its_checksum_is_not_refused(missing: int) -> None:
    # Its pixels decoded before the cut: the part of a checksum left is no checksum to check.
    data = small_png()
    data = data[: idat_end(data) - missing]
    check_png_pixel_data(io.BytesIO(data), len(data))


def test_pixel_data_after_the_end_chunk_is_not_read() -> None:
    # IEND before any pixel data ends the walk: bytes after it are no part of the image.
    data = small_png()
    iend = data.index(b"IEND") - 4
    idat = data.index(b"IDAT") - 4
    data = data[:idat] + data[iend:] + with_bad_idat_checksum(data)[idat:iend]
    check_png_pixel_data(io.BytesIO(data), len(data))


def test_damaged_critical_chunk_after_a_damaged_ancillary_one_patches_nothing() -> None:
    data = with_chunks_before(small_png(), b"IDAT", chunk(b"tEXt", b"a\x00b", crc=0))
    data = with_chunks_before(data, b"IDAT", chunk(b"PLTE", bytes(6), crc=0))
    assert damaged_png_chunks(io.BytesIO(data), len(data)) == {}


def test_damaged_ancillary_chunks_are_patched_into_chunks_with_good_checksums() -> None:
    text = chunk(b"tEXt", b"a\x00b", crc=0)
    data = with_chunks_before(small_png(), b"IDAT", text)
    patches = damaged_png_chunks(io.BytesIO(data), len(data))
    patched = PatchedFile(io.BytesIO(data), patches).read()
    at = data.index(text)
    kind = patched[at + 4 : at + 8]
    assert kind != b"tEXt" and kind[0] & 0x20
    assert patched[at + 11 : at + 15] == zlib.crc32(kind + b"a\x00b").to_bytes(4, "big")
    Image.open(io.BytesIO(patched)).load()


def test_damaged_chunks_past_the_most_patches_are_left() -> None:
    damaged = [chunk(b"tEXt", b"k\x00%d" % n, crc=0) for n in range(501)]
    data = with_chunks_before(small_png(), b"IDAT", *damaged)
    assert len(damaged_png_chunks(io.BytesIO(data), len(data))) == 1000


def test_a_chunk_running_past_the_end_ends_the_walk() -> None:
    data = small_png()
    at = data.index(b"IDAT") - 4
    data = data[:at] + (100).to_bytes(4, "big") + b"tEXt" + b"a\x00b" + bytes(4)
    assert damaged_png_chunks(io.BytesIO(data), len(data)) == {}


def profile(n: int) -> bytes:
    return chunk(b"iCCP", b"p%d\x00\x00" % n + zlib.compress(b"x" * 100))


def test_profiles_after_the_first_before_the_pixels_are_skipped_and_none_after() -> None:
    first, second = profile(1), profile(2)
    data = with_chunks_before(small_png(), b"IDAT", first, second)
    data = with_chunks_before(data, b"IEND", profile(3))
    patches = extra_icc_profiles(io.BytesIO(data), len(data))
    assert set(patches) == {data.index(second) + 4, data.index(second) + len(second) - 4}


def test_a_profile_after_the_pixels_alone_is_not_skipped_in_a_png() -> None:
    data = with_chunks_before(small_png(), b"IEND", profile(1))
    assert extra_icc_profiles(io.BytesIO(data), len(data)) == {}


def test_text_over_pillows_limits_drops_each_text_chunk_and_profile() -> None:
    kinds = [
        chunk(b"tEXt", b"a\x00b"),
        chunk(b"zTXt", b"a\x00\x00" + zlib.compress(b"b")),
        chunk(b"iTXt", b"a\x00\x00\x00\x00\x00b"),
        profile(1),
    ]
    data = with_chunks_before(small_png(), b"IDAT", *kinds[:2])
    data = with_chunks_before(data, b"IEND", *kinds[2:])
    patches = dropped_png_text(ValueError("past MAX_TEXT_CHUNK"), io.BytesIO(data), len(data))
    assert {at for at in patches if patches[at].isalpha()} == {
        data.index(piece) + 4 for piece in kinds
    }
    patched = PatchedFile(io.BytesIO(data), patches).read()
    with Image.open(io.BytesIO(patched)) as image:
        image.load()
        assert image.getpixel((0, 0)) == (200, 30, 10)


@pytest.mark.parametrize(
    "error", [OSError("past MAX_TEXT_CHUNK"), ValueError("some other failure")]
)
def test_other_failures_drop_no_text(error: BaseException) -> None:
    data = with_chunks_before(small_png(), b"IDAT", chunk(b"tEXt", b"a\x00b"))
    assert dropped_png_text(error, io.BytesIO(data), len(data)) == {}


def test_pixel_data_that_ends_the_file_is_checked() -> None:
    # Cut just after its pixel data: the last chunk is whole, and its checksum is read.
    data = with_bad_idat_checksum(small_png())
    data = data[: idat_end(data)]
    with pytest.raises(DecodeError, match="fails its checksum"):
        check_png_pixel_data(io.BytesIO(data), len(data))


def icon_with_profiles_after_its_pixels(count: int) -> tuple[bytes, list[bytes]]:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 10)).save(buffer, "ICO", sizes=[(16, 16)])
    data = buffer.getvalue()
    offset = int.from_bytes(data[18:22], "little")
    assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
    profiles = [profile(n) for n in range(count)]
    data = with_chunks_before(data, b"IEND", *profiles)
    length = int.from_bytes(data[14:18], "little") + sum(map(len, profiles))
    return data[:14] + length.to_bytes(4, "little") + data[18:], profiles


def test_profiles_after_the_pixels_of_an_icons_png_are_skipped() -> None:
    data, profiles = icon_with_profiles_after_its_pixels(2)
    patches = extra_icc_profiles(io.BytesIO(data), len(data))
    assert {at for at in patches if patches[at].isalpha()} == {
        data.index(piece) + 4 for piece in profiles
    }
    with Image.open(io.BytesIO(PatchedFile(io.BytesIO(data), patches).read())) as image:
        assert image.getpixel((0, 0))[:3] == (200, 30, 10)


def test_damaged_chunk_that_ends_the_file_is_patched() -> None:
    text = chunk(b"tEXt", b"a\x00b", crc=0)
    data = small_png()
    data = data[: data.index(b"IDAT") - 4] + text
    assert len(damaged_png_chunks(io.BytesIO(data), len(data))) == 2


def test_png_of_more_empty_chunks_than_the_read_budget_is_refused() -> None:
    # The walk is no stall of its own: it stops where Pillow's reads would be refused.
    data = with_chunks_before(small_png(), b"IDAT", chunk(b"tEXt", b"") * 230_000)
    with pytest.raises(DecodeError, match="over 200,000"):
        extra_icc_profiles(io.BytesIO(data), len(data))


def test_empty_pixel_data_chunk_that_ends_the_file_is_checked() -> None:
    data = small_png()
    data = data[: idat_end(data)] + chunk(b"IDAT", b"", crc=0)
    with pytest.raises(DecodeError, match="fails its checksum"):
        check_png_pixel_data(io.BytesIO(data), len(data))
