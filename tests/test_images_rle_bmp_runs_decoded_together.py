"""A run-length BMP's runs between two escapes are decoded together: a bitmap of one-pixel runs
is decoded without a Python step per run (a code at a time in Python, 88 MP of them held a
decode worker for minutes), with the pixels a run at a time gives, its runs cut at the line's
end and RLE4's two colours alternating from each run's first pixel; and a file whose codes,
decoded one by one, make a few pixels each (runs of 3 given pixels) is decode_error past a
budget."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from zsl_cli import image_formats
from zsl_cli.images import DECODE_ERROR, DecodeError, decode_image

# Colour i of the palette: (i, 7i, 13i) mod 256, as BGR0 entries.
_PALETTE = b"".join(bytes([(13 * i) % 256, (7 * i) % 256, i, 0]) for i in range(256))


def _rle_bmp(width: int, height: int, codes: bytes, bits: int = 8) -> bytes:
    colours = 256 if bits == 8 else 16
    header = struct.pack(
        "<IiiHHIIiiII", 40, width, height, 1, bits, {8: 1, 4: 2}[bits], len(codes), 0, 0, colours, 0
    )
    palette = _PALETTE[: 4 * colours]
    start = 14 + len(header) + len(palette)
    return b"BM" + struct.pack("<IHHI", start + len(codes), 0, 0, start) + header + palette + codes


def _rgb(indices: np.ndarray) -> np.ndarray:
    """The pixels of palette indices, rows bottom-up as a BMP stores them, shown top-down."""
    levels = indices.astype(np.int64)
    rgb = np.stack([levels % 256, (7 * levels) % 256, (13 * levels) % 256], axis=-1)
    return rgb[::-1].astype(np.uint8)


def test_a_bitmap_of_one_pixel_runs_decodes_whole_as_runs_taken_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its 3 million runs decoded a code at a time in Python would be far past this budget (and
    # took 2.2 s of CPU): taken together, only its escapes (a line end each) are codes of their
    # own, each making a line's pixels.
    monkeypatch.setattr(image_formats, "_RLE_FREE_PYTHON_CODES", 1000)
    width, height = 2000, 1500
    row = bytes([1, 5, 1, 9]) * (width // 2) + b"\0\0"
    path = tmp_path / "one_pixel_runs.bmp"
    path.write_bytes(_rle_bmp(width, height, row * height + b"\0\1"))
    decoded = decode_image(path)
    expected = _rgb(np.tile(np.array([5, 9]), (height, width // 2)))
    np.testing.assert_array_equal(np.asarray(decoded), expected)


@pytest.mark.parametrize("bits", [8, 4])
def test_runs_decoded_together_are_cut_at_the_line_end_and_alternate_nibbles(
    tmp_path: Path, bits: int
) -> None:
    rng = np.random.default_rng(bits)
    width, height = 37, 6
    codes, rows = bytearray(), []
    for _ in range(height):
        counts = rng.integers(1, 6, 40)  # more than a line holds: the rest is dropped
        colours = rng.integers(0, 256 if bits == 8 else 256, 40)
        row: list[int] = []
        for count, colour in zip(counts, colours, strict=True):
            pair = [colour >> 4, colour & 15] if bits == 4 else [colour, colour]
            row += [pair[i % 2] for i in range(count)]
            codes += bytes([count, colour])
        rows.append(row[:width])
        codes += b"\0\0"
    path = tmp_path / f"runs{bits}.bmp"
    path.write_bytes(_rle_bmp(width, height, bytes(codes) + b"\0\1", bits))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), _rgb(np.array(rows)))


def test_codes_decoded_one_by_one_for_a_few_pixels_each_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Here 1,000 such codes are free (500,000 in use: a second or two).
    monkeypatch.setattr(image_formats, "_RLE_FREE_PYTHON_CODES", 1000)
    width, height = 300, 100
    run_and_jump = bytes([1, 2, 0, 2, 1, 0])  # a one-pixel run, a jump of one pixel
    path = tmp_path / "run_and_jump.bmp"
    path.write_bytes(_rle_bmp(width, height, (run_and_jump * 150 + b"\0\0") * height + b"\0\1"))
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == DECODE_ERROR
    assert "under 2 pixels each" in caught.value.reason
    # Lines of long runs take a few codes in Python each: they decode.
    row = bytes([1, 4]) * width + b"\0\0"
    path.write_bytes(_rle_bmp(width, height, row * height + b"\0\1"))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), _rgb(np.full((100, 300), 4)))
