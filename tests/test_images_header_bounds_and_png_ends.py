"""A header's width or height of 2**31 or more (no C int holds it: a damaged header, not a large
image) is not_an_image, one below that too_large; a PNG whose palette fails its checksum is
refused, and one cut after its pixel data (in IEND or the last checksum) decodes; a plain PGM
of any largest value (up to 65535) with over 100 comments among its pixels is refused; a file
like a TGA header of no width or height is no image."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded, png_chunk, png_declaring_size
from tests.helpers import failure_of
from zsl_cli.images import decode_image


@pytest.mark.parametrize(
    ("width", "height", "status"),
    [
        (2**31, 1, "not_an_image"),
        (1, 2**31, "not_an_image"),
        (2**32 - 1, 1, "not_an_image"),
        (2**31 - 1, 1, "too_large"),
        (1, 2**31 - 1, "too_large"),
    ],
)
def test_png_side_at_the_bound_of_a_c_int(
    tmp_path: Path, width: int, height: int, status: str
) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(png_declaring_size(width, height))
    failure = failure_of(path)
    assert failure.status == status
    if status == "not_an_image":
        side = "width" if width >= 2**31 else "height"
        assert f"gives a {side} of {max(width, height):,}" in failure.reason


def test_png_whose_palette_fails_its_checksum_is_refused(tmp_path: Path) -> None:
    # PLTE is critical: the colours of every pixel. It is never skipped as an ancillary chunk
    # whose checksum is wrong is (the image would decode without its colours).
    header = struct.pack(">IIBBBBB", 4, 2, 8, 3, 0, 0, 0)
    palette = png_chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0]))
    palette = palette[:-4] + bytes(4)  # its checksum zeroed
    rows = b"".join(b"\0" + bytes([0, 1, 0, 1]) for _ in range(2))
    data = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + palette
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )
    path = tmp_path / "palette.png"
    path.write_bytes(data)
    failure = failure_of(path)
    assert failure.status == "not_an_image"  # Pillow refuses it in Image.open, as a header
    assert "bad header checksum in b'PLTE'" in failure.reason


@pytest.mark.parametrize("cut", [12, 13, 15])
def test_png_cut_after_its_pixel_data_decodes_its_pixels(tmp_path: Path, cut: int) -> None:
    # Cut in the last chunks: IEND (12 bytes), then the last IDAT's checksum. Every pixel was
    # decoded before the cut, and what the cut took says nothing of them.
    pixels = np.arange(6 * 5 * 3, dtype=np.uint8).reshape(5, 6, 3)
    data = encoded(Image.fromarray(pixels), "PNG")
    assert data.endswith(png_chunk(b"IEND", b""))
    path = tmp_path / "cut.png"
    path.write_bytes(data[:-cut])
    assert np.array_equal(np.asarray(decode_image(path)), pixels)


@pytest.mark.parametrize("largest", [1, 255, 65535])
def test_plain_pgm_of_any_largest_value_with_many_comments_among_its_pixels_is_refused(
    tmp_path: Path, largest: int
) -> None:
    path = tmp_path / "many.pgm"
    path.write_text(f"P2\n2 2\n{largest}\n" + "# pixels\n" * 101 + f"0 {largest} 0 1\n")
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "over 100 comments among the pixels of a plain PGM" in failure.reason


@pytest.mark.parametrize(("width", "height"), [(0, 5), (5, 0), (0, 0)])
def test_file_like_a_targa_header_of_no_width_or_height_is_no_image(
    tmp_path: Path, width: int, height: int
) -> None:
    # Pillow tries every file as a TGA (it has no signature); one whose size is 0 is none.
    header = struct.pack("<BBBHHBHHHHBB", 0, 0, 2, 0, 0, 0, 0, 0, width, height, 24, 0)
    path = tmp_path / "data.bin"
    path.write_bytes(header + bytes(40))
    failure = failure_of(path)
    assert failure.status == "not_an_image"
    assert failure.reason == "not an image format Pillow can read"
