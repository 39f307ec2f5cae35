"""check_icon_size on ICOs of several entries: the picture checked is the one Pillow decodes,
its largest, wherever the directory lists it; and the check leaves the file at its start."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image

from tests.corpus import encoded, png_declaring_size
from tests.helpers import failure_of
from zsl_cli.image_damage import check_icon_size
from zsl_cli.images import DecodeOptions


def _ico_of(pictures: list[tuple[int, bytes]]) -> bytes:
    """An ICO whose directory lists each (side, picture) in turn (a side of 256 written 0)."""
    header = struct.pack("<HHH", 0, 1, len(pictures))
    offset = len(header) + 16 * len(pictures)
    entries, data = b"", b""
    for side, picture in pictures:
        entries += struct.pack(
            "<BBBBHHII", side % 256, side % 256, 0, 0, 1, 32, len(picture), offset + len(data)
        )
        data += picture
    return header + entries + data


def _small_png() -> bytes:
    return encoded(Image.new("RGB", (16, 16), (200, 30, 30)), "PNG")


@pytest.mark.parametrize("large_first", [True, False])
def test_ico_whose_largest_entry_is_over_the_limit_is_too_large(
    tmp_path: Path, large_first: bool
) -> None:
    large = (256, png_declaring_size(2000, 1500))
    small = (16, _small_png())
    path = tmp_path / "icon.ico"
    path.write_bytes(_ico_of([large, small] if large_first else [small, large]))
    error = failure_of(path, DecodeOptions(max_pixels=1_000_000))
    assert error.status == "too_large"
    assert "2000x1500" in error.reason


def test_icon_size_check_leaves_the_file_at_its_start() -> None:
    file = io.BytesIO(_ico_of([(16, _small_png()), (32, _small_png())]))
    check_icon_size(file, 1_000_000)
    assert file.tell() == 0
