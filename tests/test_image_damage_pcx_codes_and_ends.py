"""The PCX checks of image_damage on codes at their edges: a count of 0 (0xC0) is a count, as
Pillow's decoder reads it; bytes after the last byte a header asks make no run across its rows;
bytes after the pixels that do not start with 12 are no palette cut short; and a PCX whose
header says greyscale, cut inside its pixels, is cut short all the same."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from zsl_cli.image_damage import DecodeError
from zsl_cli.image_damage.pcx import pcx_cut_short, pcx_palette_at_end, pcx_run_across_rows
from zsl_cli.images import decode_image


def _header(width: int, height: int, palette_info: int = 1) -> bytes:
    """A PCX header of version 5, 8 bits in one plane, a byte a pixel (no padding)."""
    header = bytearray(128)
    header[0:4] = b"\x0a\x05\x01\x08"
    header[8:10] = (width - 1).to_bytes(2, "little")
    header[10:12] = (height - 1).to_bytes(2, "little")
    header[65] = 1
    header[66:68] = width.to_bytes(2, "little")
    header[68:70] = palette_info.to_bytes(2, "little")
    return bytes(header)


def test_a_12_after_a_count_of_0_is_that_runs_value_not_the_palette_marker() -> None:
    data = _header(1, 1) + b"\x07\xc0\x0c" + bytes(768)
    assert not pcx_palette_at_end(io.BytesIO(data), len(data))


def test_a_long_run_after_the_bytes_the_header_asks_lies_across_no_row() -> None:
    data = _header(8, 2) + b"\x07" * 16 + b"\xff\x00"
    assert not pcx_run_across_rows(io.BytesIO(data), len(data))


def test_bytes_after_the_pixels_not_starting_with_12_are_no_palette_cut_short() -> None:
    data = _header(8, 8) + b"\x07" * 64 + bytes(10)
    assert not pcx_cut_short(io.BytesIO(data), len(data))


def test_a_small_pcx_whose_header_says_greyscale_cut_in_its_pixels_is_truncated(
    tmp_path: Path,
) -> None:
    data = _header(8, 8, palette_info=2) + b"\x07" * 30
    assert pcx_cut_short(io.BytesIO(data), len(data))
    path = tmp_path / "cut.pcx"
    path.write_bytes(data)
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "truncated", caught.value.reason
