"""The shared checks of image_damage: a side read as a damaged header, and whether a file ends
with given bytes, at their edges."""

from __future__ import annotations

import io

from zsl_cli.image_damage import damaged_size_error, ends_with, size_error
from zsl_cli.image_status import NOT_AN_IMAGE, TOO_LARGE


def test_a_side_of_two_to_the_32_is_not_called_a_negative_number_read_as_unsigned() -> None:
    error = damaged_size_error((2**32, 1), "PNG")
    assert error is not None and error.status == NOT_AN_IMAGE
    assert "read as unsigned" not in error.reason
    assert "4,294,967,296" in error.reason


def test_a_side_just_under_two_to_the_32_is_a_negative_number_read_as_unsigned() -> None:
    error = damaged_size_error((1, 2**32 - 1), "BMP")
    assert error is not None
    assert "height of 4,294,967,295 (-1 read as unsigned)" in error.reason


def test_a_format_with_a_signature_is_named_with_it_and_tga_without() -> None:
    png = damaged_size_error((2**31, 1), "PNG")
    tga = damaged_size_error((2**31, 1), "TGA")
    unknown = damaged_size_error((2**31, 1), None)
    assert png is not None and tga is not None and unknown is not None
    assert png.reason.startswith("PNG signature, but its header gives a width of 2,147,483,648")
    assert tga.reason.startswith("TGA header gives a width of 2,147,483,648")
    assert unknown.reason.startswith("image signature, but its header gives a width")


def test_a_size_at_the_pixel_limit_is_not_too_large() -> None:
    assert size_error((10, 10), 100, "PNG") is None
    error = size_error((10, 11), 100, "PNG")
    assert error is not None and error.status == TOO_LARGE


def test_a_file_exactly_as_long_as_the_end_asked_ends_with_it() -> None:
    assert ends_with(io.BytesIO(b"\xff\xd9"), 2, b"\xff\xd9")
    assert not ends_with(io.BytesIO(b"\xd9"), 1, b"\xff\xd9")
    assert ends_with(io.BytesIO(b"abc\xff\xd9"), 5, b"\xff\xd9")
