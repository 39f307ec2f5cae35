"""PCX checks: of a 256-colour PCX's palette cut short, after decoding (`check_pcx_palette`); and,
for `classify`, of a PCX cut short (`pcx_cut_short`) or that ends with its palette, whole."""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np
from PIL import ImageFile

from zsl_cli.image_status import TRUNCATED, DecodeError


def pcx_palette_at_end(file: BinaryIO, size: int) -> bool:
    """Whether a PCX of 256 colours (version 5, 8 bits in one plane) ends with its palette:
    a byte 12 and 768 of colours after the pixels, as Pillow reads it, where the byte before
    is no run's count (whose value 12 would be). A file cut inside its pixels has that byte
    there by chance alone: 1 in 256, more where the image has few colours (a 16-colour one's
    are 0 to 15); a PCX of other depths has no end of its own, and its header gives no length:
    a cut one and one damaged inside read alike."""
    try:
        if not _pcx_of_256_colours(file):
            return False
        start = max(_PCX_HEADER_SIZE, size - _PCX_PALETTE_SIZE - _PCX_LOOK_BACK)
        file.seek(start)
        before = file.read(size - _PCX_PALETTE_SIZE + 1 - start)
    except (OSError, ValueError):
        return False
    if not before or before[-1:] != b"\x0c":
        return False
    # Counts and values alternate along a row of bytes of 0xC0 or more that follows a byte
    # below it: one row longer than the bytes read back gets no verdict (read as a marker).
    high = len(before) - 1 - len(before[:-1].rstrip(bytes(range(0xC0, 0x100))))
    return high % 2 == 0 or high == len(before) - 1


def _pcx_of_256_colours(file: BinaryIO) -> bool:
    """Whether `file` is a PCX of version 5, 8 bits in one plane (what may end in a palette)."""
    file.seek(0)
    head = file.read(66)
    return len(head) == 66 and (head[1], head[3], head[65]) == (5, 8, 1)


def _pcx_pixels_end(file: BinaryIO, size: int) -> int | None:
    """Where the run-length coded pixels of a PCX end: after the run that makes the last byte
    its header's size asks; None where the file ends first, or its header is cut. Read with
    numpy, a byte's role is told from the row of bytes of 0xC0 or more it is in: a byte below
    that is never a count, so the first of such a row is, the next its value, and so on."""
    file.seek(0)
    head = file.read(_PCX_HEADER_SIZE)
    if len(head) < _PCX_HEADER_SIZE:
        return None
    top, bottom = struct.unpack("<H2xH", head[6:12])
    stride = int.from_bytes(head[66:68], "little")
    needed = (bottom - top + 1) * stride * head[65]
    codes = np.frombuffer(file.read(size - _PCX_HEADER_SIZE), np.uint8)
    high = codes >= 0xC0
    places = np.arange(len(codes))
    row_starts = np.where(high & ~np.concatenate(([False], high[:-1])), places, 0)
    count = high & ((places - np.maximum.accumulate(row_starts)) % 2 == 0)
    value = np.concatenate(([False], count[:-1]))
    made = np.where(count, codes & 0x3F, ~value).astype(np.int64).cumsum()
    last = int(np.searchsorted(made, needed))
    if last >= len(codes) or (count[last] and last + 1 >= len(codes)):
        return None
    return _PCX_HEADER_SIZE + last + 1 + int(count[last])


_PCX_HEADER_SIZE = 128


_PCX_PALETTE_SIZE = 769  # its marker byte (12) and 256 RGB colours


_PCX_LOOK_BACK = 64


def pcx_cut_short(file: BinaryIO, size: int) -> bool:
    """Whether a PCX of version 5, 8 bits in one plane, too short to hold a palette after its
    pixels (Pillow seeks 769 bytes back from the end for one, and fails before the start), was
    cut short (`_pcx_palette_cut`)."""
    try:
        return size < _PCX_HEADER_SIZE + _PCX_PALETTE_SIZE and _pcx_palette_cut(file, size)
    except (OSError, ValueError):
        return False


def _pcx_palette_cut(file: BinaryIO, size: int) -> bool:
    """Whether a PCX of version 5, 8 bits in one plane, ends before its pixels do, or inside the
    palette after them: a byte 12 with fewer than 768 bytes after it."""
    if not _pcx_of_256_colours(file):
        return False
    end = _pcx_pixels_end(file, size)
    if end is None:
        return True
    file.seek(end)
    return end < size < end + _PCX_PALETTE_SIZE and file.read(1) == b"\x0c"


def check_pcx_palette(image: ImageFile.ImageFile, file: BinaryIO, size: int) -> None:
    """DecodeError truncated for a PCX of version 5, 8 bits in one plane, decoded without a
    palette (Pillow found no 12 769 bytes before the end: shades of grey), whose palette after
    its pixels was cut short (`_pcx_palette_cut`): the colours decoded are wrong. Reads the
    pixels' run-length codes with numpy, for such files alone. Leaves the file at its start."""
    if image.format != "PCX" or image.mode != "L":
        return
    try:
        if not pcx_palette_at_end(file, size) and _pcx_palette_cut(file, size):
            raise DecodeError(
                TRUNCATED,
                f"image file is truncated (data ends after {size} bytes, inside the palette "
                "after its pixels)",
            )
    except (OSError, ValueError):
        return
    finally:
        file.seek(0)
