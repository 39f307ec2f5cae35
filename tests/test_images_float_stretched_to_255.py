"""A float picture whose highest value is exactly 255 but which lies in neither float range (over
a quarter of its values below 0) is stretched from its lowest value to 255, not read as a
0..255 picture clipped at 0. Expected levels come from numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from zsl_cli.images import decode_image


def test_float_picture_from_below_zero_up_to_255_is_stretched(tmp_path: Path) -> None:
    values = np.linspace(-200.0, 255.0, 100, dtype=np.float32).reshape(10, 10)
    path = tmp_path / "signed.tif"
    Image.fromarray(values).save(path)
    expected = np.rint((values.astype(np.float64) + 200.0) * 255.0 / 455.0).astype(np.uint8)
    decoded = np.asarray(decode_image(path))
    np.testing.assert_array_equal(decoded[..., 0], expected)
    assert (decoded == decoded[..., :1]).all()
