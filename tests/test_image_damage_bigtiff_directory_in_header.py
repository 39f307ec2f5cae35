"""tiff_damage leaves a BigTIFF whose first directory's offset points inside its 16-byte header
to Pillow, which says what it found there, as it does a classic TIFF's inside its 8 bytes."""

from __future__ import annotations

import io
import struct

import pytest

from zsl_cli.image_damage.tiff import tiff_damage


@pytest.mark.parametrize("offset", [8, 12, 15])
def test_a_bigtiff_directory_inside_its_header_gets_no_verdict(offset: int) -> None:
    data = b"II" + struct.pack("<HHHQ", 43, 8, 0, offset) + struct.pack("<Q", 300) + bytes(64)
    assert tiff_damage(io.BytesIO(data), len(data)) is None


def test_a_classic_tiff_directory_inside_its_header_gets_no_verdict() -> None:
    data = b"II" + struct.pack("<HI", 42, 4) + bytes(64)
    assert tiff_damage(io.BytesIO(data), len(data)) is None
