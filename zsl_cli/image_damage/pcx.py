"""PCX checks: of a 256-colour PCX's palette cut short, after decoding (`check_pcx_palette`); and,
for `classify`, of a PCX cut short (`pcx_cut_short`), or damaged inside: it ends with its palette
(`pcx_palette_at_end`) or a run of its pixels lies across rows (`pcx_run_across_rows`)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from PIL import ImageFile

from zsl_cli.image_status import TRUNCATED, DecodeError


def pcx_palette_at_end(file: BinaryIO, size: int) -> bool:
    """Whether a PCX of 256 colours (version 5, 8 bits in one plane) ends with its palette:
    a byte 12 and 768 of colours after the pixels, as Pillow reads it, where the byte before
    is no run's count (whose value 12 would be). A file cut inside its pixels has that byte
    there by chance alone: 1 in 256, more where the image has few colours (a 16-colour one's
    are 0 to 15); a PCX of other depths has no end of its own, and its header gives no length
    (`pcx_run_across_rows` tells some damage inside)."""
    if size - _PCX_PALETTE_SIZE <= _PCX_HEADER_SIZE:  # a pixel's code, at least, comes between
        return False
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
    # below it, or the pixels' start (their first byte is a code): a row of all the bytes read
    # back, its start not among them, gets no verdict (their count, _PCX_LOOK_BACK, is even:
    # read as a marker).
    high = len(before) - 1 - len(before[:-1].rstrip(bytes(range(0xC0, 0x100))))
    return high % 2 == 0


def _pcx_of_256_colours(file: BinaryIO) -> bool:
    """Whether `file` is a PCX of version 5, 8 bits in one plane (what may end in a palette)."""
    file.seek(0)
    head = file.read(66)
    return len(head) == 66 and (head[1], head[3], head[65]) == (5, 8, 1)


@dataclass(frozen=True)
class _PcxRuns:
    """A PCX's run-length codes as Pillow reads them, one entry a byte after the header."""

    needed: int  # the bytes its header's size asks: rows * planes * bytes a plane's row
    row: int  # the bytes of one row, all planes (Pillow's decoder fills one at a time)
    stride: int  # the bytes of one plane's row
    count: np.ndarray  # whether a byte is a run's count (a value byte follows it)
    made: np.ndarray  # the bytes made by each byte's code: a count's run, a literal's 1
    value: np.ndarray  # the byte each code makes (a count's: the byte after it)


def _pcx_runs(file: BinaryIO, size: int) -> _PcxRuns | None:
    """The run-length codes of the PCX `file`, read with numpy (`_code_roles`); None where its
    header is cut."""
    file.seek(0)
    head = file.read(_PCX_HEADER_SIZE)
    if len(head) < _PCX_HEADER_SIZE:
        return None
    rows, stride = _rows_and_stride(head)
    row = stride * head[65]
    codes = np.frombuffer(file.read(max(size - _PCX_HEADER_SIZE, 0)), np.uint8)
    return _PcxRuns(rows * row, row, stride, *_code_roles(codes))


def _rows_and_stride(head: bytes) -> tuple[int, int]:
    """A PCX header's (at least its first 68 bytes) count of rows and bytes of a plane's row."""
    top, bottom = struct.unpack("<H2xH", head[6:12])
    return bottom - top + 1, int.from_bytes(head[66:68], "little")


def _code_roles(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For run-length codes from their first byte on: whether each byte is a run's count, the
    bytes each makes (a count: its run; a literal: 1; a run's value: none) and the byte it makes
    (`_PcxRuns`' fields). A byte below 0xC0 is never a count, so the first of a row of bytes of
    0xC0 or more is, the next its value, and so on."""
    high = codes >= 0xC0
    places = np.arange(len(codes))
    row_starts = np.where(high & ~np.concatenate(([False], high[:-1])), places, 0)
    count = high & ((places - np.maximum.accumulate(row_starts)) % 2 == 0)
    value = np.concatenate(([False], count[:-1]))
    made = np.where(count, codes & 0x3F, ~value).astype(np.int64)
    return count, made, np.where(count, np.concatenate((codes[1:], [0])), codes)


def _pcx_pixels_end(file: BinaryIO, size: int) -> int | None:
    """Where the run-length coded pixels of a PCX end: after the run that makes the last byte
    its header's size asks; None where the file ends first, or its header is cut."""
    runs = _pcx_runs(file, size)
    if runs is None:
        return None
    count = runs.count
    last = int(np.searchsorted(runs.made.cumsum(), runs.needed))
    if last >= len(count) or (count[last] and last + 1 >= len(count)):
        return None
    return _PCX_HEADER_SIZE + last + 1 + int(count[last])


def pcx_run_across_rows(file: BinaryIO, size: int) -> bool:
    """Whether a run of the PCX `file`'s pixels, before the last byte its header asks, lies
    across the end of a row, or of a plane's row where the file shows that its writer codes
    each plane's row alone (`_planes_coded_alone`). Writers code each row alone, and Pillow's
    decoder drops the rest of a run across one ("buffer overrun"). Cut short, a file holds its
    writer's runs up to where it ends (a count it ends with makes nothing); damaged inside, a
    run that a changed count or a value read as a count shortens or lengthens moves every run
    after it off the rows: the decoder may then run out of data as in a file cut short."""
    try:
        runs = _pcx_runs(file, size)
    except (OSError, ValueError):
        return False
    if runs is None or runs.stride == 0:
        return False
    end = runs.made.cumsum()
    start = end - runs.made
    run = runs.count & (runs.made > 0) & (start < runs.needed)
    run[-1:] = False  # a count the file ends with, its value cut off, makes nothing
    if np.any(run & (start // runs.row != (end - 1) // runs.row)):
        return True
    across = np.flatnonzero(run & (start // runs.stride != (end - 1) // runs.stride))
    return len(across) > 0 and _planes_coded_alone(runs, end, int(start[across[0]]))


def _planes_coded_alone(runs: _PcxRuns, end: np.ndarray, before: int) -> bool:
    """Whether, before the byte `before` of its pixels, the PCX of `runs` breaks its codes at
    the end of a plane's row inside a row where the same byte goes on after it: its writer
    codes each plane's row alone (Pillow's, ImageMagick's), where the PCX specification lets
    a run go on into the next plane (a writer that does is told by no run across a plane)."""
    breaks = (end < before) & (end % runs.stride == 0) & (end % runs.row != 0)
    breaks &= (runs.made > 0) & (runs.made < 63)  # a run of 63 ends whatever comes after it
    places = end[breaks]
    if not len(places):
        return False
    covering = np.searchsorted(end, places, side="right")  # the code making the byte there
    covering = covering[covering < len(end)]
    return bool(np.any(runs.value[breaks][: len(covering)] == runs.value[covering]))


_PCX_HEADER_SIZE = 128


_PCX_PALETTE_SIZE = 769  # its marker byte (12) and 256 RGB colours


_PCX_LOOK_BACK = 64


def pcx_cut_short(file: BinaryIO, size: int) -> bool:
    """Whether a PCX of version 5, 8 bits in one plane, too short to hold a palette after its
    pixels (Pillow seeks 769 bytes back from the end for one, and fails before the start), was
    cut short (`_pcx_palette_missing`)."""
    try:
        small = size < _PCX_HEADER_SIZE + _PCX_PALETTE_SIZE
        return small and _pcx_palette_missing(file, size) is not None
    except (OSError, ValueError):
        return False


def _pcx_palette_cut(file: BinaryIO, size: int) -> str | None:
    """Where a PCX of version 5, 8 bits in one plane, that was cut short ends: before its
    pixels do (`_BEFORE_PIXELS_END`), just where they end (`_AT_PALETTE`: the palette after
    them cut off whole), or inside that palette (`_INSIDE_PALETTE`: a byte 12 with fewer than
    768 bytes after it); None for a file not cut so."""
    if not _pcx_of_256_colours(file):
        return None
    end = _pcx_pixels_end(file, size)
    if end is None:
        return _BEFORE_PIXELS_END
    if end == size:
        return _AT_PALETTE
    file.seek(end)
    cut = end < size < end + _PCX_PALETTE_SIZE and file.read(1) == b"\x0c"
    return _INSIDE_PALETTE if cut else None


def _pcx_palette_missing(file: BinaryIO, size: int) -> str | None:
    """`_pcx_palette_cut`, but None for a file that ends just where its pixels do and whose
    header says greyscale (`_pcx_says_greyscale`): read without a palette, grey, it is whole."""
    cut = _pcx_palette_cut(file, size)
    return None if cut == _AT_PALETTE and _pcx_says_greyscale(file) else cut


def _pcx_says_greyscale(file: BinaryIO) -> bool:
    """Whether a PCX's header says its image is greyscale (PaletteInfo, offset 68, 2; 1 is
    colour or black and white). The ZSoft text gives a version 5 file of 8 bits in one plane
    a palette after its pixels, and writers write one (Pillow a grey one for greyscale, and
    PaletteInfo 1 for every image): where none follows the pixels of a file whose header says
    greyscale, grey is how it reads, and no palette was cut off."""
    file.seek(68)
    return file.read(2) == b"\x02\x00"


# Where a 256-colour PCX cut short ends, as its message says.
_BEFORE_PIXELS_END = "before its pixels end"
_AT_PALETTE = "where its palette should start"
_INSIDE_PALETTE = "inside the palette after its pixels"


def _pcx_palette_inside_pixels(file: BinaryIO, size: int, last_row: bytes) -> str | None:
    """Where (`_pcx_palette_cut`'s words; None: it was not) a PCX of version 5, 8 bits in one
    plane, whose pixels' last row is `last_row` (as decoded), was cut inside its palette where
    Pillow found a byte 12 769 bytes before the end, a pixel's: its pixels end with `last_row`
    not there but at a byte 12 after it (the palette's own marker, with fewer than 768 bytes
    after it), or at the file's end (cut just where the palette starts). Reads the codes of
    the last rows and the palette alone: a byte below 0xC0 is never a count, so codes start
    after one (read from the pixels' start, in a small image, they end only after every row
    the header asks, not at a row like the last one that comes before a pixel's 12). Where
    that byte 12 is the header's (a width or height of 13, a DPI of 12), no palette follows
    the pixels there, and the file is too short to be whole: where its pixels end is read
    from all its codes (`_pcx_palette_cut`), no more than the last rows' would be. A file that
    ends with its pixels is cut even where its header says greyscale: the colours Pillow read
    from its pixels are wrong."""
    if not _pcx_of_256_colours(file):
        return None
    marker = size - _PCX_PALETTE_SIZE
    if marker < _PCX_HEADER_SIZE:
        return _pcx_palette_cut(file, size)
    file.seek(0)
    rows, stride = _rows_and_stride(file.read(68))  # one plane: a row's bytes
    start = max(_PCX_HEADER_SIZE, marker - 2 * stride - 2)  # codes of more than a row
    file.seek(start)
    window = np.frombuffer(file.read(size - start), np.uint8)
    low = np.flatnonzero(window < 0xC0)
    if not len(low) or len(last_row) > stride:
        return None
    first = 0 if start == _PCX_HEADER_SIZE else int(low[0]) + 1  # where a code starts
    count, made, made_value = _code_roles(window[first:])
    pixels = np.repeat(made_value, made)
    ends = made.cumsum()  # the bytes made by the codes up to each byte (a value's: its run's)
    row = np.frombuffer(last_row, np.uint8)

    def pixels_end_at(place: int) -> bool:
        """Whether the codes end just before `place` (of the file) with the last row."""
        at = place - start - first
        if at < 1 or count[at - 1]:  # no code ends before a run's value
            return False
        made_there = int(ends[at - 1])
        if first == 0 and made_there != rows * stride:
            return False  # codes read from the pixels' start: every row the header asks
        tail = pixels[made_there - stride : made_there][: len(row)]
        return made_there >= stride and np.array_equal(tail, row)

    if pixels_end_at(marker):
        return None
    twelves = np.flatnonzero(window[marker - start + 1 :] == 12) + marker + 1
    if any(pixels_end_at(int(place)) for place in twelves):
        return _INSIDE_PALETTE
    # Or they end at the file's end: cut just where its palette starts.
    return _AT_PALETTE if pixels_end_at(size) else None


def check_pcx_palette(image: ImageFile.ImageFile, file: BinaryIO, size: int) -> None:
    """DecodeError truncated for a PCX of version 5, 8 bits in one plane, whose palette after
    its pixels was cut short: decoded without a palette (Pillow found no 12 769 bytes before
    the end: shades of grey, which a file whose header says greyscale is; `_pcx_palette_missing`,
    which reads the pixels' run-length codes with numpy, for such files alone), or with one
    that starts inside its pixels, a pixel's 12 taken for the palette's marker
    (`_pcx_palette_inside_pixels`, which reads its last rows): the colours decoded are wrong.
    The message says where the data ends: inside the palette, where it should start, or
    before the pixels' end. Leaves the file at its start."""
    if image.format != "PCX" or image.mode not in ("L", "P"):
        return
    try:
        if image.mode == "L":
            cut = None if pcx_palette_at_end(file, size) else _pcx_palette_missing(file, size)
        else:
            width, height = image.size
            last_row = image.crop((0, height - 1, width, height)).tobytes()
            cut = _pcx_palette_inside_pixels(file, size, last_row)
        if cut:
            raise DecodeError(
                TRUNCATED, f"image file is truncated (data ends after {size} bytes, {cut})"
            )
    except (OSError, ValueError):
        return
    finally:
        file.seek(0)
