"""decode_image on a PNG whose compressed pixel data ends, whole, before the rows its header
declares (a damaged height with its checksum made good, rows left out): Pillow stops at the
end of the stream and leaves the rest of the image blank, so zsl fails it rather than label
a blank page."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.corpus import ADAM7, png_chunk
from tests.helpers import failure_of
from zsl_cli.images import decode_image


def rgb_png(pixels: np.ndarray, interlaced: bool = False, kept: int | None = None) -> bytes:
    """An 8-bit RGB PNG of `pixels` (unfiltered rows), its compressed stream whole but holding
    the first `kept` bytes of their data alone (all of it where None)."""
    rows, width, _ = pixels.shape
    if interlaced:
        passes = [pixels[top::down, left::across] for left, top, across, down in ADAM7]
        raw = b"".join(b"".join(b"\0" + row.tobytes() for row in p) for p in passes if p.size)
    else:
        raw = b"".join(b"\0" + row.tobytes() for row in pixels)
    header = struct.pack(">IIBBBBB", width, rows, 8, 2, 0, 0, int(interlaced))
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(raw[:kept]))
        + png_chunk(b"IEND", b"")
    )


def picture(rows: int, black_rows: int = 0) -> np.ndarray:
    pixels = (np.arange(rows * 48 * 3).reshape(rows, 48, 3) % 199 + 20).astype(np.uint8)
    pixels[rows - black_rows :] = 0
    return pixels


@pytest.mark.parametrize("declared", [41, 400, 4000])
def test_png_whose_data_ends_where_a_row_does_short_of_its_height_is_a_decode_error(
    tmp_path: Path, declared: int
) -> None:
    # Pillow stops at the stream's end and leaves the rest blank where it ends between rows
    # (where it ends inside one, it says the data ran out).
    path = tmp_path / "short.png"
    path.write_bytes(rgb_png(picture(declared), kept=40 * (1 + 48 * 3)))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert f"its pixel data ends short of its {declared:,} rows" in error.reason, error.reason


@pytest.mark.parametrize("passes", [1, 5, 6])
def test_interlaced_png_whose_data_ends_where_a_pass_does_is_a_decode_error(
    tmp_path: Path, passes: int
) -> None:
    # As between rows: the pixels of Adam7's passes left out are left blank.
    pixels = picture(40)
    kept = sum(
        len(p) * (1 + p.shape[1] * 3)
        for p in (pixels[top::down, left::across] for left, top, across, down in ADAM7[:passes])
    )
    path = tmp_path / "short.png"
    path.write_bytes(rgb_png(pixels, interlaced=True, kept=kept))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "its pixel data ends short of its 40 rows" in error.reason, error.reason


@pytest.mark.parametrize("interlaced", [False, True], ids=["plain", "interlaced"])
@pytest.mark.parametrize("black_rows", [0, 1, 2, 40])
def test_whole_png_with_black_rows_at_its_foot_decodes(
    tmp_path: Path, interlaced: bool, black_rows: int
) -> None:
    # Black last rows are what the check looks for; their data is all there.
    pixels = picture(40, black_rows)
    path = tmp_path / "whole.png"
    path.write_bytes(rgb_png(pixels, interlaced))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
