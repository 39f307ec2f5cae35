"""Edges of reading a float picture's range: a dark picture of [0, 1] is kept dark, not
stretched to white. Expected levels come from numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

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
