"""A draft-decoded JPEG is resized by the size it has decoded whole (FULL_SIZE_INFO), not by its
drafted size, whose sides are each rounded up at the draft's scale: 1000x705 at 1/8 is 125x89,
and a 32-pixel shortest edge makes 1000x705 45x32 but 125x89 44x32."""

from __future__ import annotations

import numpy as np
from PIL import Image

from zsl_cli.encoders.preprocess import FastPreprocessor
from zsl_cli.images import FULL_SIZE_INFO


def test_a_drafted_image_is_resized_as_its_full_size_would_be():
    pixels = np.random.default_rng(4).integers(0, 256, (89, 125, 3), dtype=np.uint8)
    drafted = Image.fromarray(pixels)
    drafted.info[FULL_SIZE_INFO] = (1000, 705)
    geometry = FastPreprocessor(32, None, (32, 32), Image.BILINEAR)
    # 32 * 1000 / 705 = 45.4 -> 45 columns; the 32-column crop starts (45 - 32) // 2 = 6 in.
    expected = np.asarray(drafted.resize((45, 32), Image.BILINEAR))[:, 6:38]
    np.testing.assert_array_equal(geometry(drafted), expected)
