"""PNG checks around Pillow's decode: of ancillary chunks whose checksum is wrong and ICC profiles
after the first, patched so that Pillow skips them (`damaged_png_chunks`, `extra_icc_profiles`,
`skip_late_icc_profiles`), and of text over Pillow's limits, patched so too
(`dropped_png_text`), the patches read through `PatchedFile`; and, after decoding, of pixel data
whose checksum is wrong (`check_png_pixel_data`) or which ends before its rows do
(`check_png_rows`)."""

from __future__ import annotations

import bisect
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

import numpy as np
from PIL import ImageFile, PngImagePlugin

from zsl_cli.image_damage._common import inflate_from
from zsl_cli.image_damage.icons import icon_pictures
from zsl_cli.image_formats import FileView, ReadBudget
from zsl_cli.image_status import DECODE_ERROR, DecodeError


def damaged_png_chunks(file: BinaryIO, size: int) -> dict[int, bytes]:
    """For a PNG with ancillary chunks whose checksum is wrong before its pixel data (where
    Pillow checks them), the bytes that turn each into a chunk Pillow skips: its type and
    checksum, by their offsets. Empty where a critical chunk is damaged, or none is."""
    patches: dict[int, bytes] = {}
    try:
        for offset, length, kind in _png_chunks(file, size):
            if len(patches) >= _MOST_PATCHES:
                break
            if _chunk_crc(file, kind, length) != int.from_bytes(file.read(4), "big"):
                if not kind[0] & 0x20:  # a critical chunk (IHDR, PLTE) decides the pixels
                    return {}
                patches.update(_skipped_chunk(file, offset, length, _SKIPPED_CHUNK))
    except OSError:
        return {}
    finally:
        file.seek(0)
    return patches


def _pixel_data_chunks(file: BinaryIO, size: int) -> Iterator[tuple[int, int]]:
    """The offset and length of each IDAT chunk of a PNG's pixel data (the run of them after
    the chunks before it, up to the first other chunk or IEND), the file left at the chunk's
    data: the walk of `check_png_pixel_data` and `check_png_rows`, its chunks spent from a
    ReadBudget."""
    offset, budget, in_data = 8, ReadBudget(), False
    while offset + 12 <= size:
        file.seek(offset)
        header = file.read(8)
        length, kind = int.from_bytes(header[:4], "big"), header[4:8]
        if kind != b"IDAT" and (in_data or kind == b"IEND"):
            return
        budget.spend_piece(12 + length)
        if kind == b"IDAT":
            in_data = True
            yield offset, length
        offset += 12 + length


def check_png_pixel_data(file: BinaryIO, size: int) -> None:
    """DecodeError (decode_error) for a PNG whose pixel data (its run of IDAT chunks) fails its
    checksum, as libpng refuses it by default: Pillow checks none of them, and a stretch of
    zeros or flipped bits in compressed pixels often still inflates, to other pixels. Reads the
    chunks' headers before the run, and the run itself (crc32 is far faster than inflating it).
    Leaves the file at its start. Called for files Pillow read as PNG, which start with its
    signature."""
    try:
        for offset, length in _pixel_data_chunks(file, size):
            if offset + 12 + length > size:
                return  # cut inside: its pixels decoded before the cut
            if _chunk_crc(file, b"IDAT", length) != int.from_bytes(file.read(4), "big"):
                raise DecodeError(
                    DECODE_ERROR,
                    f"cannot decode: its pixel data (the IDAT chunk at byte {offset:,}) "
                    "fails its checksum (damaged inside)",
                )
    except OSError:
        return
    finally:
        file.seek(0)


def check_png_rows(image: ImageFile.ImageFile, file: BinaryIO, size: int) -> None:
    """DecodeError (decode_error) for a PNG, decoded into `image`, whose compressed pixel data
    ends, its stream whole, before the rows its header declares: Pillow stops where the stream
    ends and leaves the rest of the image blank without a word, where libpng says "Not enough
    image data" (a height damaged and its checksum made good, rows a writer left out). Looked
    for only where one of the last two rows decoded blank (zeros: the rows Pillow never
    reached; an interlaced one's odd rows come last, in Adam7's seventh pass): the data is then
    inflated again, its bytes counted, about as long as decoding took. Leaves the file at its
    start."""
    width, height = image.size
    foot = np.asarray(image.crop((0, max(0, height - 2), width, height)))
    if foot.reshape(len(foot), -1).any(axis=1).all():
        return
    try:
        file.seek(8)
        header = file.read(25)
        if header[4:8] != b"IHDR" or len(header) < 25:
            return
        columns, rows = int.from_bytes(header[8:12], "big"), int.from_bytes(header[12:16], "big")
        channels = _PNG_CHANNELS.get(header[17])
        if channels is None or (columns, rows) != (width, height):
            return
        bits = header[16] * channels
        passes = _ADAM7 if header[20] else ((0, 0, 1, 1),)
        expected = 0
        for left, top, across, down in passes:
            pass_columns = -(-(width - left) // across) if width > left else 0
            pass_rows = -(-(height - top) // down) if height > top else 0
            if pass_columns and pass_rows:
                expected += pass_rows * (1 + -(-pass_columns * bits // 8))
        made = _inflated_pixel_data(file, size, expected)
    except OSError:
        return
    finally:
        file.seek(0)
    if made is not None and made < expected:
        raise DecodeError(
            DECODE_ERROR,
            f"cannot decode: its pixel data ends short of its {height:,} rows ({made:,} of the "
            f"{expected:,} bytes they take), its compressed stream whole: a damaged size, or "
            "rows left out (the rest would be blank)",
        )


def _inflated_pixel_data(file: BinaryIO, size: int, most: int) -> int | None:
    """The bytes a PNG's pixel data (its run of IDAT chunks) inflates to, counted up to `most`
    (the count once past it); None where its compressed stream does not end within the run
    (Pillow says it was cut) or is damaged."""
    inflater, made = zlib.decompressobj(), 0
    for _, length in _pixel_data_chunks(file, size):
        try:
            counted = inflate_from(file, length, inflater, made, most)
        except zlib.error:
            return None
        if counted is None or counted > most:
            return counted
        made = counted
        if inflater.eof:
            break
    return made if inflater.eof else None


# Channels of each PNG colour type: grey, RGB, palette, grey and alpha, RGBA.
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7's passes: (first column, first row, column step, row step).
_ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)


def extra_icc_profiles(file: BinaryIO, size: int) -> dict[int, bytes]:
    """For a PNG with more than one ICC profile (iCCP chunk) before its pixel data, the bytes
    that turn all but the first into chunks Pillow skips, as `damaged_png_chunks` gives them.
    The spec allows one, and libpng ignores any other, yet Pillow inflates each (up to
    PNG_METADATA_LIMIT, 64 MB from 64 KB, during a run) and counts none against its bound on a
    file's text: 50 such in a 3 MB file took 10 s. The walk reads chunk headers alone, but for
    the chunks it patches. For the PNG picture of an ICO or ICNS, which Pillow reads from the
    icon's own file (so the patches reach it), also all those after its pixel data: Pillow
    decodes an ICO's picture within Image.open, beyond `skip_late_icc_profiles`. 20 such before
    an ICO's pixel data took 6 s (the size check opened the picture too), 20 after it 3 s.
    Leaves the file at its start."""
    patches: dict[int, bytes] = {}
    try:
        file.seek(0)
        head = file.read(8)
        if head == PngImagePlugin._MAGIC:
            return _extra_profiles(file, size, 0, to_end=False)
        for start in icon_pictures(FileView(file), head):
            patches.update(_extra_profiles(file, size, start, to_end=True))
    except OSError:
        return {}
    finally:
        file.seek(0)
    return patches


def _extra_profiles(file: BinaryIO, size: int, start: int, to_end: bool) -> dict[int, bytes]:
    """`extra_icc_profiles` for the PNG at `start`: all its profiles but the first before its
    pixel data (the image's), walking `to_end` to find those after it as well."""
    patches: dict[int, bytes] = {}
    extra = False  # whether a profile met now is extra: after the first, or after the pixels
    for offset, length, kind in _png_chunks(file, size, start, to_end):
        if kind == b"iCCP" and extra:
            patches.update(_skipped_chunk(file, offset, length, _SKIPPED_CHUNK))
        extra = extra or kind in (b"iCCP", b"IDAT", b"fdAT")
    return patches


def _png_chunks(
    file: BinaryIO, size: int, start: int = 0, to_end: bool = False
) -> Iterator[tuple[int, int, bytes]]:
    """(offset, data length, type) of each whole chunk of a PNG (at `start` in the file) before
    its pixel data (IDAT, fdAT), or `to_end` of all before its end (IEND), the file at the
    chunk's data; none where the file holds no PNG there. Seeks to each chunk, so the caller may
    read on. Refuses a file of more chunks there than Pillow would read within a ReadBudget, lest
    the walk be the stall."""
    file.seek(start)
    if file.read(8) != PngImagePlugin._MAGIC:
        return
    offset, budget = start + 8, ReadBudget()
    stops = (b"IEND",) if to_end else (b"IDAT", b"fdAT")
    while offset + 12 <= size:
        file.seek(offset)
        header = file.read(8)
        length, kind = int.from_bytes(header[:4], "big"), header[4:8]
        if kind in stops or offset + 12 + length > size:
            return
        budget.spend_piece(12 + length)
        yield offset, length, kind
        offset += 12 + length


def skip_late_icc_profiles(image: ImageFile.ImageFile) -> None:
    """Have Pillow skip the ICC profiles (iCCP chunks) of an opened PNG that follow its pixel
    data, where the spec allows none, yet Pillow inflates each as it reads the chunks that follow
    the pixels (and, in an APNG, those before the frame it moves to): `extra_icc_profiles` stops
    at a PNG's pixel data, as walking on would cost a seek per chunk of it in every PNG (it
    walks on in an icon's PNG picture, which Pillow decodes out of reach of this skip)."""
    # Pillow's own structure (its chunk reader, `png`): where a Pillow release has none, the
    # profiles are inflated as before, and the image still decodes.
    stream = getattr(image, "png", None) if isinstance(image, PngImagePlugin.PngImageFile) else None
    if isinstance(stream, PngImagePlugin.PngStream) and stream.fp is not None:
        fp = stream.fp
        # Pillow finds a chunk's reader on its PngStream by the chunk's type: this one reads
        # past the data, as Pillow reads past a chunk it does not know.
        stream.chunk_iCCP = lambda pos, length: ImageFile._safe_read(fp, length)  # type: ignore[method-assign]


def _skipped_chunk(file: BinaryIO, offset: int, length: int, kind: bytes) -> dict[int, bytes]:
    """The bytes that turn the PNG chunk at `offset`, of `length` bytes of data, into a chunk
    Pillow skips, of type `kind`: its type, and the checksum that type gives its data."""
    file.seek(offset + 8)
    checksum = _chunk_crc(file, kind, length)
    return {offset + 4: kind, offset + 8 + length: checksum.to_bytes(4, "big")}


def dropped_png_text(error: BaseException, file: BinaryIO, size: int) -> dict[int, bytes]:
    """For a PNG Pillow refused for its text (a chunk that inflates past MAX_TEXT_CHUNK, or
    text past MAX_TEXT_MEMORY in all: 64 MB each during a run), the bytes that turn each of its
    text chunks (tEXt, zTXt, iTXt) and ICC profiles (iCCP), before and after its pixel data,
    into chunks Pillow skips: zsl uses neither, and the pixels are fine. Pillow reads a skipped
    chunk's bytes as they are, never inflated, and keeps none (its type is no private one):
    memory stays within the file's size, and a text chunk that would inflate without end is
    not inflated at all. Empty for any other error or file. Leaves the file at its start."""
    if not isinstance(error, ValueError) or not any(
        text in str(error) for text in _TEXT_LIMIT_MESSAGES
    ):
        return {}
    patches: dict[int, bytes] = {}
    try:
        for offset, length, kind in _png_chunks(file, size, to_end=True):
            if kind in _DROPPED_KINDS:
                patches.update(_skipped_chunk(file, offset, length, _DROPPED_CHUNK))
    except OSError:
        return {}
    finally:
        file.seek(0)
    return patches


# What Pillow's PNG reader says of text over its limits (on one chunk, and on all of them).
_TEXT_LIMIT_MESSAGES = ("MAX_TEXT_CHUNK", "MAX_TEXT_MEMORY")


_DROPPED_KINDS = frozenset({b"tEXt", b"zTXt", b"iTXt", b"iCCP"})


# Ancillary and public by its letters (of no meaning), which Pillow skips without keeping its
# data among the image's private chunks, as it keeps those of _SKIPPED_CHUNK.
_DROPPED_CHUNK = b"zSKp"


def _chunk_crc(file: BinaryIO, kind: bytes, length: int) -> int:
    """The checksum of a PNG chunk of type `kind` whose `length` bytes of data the file is at,
    read in blocks (a chunk may be of any size)."""
    checksum = zlib.crc32(kind)
    for start in range(0, length, _CRC_BLOCK):
        checksum = zlib.crc32(file.read(min(_CRC_BLOCK, length - start)), checksum)
    return checksum


# A chunk type of no meaning (ancillary, private, safe to copy), which Pillow skips.
_SKIPPED_CHUNK = b"zsLx"


_CRC_BLOCK = 1024 * 1024


# The most patches damaged_png_chunks makes, two a chunk: real files have a handful of damaged
# chunks, and Pillow fails on those past the 500th.
_MOST_PATCHES = 1000


class PatchedFile:
    """A file read with some of its bytes replaced: {offset: the bytes found there}. A read
    looks at the patches it may meet alone, found by their offsets: Pillow reads a PNG a chunk
    at a time, and going through all of them on each read took 11 s for a 600 KB PNG of 499
    damaged chunks and 50,000 empty ones."""

    def __init__(self, file: BinaryIO, patches: dict[int, bytes]) -> None:
        self._file = file
        self._patches = patches
        self._offsets = sorted(patches)
        self._longest = max((len(replacement) for replacement in patches.values()), default=0)

    def read(self, size: int = -1) -> bytes:
        start = self._file.tell()
        data = self._file.read(size)
        end = start + len(data)
        # A patch that starts less than its length before the read may reach into it.
        low = bisect.bisect_right(self._offsets, start - self._longest)
        for at in self._offsets[low : bisect.bisect_left(self._offsets, end)]:
            replacement = self._patches[at]
            if at + len(replacement) > start:
                piece = bytearray(data)
                first = max(at, start)
                last = min(at + len(replacement), end)
                piece[first - start : last - start] = replacement[first - at : last - at]
                data = bytes(piece)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)
