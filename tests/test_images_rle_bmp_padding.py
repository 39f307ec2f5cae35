"""A run-length coded BMP's runs of pixels given one by one (absolute mode) are padded to 16
bits: the decoder skips the pad byte of a run of odd length and reads on from the next code,
also where the pixel data starts at an odd offset in the file (the padding counts from the
run's start, as Chrome and Firefox count it). Expected pixels are written out by hand from the
codes."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.images import decode_image

RED, GREEN, BLUE = [255, 0, 0], [0, 255, 0], [0, 0, 255]
# Colours 0, 1 and 2 red, green and blue, as BGR0 entries.
_PALETTE = bytes([0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 0])


def _rle_bmp(width: int, height: int, codes: bytes, bits: int, gap: int) -> bytes:
    """The codes placed `gap` bytes after the palette (where the header's offset says)."""
    compression = {8: 1, 4: 2}[bits]
    header = struct.pack(
        "<IiiHHIIiiII", 40, width, height, 1, bits, compression, len(codes), 0, 0, 3, 0
    )
    start = 14 + len(header) + len(_PALETTE) + gap
    head = b"BM" + struct.pack("<IHHI", start + len(codes), 0, 0, start) + header + _PALETTE
    return head + bytes(gap) + codes


@pytest.mark.parametrize(
    ("bits", "width", "codes", "bottom"),
    [
        # Three pixels given (colours 0, 1, 2) and a pad byte; one blue; line end; a run of
        # green to the line's end; bitmap end.
        (8, 4, bytes([0, 3, 0, 1, 2, 0, 1, 2, 0, 0, 4, 1, 0, 1]), [RED, GREEN, BLUE, BLUE]),
        # In RLE4, five pixels given take three bytes (0, 1, 2, 0, 1 and a nibble unused) and
        # a pad byte.
        (
            4,
            6,
            bytes([0, 5, 0x01, 0x20, 0x10, 0, 1, 0x22, 0, 0, 6, 0x11, 0, 1]),
            [RED, GREEN, BLUE, RED, GREEN, BLUE],
        ),
    ],
    ids=["rle8", "rle4"],
)
@pytest.mark.parametrize("gap", [0, 1, 2], ids=["even_start", "odd_start", "later_even_start"])
def test_rle_bmp_runs_of_given_pixels_are_read_past_their_padding(
    tmp_path: Path, bits: int, width: int, codes: bytes, bottom: list[list[int]], gap: int
) -> None:
    path = tmp_path / f"rle{bits}.bmp"
    path.write_bytes(_rle_bmp(width, 2, codes, bits, gap))
    assert np.asarray(decode_image(path)).tolist() == [[GREEN] * width, bottom]
