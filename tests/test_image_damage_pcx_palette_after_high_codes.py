"""A 256-colour PCX whose pixels, from their first byte up to the byte 769 before the end, are
all codes of 0xC0 or more but that byte (a 12): read from the pixels' start, the codes tell a
run's value from the palette's marker, and a file cut there is cut short, not damaged inside."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.image_damage import DecodeError
from zsl_cli.image_damage.pcx import pcx_palette_at_end
from zsl_cli.images import decode_image


def _pcx_starting_with(first: list[int]) -> bytes:
    """A 256-colour PCX of 40x40 indices below 0xC0 but its first row's first ones, `first`."""
    pixels = np.random.default_rng(1).integers(0, 0xC0, (40, 40)).astype(np.uint8)
    pixels[0, : len(first)] = first
    image = Image.fromarray(pixels, "P")
    image.putpalette(list(range(256)) * 3)
    buffer = io.BytesIO()
    image.save(buffer, "PCX")
    return buffer.getvalue()


def test_a_run_of_12s_after_high_codes_from_the_pixels_start_is_no_palette_marker() -> None:
    # Codes C1 C5 (one 0xC5), C2 0C (two 12s): the 12 is a run's value, its count before it.
    pcx = _pcx_starting_with([0xC5, 12, 12])
    assert pcx[128:132] == b"\xc1\xc5\xc2\x0c"
    cut = pcx[: 128 + 3 + 769]
    assert not pcx_palette_at_end(io.BytesIO(cut), len(cut))


def test_a_12_after_an_even_row_of_high_codes_from_the_pixels_start_is_the_marker() -> None:
    # Codes C1 C5, C1 C6, then a 12 after them: no count comes just before it.
    data = _pcx_starting_with([0xC5, 0xC6])[:132] + b"\x0c" + bytes(768)
    assert data[128:132] == b"\xc1\xc5\xc1\xc6"
    assert pcx_palette_at_end(io.BytesIO(data), len(data))


def test_a_256_colour_pcx_cut_where_a_run_of_12s_takes_the_markers_place_is_truncated(
    tmp_path: Path,
) -> None:
    pcx = _pcx_starting_with([0xC5, 12, 12])
    path = tmp_path / "cut.pcx"
    path.write_bytes(pcx[: 128 + 3 + 769])
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "truncated", caught.value.reason


def test_a_12_after_more_high_codes_than_are_read_back_reads_as_the_marker() -> None:
    # 64 bytes of 0xC0 or more are read back before the 12, their row's start not among them:
    # no verdict on whether a count comes just before it, and it is taken for the marker.
    pixels = b"\x07" * 100 + b"\xc1" * 65
    data = _pcx_starting_with([])[:128] + pixels + b"\x0c" + bytes(768)
    assert pcx_palette_at_end(io.BytesIO(data), len(data))
