"""An APNG whose default image lies outside its animation shows the animation's first frame
(fdAT): a wrong checksum on the default image's IDAT, whose pixels are not shown, costs
nothing. Expected pixels are written out by hand."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from tests.corpus import apng
from zsl_cli.images import decode_image


def test_apng_frame_shown_is_decoded_whatever_the_checksum_of_the_default_image(
    tmp_path: Path,
) -> None:
    default = np.full((2, 4, 4), 255, np.uint8)
    default[..., 1:3] = 0  # opaque red
    frame = np.zeros((2, 2, 4), np.uint8)
    frame[:, 0] = [0, 0, 255, 255]  # its left column opaque blue, its right one see-through
    data = bytearray(apng(default, frame, left=1, default_in_animation=False))
    at = data.index(b"IDAT")
    (length,) = struct.unpack(">I", data[at - 4 : at])
    data[at + 4 + length] ^= 0xFF  # the checksum's first byte; the data itself whole
    path = tmp_path / "animated.png"
    path.write_bytes(bytes(data))
    white, blue = [255, 255, 255], [0, 0, 255]
    row = [white, blue, white, white]
    assert np.asarray(decode_image(path)).tolist() == [row, row]
