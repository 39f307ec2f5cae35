"""check_read_whole at its bound: a file's bytes to be read into memory whole pass up to
bytes_read_whole_allowed for the image's pixels (its size, or none given), and one byte more is
refused, naming both counts."""

from __future__ import annotations

import pytest

from zsl_cli.image_formats import bytes_read_whole_allowed, check_read_whole
from zsl_cli.image_status import DecodeError


@pytest.mark.parametrize("size", [(100, 50), None], ids=["sized", "no-size"])
def test_bytes_up_to_the_allowed_pass_and_one_more_is_refused(size: tuple[int, int] | None) -> None:
    pixels = size[0] * size[1] if size else 0
    allowed = bytes_read_whole_allowed(pixels, 3, 10_000)
    check_read_whole(allowed, size, 3, 10_000)
    with pytest.raises(DecodeError) as error:
        check_read_whole(allowed + 1, size, 3, 10_000)
    assert error.value.status == "decode_error"
    assert f"{allowed + 1:,} bytes of it would be read whole" in error.value.reason
    assert f"(at most {allowed:,})" in error.value.reason


def test_the_allowed_bytes_grow_with_pixels_up_to_the_pixel_limit() -> None:
    at_limit = bytes_read_whole_allowed(10_000, 3, 10_000)
    assert bytes_read_whole_allowed(5_000, 3, 10_000) < at_limit
    assert bytes_read_whole_allowed(10**9, 3, 10_000) == at_limit
