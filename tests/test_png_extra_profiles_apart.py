"""extra_icc_profiles skips every ICC profile of a PNG after its first, whatever chunks lie
between them: a profile, then text, then a profile still makes the second one extra."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

from zsl_cli.image_damage.png import extra_icc_profiles


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _profile(n: int) -> bytes:
    return _chunk(b"iCCP", b"p%d\x00\x00" % n + zlib.compress(b"x" * 100))


def _png_with_before_pixels(*chunks: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(buffer, "PNG")
    data = buffer.getvalue()
    at = data.index(b"IDAT") - 4
    return data[:at] + b"".join(chunks) + data[at:]


def test_a_second_profile_after_text_after_the_first_is_extra() -> None:
    first, text, second = _profile(1), _chunk(b"tEXt", b"a\x00b"), _profile(2)
    data = _png_with_before_pixels(first, text, second)
    patches = extra_icc_profiles(io.BytesIO(data), len(data))
    at = data.index(second)
    assert set(patches) == {at + 4, at + len(second) - 4}


def test_profiles_apart_after_the_first_are_all_extra() -> None:
    profiles = [_profile(n) for n in range(3)]
    text = _chunk(b"tEXt", b"a\x00b")
    data = _png_with_before_pixels(profiles[0], text, profiles[1], text, profiles[2])
    patches = extra_icc_profiles(io.BytesIO(data), len(data))
    assert {at for at in patches if patches[at].isalpha()} == {
        data.index(piece) + 4 for piece in profiles[1:]
    }
