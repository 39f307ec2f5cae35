"""A 32-bit grey TIFF without a SampleFormat tag holds unsigned integers (the TIFF default, 1):
its values from 2**31 up keep their order, as with the tag. Expected levels are worked out by
hand (v * 255 / (2**32 - 1), rounded)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from PIL import Image

from zsl_cli.images import decode_image


def _tiff_without_sample_format(path: Path, values: np.ndarray) -> None:
    """An uncompressed little-endian 32-bit grey TIFF of one strip and no SampleFormat tag."""
    height, width = values.shape
    data = values.astype("<u4").tobytes()
    entries = [
        (256, 4, width),  # ImageWidth
        (257, 4, height),  # ImageLength
        (258, 3, 32),  # BitsPerSample
        (259, 3, 1),  # Compression: none
        (262, 3, 1),  # PhotometricInterpretation: BlackIsZero
        (273, 4, 8),  # StripOffsets: right after the header
        (277, 3, 1),  # SamplesPerPixel
        (278, 4, height),  # RowsPerStrip
        (279, 4, len(data)),  # StripByteCounts
    ]
    directory = struct.pack("<H", len(entries))
    for tag, kind, value in entries:
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        directory += struct.pack("<HHI", tag, kind, 1) + packed
    path.write_bytes(b"II*\0" + struct.pack("<I", 8 + len(data)) + data + directory + bytes(4))


def test_a_32bit_tiff_without_a_sample_format_is_read_unsigned(tmp_path: Path) -> None:
    path = tmp_path / "unsigned.tif"
    _tiff_without_sample_format(path, np.array([[0, 2**30, 2**31, 2**32 - 1]]))
    with Image.open(path) as image:
        assert image.mode == "I" and 339 not in image.tag_v2
    decoded = np.asarray(decode_image(path))
    assert decoded[..., 0].tolist() == [[0, 64, 128, 255]]
    assert (decoded == decoded[..., :1]).all()
