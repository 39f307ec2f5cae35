"""The PNG pixel-data checksum check reads the run of IDAT chunks Pillow decodes, and stops
there: an IDAT after another chunk past that run is no pixel data of the image, and its
checksum decides nothing."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.image_damage import DecodeError
from zsl_cli.images import decode_image


def _chunk(kind: bytes, data: bytes, checksum_off_by: int = 0) -> bytes:
    checksum = zlib.crc32(kind + data) ^ checksum_off_by
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def _grey_png() -> tuple[bytes, np.ndarray]:
    pixels = np.arange(64, dtype=np.uint8).reshape(8, 8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue(), pixels


def test_a_stray_idat_of_a_wrong_checksum_after_the_pixel_data_decides_nothing(
    tmp_path: Path,
) -> None:
    png, pixels = _grey_png()
    end = png.index(b"IEND") - 4
    stray = _chunk(b"tEXt", b"a\0b") + _chunk(b"IDAT", b"xx", checksum_off_by=1)
    path = tmp_path / "stray.png"
    path.write_bytes(png[:end] + stray + png[end:])
    assert np.array_equal(np.asarray(decode_image(path).convert("L")), pixels)


def test_an_idat_of_a_wrong_checksum_in_the_pixel_data_is_damage(tmp_path: Path) -> None:
    png, _ = _grey_png()
    start = png.index(b"IDAT") - 4
    length = int.from_bytes(png[start : start + 4], "big")
    end = start + 12 + length
    path = tmp_path / "damaged.png"
    path.write_bytes(png[: end - 1] + bytes([png[end - 1] ^ 1]) + png[end:])  # its checksum
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "decode_error", caught.value.reason
