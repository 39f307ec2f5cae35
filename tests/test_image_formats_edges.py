"""Edges of reading a float picture's range: a dark picture of [0, 1] is kept dark, not
stretched to white; one with a third of its values below 0 is stretched; a constant one is
black without a division by zero. Expected levels come from numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from zsl_cli.image_formats import _levels_of_bits, _stretch
from zsl_cli.images import decode_image


def test_a_dark_unit_float_picture_is_scaled_by_255_not_stretched(tmp_path: Path) -> None:
    # Its highest value, 0.2, reaches past a sixteenth of 1: a picture of [0, 1], if a dark one.
    values = np.linspace(0.0, 0.2, 100, dtype=np.float32).reshape(10, 10)
    path = tmp_path / "dark.tif"
    Image.fromarray(values).save(path)
    decoded = np.asarray(decode_image(path))
    expected = np.rint(values.astype(np.float64) * 255).astype(np.uint8)
    np.testing.assert_array_equal(decoded[..., 0], expected)
    assert decoded.max() == 51


def test_a_float_picture_a_third_below_zero_is_stretched_from_its_lowest_value(
    tmp_path: Path,
) -> None:
    # Within [0, 1]'s slack, but a quarter and more of it lies below 0: no picture of [0, 1].
    values = np.linspace(-0.5, 1.0, 100, dtype=np.float32).reshape(10, 10)
    path = tmp_path / "below.tif"
    Image.fromarray(values).save(path)
    wide = values.astype(np.float64)
    expected = np.rint((wide + 0.5) * 255 / 1.5).astype(np.uint8)
    np.testing.assert_array_equal(np.asarray(decode_image(path))[..., 0], expected)


def test_a_constant_is_stretched_to_black_without_dividing_by_zero() -> None:
    with np.errstate(all="raise"):
        levels = _stretch(np.full(4, 3.0), 3.0, 3.0)
    np.testing.assert_array_equal(levels, np.zeros(4, np.uint8))


def test_a_value_past_the_top_of_its_bits_is_white() -> None:
    # A 12-bit TIFF's samples stop at 4095; a value past it, which they cannot hold, is white
    # rather than wrapped round to a dark level.
    levels = _levels_of_bits(12)
    assert (levels[4095], levels[4096], levels[5000], levels[65535]) == (255, 255, 255, 255)
    assert levels[2048] == 128
