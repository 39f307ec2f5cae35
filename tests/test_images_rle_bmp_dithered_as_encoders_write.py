"""A run-length BMP of a dithered image as GIMP and Windows write it (3 or more differing pixels
given one by one, repeats as runs) makes some 3.4 pixels a code decoded one by one in Python in
RLE4: it decodes, to the pixels of the image written, where a file built of codes of under 2
pixels each is refused."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli import image_formats
from zsl_cli.images import decode_image


def _nibble_pairs(pixels: list[int]) -> bytes:
    padded = pixels + [0] * (len(pixels) % 2)
    return bytes(padded[i] << 4 | padded[i + 1] for i in range(0, len(padded), 2))


def _rle4_line(row: list[int]) -> bytes:
    """One line as GIMP codes it: a run for repeats, 3 or more differing pixels given."""
    out, i = bytearray(), 0
    while i < len(row):
        repeats = 1
        while i + repeats < len(row) and row[i + repeats] == row[i] and repeats < 254:
            repeats += 1
        if repeats >= 2:
            out += bytes((repeats, row[i] << 4 | row[i]))
            i += repeats
            continue
        end = i
        while (
            end < len(row)
            and end - i < 254
            and not (end + 1 < len(row) and row[end + 1] == row[end])
        ):
            end += 1
        if end - i < 3:
            for pixel in row[i : max(end, i + 1)]:
                out += bytes((1, pixel << 4 | pixel))
            i = max(end, i + 1)
            continue
        given = _nibble_pairs(row[i:end])
        out += bytes((0, end - i)) + given + bytes(len(given) % 2)
        i = end
    return bytes(out) + b"\0\0"


def _rle4_bmp(image: Image.Image) -> bytes:
    indices = np.asarray(image)
    height, width = indices.shape
    codes = b"".join(_rle4_line(row.tolist()) for row in indices[::-1]) + b"\0\1"
    rgb = (image.getpalette() or [])[: 16 * 3]
    rgb += [0] * (16 * 3 - len(rgb))
    palette = b"".join(bytes((rgb[i + 2], rgb[i + 1], rgb[i], 0)) for i in range(0, 48, 3))
    start = 14 + 40 + len(palette)
    return (
        b"BM"
        + struct.pack("<IHHI", start + len(codes), 0, 0, start)
        + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 4, 2, len(codes), 2835, 2835, 16, 0)
        + palette
        + codes
    )


def test_a_dithered_sixteen_colour_bitmap_decodes_to_its_pixels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1,000 codes free here for 500,000 in use: the image is 1/100 of the size at which
    # such files (3.4 pixels a code) were refused.
    monkeypatch.setattr(image_formats, "_RLE_FREE_PYTHON_CODES", 1000)
    width, height = 220, 160
    rng = np.random.default_rng(1)
    ramp = np.add.outer(np.linspace(0, 255, height), np.linspace(0, 255, width)) / 2
    grey = np.clip(ramp + rng.normal(0, 12, (height, width)), 0, 255).astype(np.uint8)
    dithered = Image.fromarray(grey).convert("RGB").quantize(16, dither=Image.Dither.FLOYDSTEINBERG)
    path = tmp_path / "dithered.bmp"
    path.write_bytes(_rle4_bmp(dithered))
    with Image.open(path) as reference:
        assert reference.info.get("compression") == 2  # RLE4, as written
    # The image written, not Pillow's reading of the file: Pillow 12.3 misreads some of its
    # runs of given pixels.
    expected = np.asarray(dithered.convert("RGB"))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), expected)
