"""Edges of the TIFF checks, on files built with Pillow: a whole file is never taken for a cut
one, one cut a byte short is, and the checks after decoding refuse damaged strips alone."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile

from zsl_cli.image_damage import (
    CUT,
    PLACED_PAST_END,
    STRIPS_WITHIN,
    check_tiff_deflate,
    check_tiff_packbits,
    check_tiff_strips,
    tiff_damage,
)
from zsl_cli.image_formats import ReadBudget
from zsl_cli.images import DecodeError


def tiff(compression: str | None = None, size: tuple[int, int] = (16, 12), **kw: object) -> bytes:
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "TIFF", compression=compression, **kw)
    return buffer.getvalue()


def strips(data: bytes) -> list[tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        return list(zip(image.tag_v2[273], image.tag_v2[279], strict=True))


def damage(data: bytes) -> str | None:
    return tiff_damage(io.BytesIO(data), len(data))


def test_whole_tiff_holds_its_strips() -> None:
    assert damage(tiff()) == STRIPS_WITHIN


def test_tiff_cut_a_byte_short_is_cut() -> None:
    data = tiff()
    assert damage(data[:-1]) == CUT


def test_tiff_whose_directory_is_cut_is_cut() -> None:
    data = tiff()
    ifd = int.from_bytes(data[4:8], "little")
    assert damage(data[: ifd + 10]) == CUT


def value_at(data: bytes, tag: int) -> int:
    """Where the value (or its offset) of a classic little-endian TIFF's first-directory entry
    of `tag` lies."""
    ifd = int.from_bytes(data[4:8], "little")
    for entry in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        at = ifd + 2 + 12 * entry
        if int.from_bytes(data[at : at + 2], "little") == tag:
            return at + 8
    raise AssertionError(f"no tag {tag}")


def with_strip_at(data: bytes, offset: int) -> bytes:
    at = value_at(data, 273)
    return data[:at] + offset.to_bytes(4, "little") + data[at + 4 :]


def test_tiff_whose_strip_offset_lies_past_the_end_is_placed_there() -> None:
    # The file holds a run of the strip's length that nothing else covers: a damaged offset.
    data = tiff()
    assert damage(with_strip_at(data, len(data) + 1000)) == PLACED_PAST_END


@pytest.mark.parametrize("padding", [0, 1, 8])
def test_tiff_cut_just_where_its_strip_starts_is_cut(padding: int) -> None:
    # libtiff writes a directory's values last: a cut on the byte where a part starts (or
    # the padding before it) leaves a file ending where the part before it ends.
    data = tiff()
    ((offset, count),) = strips(data)
    cut = with_strip_at(data, offset + padding)[:offset]
    assert damage(cut) == CUT


def test_tiff_with_a_directory_of_no_known_field_types_has_a_damaged_offset() -> None:
    data = bytearray(tiff())
    ifd = int.from_bytes(data[4:8], "little")
    for entry in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        at = ifd + 2 + 12 * entry + 2
        data[at : at + 2] = (200).to_bytes(2, "little")
    assert "holds no tags" in str(damage(bytes(data)))


def test_a_tiff_whose_first_entry_alone_has_an_unknown_type_has_a_damaged_offset() -> None:
    data = bytearray(tiff())
    ifd = int.from_bytes(data[4:8], "little")
    data[ifd + 4 : ifd + 6] = (200).to_bytes(2, "little")
    assert "holds no tags" in str(damage(bytes(data)))


def test_few_uncompressed_strips_pass_the_strip_check() -> None:
    data = tiff(rowsperstrip=1)
    file = io.BytesIO(data)
    check_tiff_strips(file, len(data))
    assert file.tell() == 0


def decoded(data: bytes) -> ImageFile.ImageFile:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("compression", ["tiff_deflate", "tiff_adobe_deflate"])
def test_whole_deflate_tiff_passes(compression: str) -> None:
    data = tiff(compression)
    check_tiff_deflate(decoded(data), io.BytesIO(data))


def test_deflate_strip_whose_checksum_fails_is_refused() -> None:
    data = tiff("tiff_deflate")
    ((offset, count),) = strips(data)
    damaged = bytearray(data)
    damaged[offset + count - 1] ^= 0xFF  # the stream's checksum (Adler-32) ends the strip
    with pytest.raises(DecodeError, match=r"strip or tile 1 of 1, at byte"):
        check_tiff_deflate(decoded(data), io.BytesIO(bytes(damaged)))


def test_deflate_strip_whose_data_ends_before_its_stream_passes() -> None:
    # A writer that leaves the checksum out: libtiff reads no further than it needs.
    data = tiff("tiff_deflate")
    ((offset, count),) = strips(data)
    short = io.BytesIO(data[: offset + count - 4])
    check_tiff_deflate(decoded(data), short)


def test_packbits_tiff_passes_and_leaves_the_file_at_its_start() -> None:
    data = tiff("packbits")
    file = io.BytesIO(data)
    file.seek(5)
    check_tiff_packbits(decoded(data), file)
    assert file.tell() == 0


def with_first_strip(data: bytes, codes: bytes) -> io.BytesIO:
    ((offset, count),) = strips(data)
    assert len(codes) <= count
    codes += bytes([128]) * (count - len(codes))  # 128 codes nothing
    return io.BytesIO(data[:offset] + codes + data[offset + count :])


def test_packbits_codes_of_just_the_strips_rows_pass() -> None:
    data = tiff("packbits")  # 12 rows of 48 bytes, in one strip
    check_tiff_packbits(decoded(data), with_first_strip(data, bytes([257 - 64, 7]) * 9))


@pytest.mark.parametrize(
    ("last", "made"),
    [(bytes([255, 7]), 578), (bytes([0, 7]), 577), (bytes([1, 7, 7]), 578)],
)
def test_packbits_codes_of_more_bytes_than_the_rows_are_refused(last: bytes, made: int) -> None:
    data = tiff("packbits")
    codes = bytes([257 - 64, 7]) * 9 + last
    with pytest.raises(DecodeError, match=f"make {made} bytes, not the 576 of its rows"):
        check_tiff_packbits(decoded(data), with_first_strip(data, codes))


def test_packbits_run_cut_by_the_strips_end_makes_nothing() -> None:
    data = tiff("packbits")
    ((_, count),) = strips(data)
    codes = bytes([257 - 64, 7]) * 9 + bytes([128]) * (count - 20) + bytes([5, 7])
    check_tiff_packbits(decoded(data), with_first_strip(data, codes))


def with_tag(data: bytes, tag: int, new_tag: int) -> bytes:
    at = value_at(data, tag) - 8
    return data[:at] + new_tag.to_bytes(2, "little") + data[at + 2 :]


def test_tiff_whose_strip_byte_counts_are_missing_lists_no_strips() -> None:
    # An unknown tag (65000) in place of StripByteCounts: its strips' lengths are not known.
    assert damage(with_tag(tiff(), 279, 65000)) is None


def with_directory_last(data: bytes) -> bytes:
    """The TIFF with its directory copied to the end of the file, as libtiff writes it, the
    header pointing there (the old one left as bytes no part covers)."""
    ifd = int.from_bytes(data[4:8], "little")
    end = ifd + 2 + 12 * int.from_bytes(data[ifd : ifd + 2], "little") + 4
    return data[:4] + len(data).to_bytes(4, "little") + data[8:] + data[ifd:end]


def test_tiff_whose_directory_ends_the_file_holds_its_strips() -> None:
    assert damage(with_directory_last(tiff())) == STRIPS_WITHIN


@pytest.mark.parametrize("missing", [1, 4])
def test_tiff_cut_inside_its_last_directory_is_cut(missing: int) -> None:
    assert damage(with_directory_last(tiff())[:-missing]) == CUT


def test_tiff_whose_last_value_ends_the_file_holds_its_strips() -> None:
    # A value the directory points to (the bits of each sample, 3 SHORTs) moved to the end.
    data = tiff()
    at = value_at(data, 258)
    old = int.from_bytes(data[at : at + 4], "little")
    data = data[:at] + len(data).to_bytes(4, "little") + data[at + 4 :] + data[old : old + 6]
    assert damage(data) == STRIPS_WITHIN


def with_strip_count(data: bytes, count: int) -> bytes:
    at = value_at(data, 273) - 4
    return data[:at] + count.to_bytes(4, "little") + data[at + 4 :]


def strips_check(data: bytes) -> None:
    check_tiff_strips(io.BytesIO(data), len(data))


def test_strip_count_the_read_budget_allows_for_the_files_size_passes_and_one_more_not() -> None:
    data = tiff()
    most = ReadBudget.FREE_READS + len(data) // ReadBudget.BYTES_PER_READ
    strips_check(with_strip_count(data, most))
    with pytest.raises(DecodeError, match=f"{most + 1:,} strips or tiles"):
        strips_check(with_strip_count(data, most + 1))


def test_many_strips_of_compressed_pixels_or_in_no_known_tiff_version_pass() -> None:
    many = with_strip_count(tiff(), 10 * ReadBudget.FREE_READS)
    at = value_at(many, 259)
    strips_check(many[:at] + (5).to_bytes(2, "little") + many[at + 2 :])
    strips_check(many[:2] + (44).to_bytes(2, "little") + many[4:])
