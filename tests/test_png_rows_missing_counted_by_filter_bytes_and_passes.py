"""decode_image on a PNG whose compressed pixel data ends, whole, one row short of its height,
where the bytes it takes are counted right only with each row's filter byte (a narrow image,
whose rows are mostly filter bytes) and with the rows of Adam7's passes (an interlaced one,
whose passes add rows of their own)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.corpus import ADAM7
from tests.helpers import failure_of
from tests.test_image_damage_png_rows_missing import rgb_png


def pixels_of(width: int, rows: int = 40) -> np.ndarray:
    return (np.arange(rows * width * 3).reshape(rows, width, 3) % 199 + 20).astype(np.uint8)


def test_one_pixel_wide_png_whose_data_ends_a_row_short_is_a_decode_error(tmp_path: Path) -> None:
    # 39 rows of a filter byte and 3 bytes of pixels: 156 bytes, more than the 120 of 40 rows'
    # pixels alone, fewer than the 160 they take with their filter bytes.
    path = tmp_path / "narrow.png"
    path.write_bytes(rgb_png(pixels_of(1), kept=39 * (1 + 3)))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "its pixel data ends short of its 40 rows (156 of the 160 bytes" in error.reason


def test_interlaced_png_whose_last_pass_ends_a_row_short_is_a_decode_error(
    tmp_path: Path,
) -> None:
    # An 8-pixel-wide interlaced PNG takes 1,035 bytes in its 7 passes (75 rows of them); one
    # row of the last pass left out leaves 1,010, more than the 1,000 of 40 rows not interlaced.
    pixels = pixels_of(8)
    passes = [pixels[top::down, left::across] for left, top, across, down in ADAM7]
    whole = sum(len(p) * (1 + p.shape[1] * 3) for p in passes if p.size)
    assert whole == 1035
    path = tmp_path / "interlaced.png"
    path.write_bytes(rgb_png(pixels, interlaced=True, kept=whole - (1 + 8 * 3)))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "its pixel data ends short of its 40 rows (1,010 of the 1,035 bytes" in error.reason
