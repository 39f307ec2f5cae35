"""Windows Paint (MSP) checks, after Image.open: of files built to hold a decode worker for long
(`check_msp_rows`)."""

from __future__ import annotations

import struct
from typing import BinaryIO

from PIL import ImageFile

from zsl_cli.image_status import DECODE_ERROR, DecodeError


def check_msp_rows(image: ImageFile.ImageFile, file: BinaryIO) -> None:
    """DecodeError for a run-length coded Windows Paint file (MSP) whose row map gives a row
    more bytes than coding its pixels can take: three a byte of pixels, a run of one repeat.
    Pillow's decoder walks a row's codes in Python and those past its pixels make none, a byte
    each, so a 20 MB file of them on an 8x300 bitmap held a decode worker for 20 s (its reads,
    a row each, bring the read budget bytes enough). Leaves the file at its start."""
    if image.format != "MSP" or [tile.codec_name for tile in image.tile] != ["MSP"]:
        return
    width, height = image.size
    try:
        file.seek(32)  # the row map follows the header
        rowmap = file.read(2 * height)
    finally:
        file.seek(0)
    most = 3 * ((width + 7) // 8)
    if any(length > most for (length,) in struct.iter_unpack("<H", rowmap[: len(rowmap) & ~1])):
        raise DecodeError(
            DECODE_ERROR,
            f"cannot decode: its row map gives a row over {most} bytes, more than coding "
            f"{width} pixels can take",
        )
