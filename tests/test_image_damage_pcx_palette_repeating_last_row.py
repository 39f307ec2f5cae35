"""A whole 256-colour PCX whose palette's first bytes read as codes that make its last row again,
then a 12 (its first colour the indices of that row and its pad byte, then a 12), is whole:
its pixels end at the palette's marker, and no later 12 is taken for one."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from zsl_cli.images import decode_image


def test_a_palette_whose_first_bytes_repeat_the_last_row_is_no_cut(tmp_path: Path) -> None:
    pixels = np.array([[5, 6, 7], [9, 10, 11], [1, 2, 3]], np.uint8)
    image = Image.fromarray(pixels, "P")
    palette = [1, 2, 3, 0, 12, 40] + [v % 256 for v in range(60, 60 + 762)]
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, "PCX")
    data = buffer.getvalue()
    # Rows of 4 bytes (a pad byte after 3 pixels): the palette reads as the row 1 2 3 0, then 12.
    assert data[-769:-763] == b"\x0c\x01\x02\x03\x00\x0c"
    path = tmp_path / "whole.pcx"
    path.write_bytes(data)
    decoded = decode_image(path)
    assert np.array_equal(np.asarray(decoded.convert("RGB"))[2, 0], [0, 12, 40])  # index 1
