"""A 32-bit ICO picture whose alpha is zero everywhere takes its AND mask (as Windows shows
it); where the file ends inside that mask, the picture is shown opaque, as a BMP whose alpha is
zero everywhere is, rather than refused: its pixels are all there."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.corpus import blocky_rgb, ico_32bit_without_alpha
from zsl_cli.images import decode_image


def test_32bit_ico_whose_and_mask_is_cut_short_is_opaque(tmp_path: Path) -> None:
    pixels = blocky_rgb(16, 16, seed=7, block=4)
    data = ico_32bit_without_alpha(pixels, see_through_rows=4)
    path = tmp_path / "cut.ico"
    path.write_bytes(data[:-8])  # 16 rows of 4 bytes: its first two rows' mask cut off
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
