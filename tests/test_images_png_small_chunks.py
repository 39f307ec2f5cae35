"""The read budget counts a PNG chunk as one piece, its 8-byte header: a chunk whose data is 8
bytes too is not counted twice, so a PNG of many such chunks (120,000: 2.4 MB), within the
budget's 200,000 free pieces, decodes."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from tests.corpus import blocky_rgb
from zsl_cli.images import decode_image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_png_of_many_chunks_of_8_data_bytes_within_the_budget_decodes(tmp_path: Path) -> None:
    pixels = blocky_rgb(8, 8, seed=16)
    path = tmp_path / "chunks.png"
    Image.fromarray(pixels).save(path)
    data = path.read_bytes()
    at = data.index(b"IDAT") - 4
    private = _chunk(b"prIv", bytes(8))  # ancillary, private: skipped by readers
    path.write_bytes(data[:at] + private * 120_000 + data[at:])
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
