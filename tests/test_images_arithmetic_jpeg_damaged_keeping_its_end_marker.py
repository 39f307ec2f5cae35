"""An arithmetic-coded JPEG whose scan data is damaged, yet which ends with its end marker, is
a decode_error: only one that lacks its end marker was cut short (truncated). libjpeg fails both
alike ("broken data stream"), as it reads such a scan in one block."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from zsl_cli.images import DecodeError, decode_image

# A 48 x 32 picture saved by Pillow at quality 90, then recoded by
# `jpegtran -arithmetic -copy none` (Pillow writes no arithmetic-coded JPEGs).
ARITHMETIC_JPEG = base64.b64decode(
    """
/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4R
DgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU
FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/yQARCAAgADADASIAAhEBAxEB/8wACgAQEAUBEBEF/9oADAMBAAIR
AxEAPwDSjfA6H5G68U4Xd8Lh8On88jJcEfTUlNi07UnbmbZRE4TAocFgiGgqyATlqufXysEAf0BkjS4hNg5zW8l/
GURm81bRMNscsJMlQhPgoZWLbBrw8Im7C4yhYtBxpvnbSLngx9JuOJaps203scMZwSm+379sToOT5BWIMCormlgw
6W1U/UPesc+T3OaXIZWKLWT79gvauJottB0vRkKweG0jQPHwFRjyqpv1ji0hD3usHf8AmrtK7EcnZrYA5yypjPb/
2Q==
"""
)


def test_damaged_arithmetic_jpeg_with_its_end_marker_is_a_decode_error(tmp_path: Path) -> None:
    assert ARITHMETIC_JPEG.endswith(b"\xff\xd9")
    damaged = bytearray(ARITHMETIC_JPEG)
    scan = ARITHMETIC_JPEG.index(b"\xff\xda")
    for i in range(scan + 20, len(damaged) - 10, 3):
        damaged[i] ^= 0x5A
    path = tmp_path / "damaged.jpg"
    path.write_bytes(bytes(damaged))
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "decode_error"
    # Cut short instead (its end marker gone with the rest), it is truncated.
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(bytes(damaged[: len(damaged) // 2]))
    with pytest.raises(DecodeError) as caught:
        decode_image(cut)
    assert caught.value.status == "truncated"
