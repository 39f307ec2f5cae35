"""The PCX checks of image_damage at their edges: a 256-colour PCX ends with its palette only
where a pixel's code, at least, comes between its header and that palette, and in version 5;
one cut after its last run's count is cut short; a count the file ends with makes no run; and a
run of 63 at a plane's end does not show that its writer codes each plane alone."""

from __future__ import annotations

import io

from zsl_cli.image_damage.pcx import pcx_cut_short, pcx_palette_at_end, pcx_run_across_rows


def _header_of_256_colours() -> bytes:
    header = bytearray(128)
    header[0:4] = b"\x0a\x05\x01\x08"  # ZSoft, version 5, run-length coded, 8 bits
    header[8:12] = b"\x00\x00\x00\x00"  # a 1x1 image
    header[65] = 1  # one plane
    header[66:68] = b"\x01\x00"  # a byte a row
    return bytes(header)


def test_a_palette_right_after_the_header_is_no_palette_after_pixels() -> None:
    data = _header_of_256_colours() + b"\x0c" + bytes(768)
    assert not pcx_palette_at_end(io.BytesIO(data), len(data))


def test_a_palette_after_one_pixel_code_ends_the_file() -> None:
    data = _header_of_256_colours() + b"\x07" + b"\x0c" + bytes(768)
    assert pcx_palette_at_end(io.BytesIO(data), len(data))


def test_a_pcx_of_another_version_has_no_palette_at_its_end() -> None:
    header = bytearray(_header_of_256_colours())
    header[1] = 3  # version 3: Pillow reads no palette after the pixels (nor opens 8 bits)
    data = bytes(header) + b"\x07" + b"\x0c" + bytes(768)
    assert not pcx_palette_at_end(io.BytesIO(data), len(data))
    assert not pcx_cut_short(io.BytesIO(data[:200]), 200)


def test_a_256_colour_pcx_cut_before_its_pixels_end_is_cut_short() -> None:
    header = bytearray(_header_of_256_colours())
    header[8:12] = b"\x07\x00\x07\x00"  # 8x8: 64 bytes of pixels
    header[66:68] = b"\x08\x00"
    data = bytes(header) + b"\x07" * 10
    assert pcx_cut_short(io.BytesIO(data), len(data))


def test_a_256_colour_pcx_cut_after_the_count_of_its_last_run_is_cut_short() -> None:
    header = bytearray(_header_of_256_colours())
    header[8:12] = b"\x07\x00\x07\x00"  # 8x8: 64 bytes of pixels
    header[66:68] = b"\x08\x00"
    data = bytes(header) + b"\x07" * 63 + b"\xc1"  # the last run's value cut off
    assert pcx_cut_short(io.BytesIO(data), len(data))


def test_a_count_the_file_ends_with_makes_no_run_across_a_row() -> None:
    header = bytearray(_header_of_256_colours())
    header[8:12] = b"\x07\x00\x01\x00"  # 8x2
    header[66:68] = b"\x08\x00"
    codes = b"\x07" * 6 + b"\xc4"  # a run of 4 from the 7th byte would cross the row's end
    data = bytes(header) + codes
    assert not pcx_run_across_rows(io.BytesIO(data), len(data))
    data += b"\x07"  # its value there, it does
    assert pcx_run_across_rows(io.BytesIO(data), len(data))


def test_a_run_of_63_ending_a_plane_shows_no_writer_that_codes_planes_alone() -> None:
    header = bytearray(_header_of_256_colours())
    header[8:12] = b"\x3e\x00\x00\x00"  # 63x1
    header[65] = 3  # three planes (RGB)
    header[66:68] = b"\x3f\x00"  # 63 bytes a plane's row
    red = b"\xff\x05"  # a run of 63, the longest: it ends the plane, whatever comes after
    green = b"\x05" * 60 + b"\xc6\x09"  # the same byte goes on; a run of 6 across into blue
    blue = b"\x09" * 60
    data = bytes(header) + red + green + blue
    assert not pcx_run_across_rows(io.BytesIO(data), len(data))
    shorter = bytes(header) + b"\xfe\x05\x05" + green + blue  # a run of 62 and a byte after
    assert pcx_run_across_rows(io.BytesIO(shorter), len(shorter))
