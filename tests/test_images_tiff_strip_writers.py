"""decode_image on TIFFs whose strips are laid out as some writers lay them out, built by hand:
a PackBits TIFF whose last strip codes every row of a whole strip (those past the image's height
too) decodes; one whose last strip codes more than that is refused."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded, smooth_rgb, tiff_strips
from tests.helpers import failure_of
from zsl_cli.images import decode_image


def packbits(data: bytes) -> bytes:
    """`data` coded as PackBits literal runs of up to 128 bytes."""
    return b"".join(
        bytes([len(data[at : at + 128]) - 1]) + data[at : at + 128]
        for at in range(0, len(data), 128)
    )


def grey_tiff(width: int, height: int, rows_per_strip: int, strips: list[bytes]) -> bytes:
    """A little-endian 8-bit grey PackBits TIFF: header, strips, their arrays, directory."""
    body = b"".join(strips)
    offsets, at = [], 8
    for strip in strips:
        offsets.append(at)
        at += len(strip)
    arrays_at = 8 + len(body)
    arrays = struct.pack(f"<{len(strips)}I", *offsets) + struct.pack(
        f"<{len(strips)}I", *(len(strip) for strip in strips)
    )
    ifd = arrays_at + len(arrays)
    entries = [
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, 8),
        (259, 3, 1, 32773),  # PackBits
        (262, 3, 1, 1),  # black is zero
        (273, 4, len(strips), arrays_at),
        (277, 3, 1, 1),
        (278, 4, 1, rows_per_strip),
        (279, 4, len(strips), arrays_at + 4 * len(strips)),
    ]
    directory = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        if count == 1 and kind == 3:
            directory += struct.pack("<HHIHH", tag, kind, count, value, 0)
        else:
            directory += struct.pack("<HHII", tag, kind, count, value)
    return b"II*\0" + struct.pack("<I", ifd) + body + arrays + directory + b"\0\0\0\0"


WIDTH, HEIGHT, ROWS = 10, 10, 4  # strips of 4, 4 and 2 rows


def pixels() -> np.ndarray:
    return np.arange(WIDTH * HEIGHT, dtype=np.uint8).reshape(HEIGHT, WIDTH) * 2


def strips(last_rows: int) -> list[bytes]:
    rows = pixels().tobytes()
    per_strip = WIDTH * ROWS
    coded = [packbits(rows[0:per_strip]), packbits(rows[per_strip : 2 * per_strip])]
    last = rows[2 * per_strip :] + bytes(WIDTH * (last_rows - 2))  # rows past the height: 0
    return [*coded, packbits(last)]


def test_packbits_tiff_whose_last_strip_codes_a_whole_strip_of_rows_decodes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "padded.tif"
    path.write_bytes(grey_tiff(WIDTH, HEIGHT, ROWS, strips(last_rows=ROWS)))
    assert np.array_equal(np.asarray(decode_image(path).convert("L")), pixels())


@pytest.mark.parametrize("last_rows", [3, ROWS + 1])
def test_packbits_tiff_whose_last_strip_codes_other_rows_is_a_decode_error(
    tmp_path: Path, last_rows: int
) -> None:
    path = tmp_path / "overlong.tif"
    path.write_bytes(grey_tiff(WIDTH, HEIGHT, ROWS, strips(last_rows)))
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert f"make {WIDTH * last_rows:,} bytes, not the {WIDTH * 2:,} of its rows" in failure.reason


@pytest.mark.parametrize("strip_size", [None, 4000], ids=["one_strip", "strips"])
def test_tiff_whose_last_strip_offset_was_damaged_past_the_end_is_damaged_not_cut(
    tmp_path: Path, strip_size: int | None
) -> None:
    # Pillow writes uncompressed pixels last: with the last strip's offset damaged to point
    # past the end, the file still ends with a run of that strip's length that no part covers.
    settings = {"strip_size": strip_size} if strip_size else {}
    tiff = bytearray(encoded(Image.fromarray(smooth_rgb(60, 40, seed=1)), "TIFF", **settings))
    offsets, counts = tiff_strips(bytes(tiff))
    assert offsets[-1] + counts[-1] == len(tiff)  # the pixels last
    last = bytes(tiff).index(struct.pack("<I", offsets[-1]))
    tiff[last : last + 4] = struct.pack("<I", len(tiff) + 5000)
    path = tmp_path / "damaged.tif"
    path.write_bytes(tiff)
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "places data past the end of the file" in failure.reason
