"""decode_image on icons whose picture inside gives a side no image has (a negative number
read unsigned): a damaged header, named by the icon's own format, ICO or ICNS."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.corpus import ico_holding, png_declaring_size
from tests.helpers import failure_of


def _icns_holding(code: bytes, picture: bytes) -> bytes:
    block = code + struct.pack(">I", 8 + len(picture)) + picture
    return b"icns" + struct.pack(">I", 8 + len(block)) + block


def _dib_declaring_size(width: int, height: int) -> bytes:
    """The BITMAPINFOHEADER of a 24-bit icon bitmap of width x height (its mask's rows counted
    in the height, as in an ICO) and a few bytes of pixels."""
    return struct.pack("<IiiHHIIiiII", 40, width, 2 * height, 1, 24, 0, 0, 0, 0, 0, 0) + bytes(16)


@pytest.mark.parametrize(
    ("name", "data", "named"),
    [
        ("bmp_in.ico", ico_holding(_dib_declaring_size(-8, 8), bits=24), "ICO signature"),
        ("png_in.ico", ico_holding(png_declaring_size(2**32 - 8, 8)), "ICO signature"),
        ("png_in.icns", _icns_holding(b"ic08", png_declaring_size(2**32 - 8, 8)), "ICNS signature"),
    ],
    ids=["bmp_in_ico", "png_in_ico", "png_in_icns"],
)
def test_icon_picture_of_a_damaged_width_is_named_by_the_icon_format(
    tmp_path: Path, name: str, data: bytes, named: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    error = failure_of(path)
    assert error.status == "not_an_image"
    assert error.reason.startswith(f"{named}, but its header gives a width of 4,294,967,288")
