"""A TIFF's EXIF orientation is applied once: Pillow's TIFF loader turns the pixels itself as it
loads them (and drops the tag), so decode_image must not turn them again. Expected pixels are
the written ones turned with numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.images import FULL_SIZE_INFO, decode_image

_ORIENTATION = 0x0112
_SHOWN = {
    1: lambda a: a,
    2: np.fliplr,
    3: lambda a: np.rot90(a, 2),
    4: np.flipud,
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.rot90(a, 2).transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}


@pytest.mark.parametrize("orientation", sorted(_SHOWN))
def test_a_tiffs_orientation_turns_it_once(tmp_path: Path, orientation: int) -> None:
    pixels = np.random.default_rng(orientation).integers(0, 256, (4, 6, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[_ORIENTATION] = orientation
    path = tmp_path / "turned.tif"
    Image.fromarray(pixels).save(path, exif=exif)
    decoded = decode_image(path)
    expected = _SHOWN[orientation](pixels)
    np.testing.assert_array_equal(np.asarray(decoded), expected)
    assert decoded.info[FULL_SIZE_INFO] == decoded.size == (expected.shape[1], expected.shape[0])
