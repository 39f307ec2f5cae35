"""A float picture of [0, 1] with hot pixels: one pixel in 1000, and at least one in a small
image, may lie anywhere (clipped to white) without making the picture another; one more than
that and the picture is stretched from its lowest value to its highest. Expected levels come
from numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.images import decode_image


def _float_tiff(path: Path, values: np.ndarray) -> Path:
    Image.fromarray(values.astype(np.float32)).save(path)
    with Image.open(path) as image:
        assert image.mode == "F"
    return path


def _grey(path: Path) -> np.ndarray:
    decoded = np.asarray(decode_image(path))
    assert (decoded == decoded[..., :1]).all()
    return decoded[..., 0]


@pytest.mark.parametrize("shape", [(10, 10), (40, 50)], ids=["100_pixels", "2000_pixels"])
def test_hot_pixels_as_many_as_allowed_leave_a_unit_picture_scaled_by_255(
    tmp_path: Path, shape: tuple[int, int]
) -> None:
    values = np.linspace(0.0, 1.0, shape[0] * shape[1], dtype=np.float32).reshape(shape)
    allowed = max(1, values.size // 1000)
    values.reshape(-1)[3 : 3 + allowed] = 300.0  # far past [0, 1], within 0..255's slack
    expected = np.clip(np.rint(values.astype(np.float64) * 255), 0, 255).astype(np.uint8)
    assert (expected.reshape(-1)[3 : 3 + allowed] == 255).all()
    np.testing.assert_array_equal(_grey(_float_tiff(tmp_path / "hot.tif", values)), expected)


def test_one_hot_pixel_more_than_allowed_stretches_the_picture(tmp_path: Path) -> None:
    values = np.linspace(0.0, 1.0, 100, dtype=np.float32).reshape(10, 10)
    values[0, 3:5] = 5.0  # two strays in 100 pixels, and none reaches 0..255's sixteenth
    stretched = np.rint(values.astype(np.float64) * 255 / 5.0).astype(np.uint8)
    np.testing.assert_array_equal(_grey(_float_tiff(tmp_path / "hot.tif", values)), stretched)
