"""TIFF checks: directory damage, for `classify` (`tiff_damage`); of files built to hold a decode
worker for long or to take far more memory than its pixels, before Image.open (`check_tiff_strips`,
`check_tiff_fields`); before decoding, of an uncompressed one whose strips or tiles cover
part of its size (`check_tiff_coverage`); and, after decoding, of deflate strips
that fail zlib's checks (`check_tiff_deflate`) and of PackBits strips whose codes make more bytes
than their rows take (`check_tiff_packbits`)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

from PIL import ImageFile

from zsl_cli.image_damage._common import INFLATE_BLOCK, inflate_from
from zsl_cli.image_formats import ReadBudget, check_read_whole
from zsl_cli.image_status import DECODE_ERROR, DecodeError


def tiff_damage(file: BinaryIO, size: int) -> str | None:
    """For a TIFF Pillow failed on, what its first directory (the image Pillow decodes) shows:
    CUT where it, a value it points to, or the strips or tiles it lists run past the end of
    the file; PLACED_PAST_END where some of those run past the end, yet the file ends just
    where another of them ends and none starts there (a cut would have to fall on that very
    byte, and then what it cut off starts where the file ends), or one of them
    lies wholly past the end while the file holds a run of its length that no part covers
    (`_left_where_a_part_was`: found where a writer put the pixels last, as Pillow does those
    it writes uncompressed): a damaged offset or byte count, not a cut; STRIPS_WITHIN where
    the strips or tiles it lists (with their byte counts) all lie within the file, which then
    holds all the data it lists; what is wrong where that directory holds no tags (its offset
    is damaged: Pillow read on through pixels until the file ended, as if it were cut), or lies
    past the end where a directory follows the header (`_directory_at`: its offset is damaged);
    None for none of those.

    libtiff writes the directory after the pixels, so a cut file may keep all its pixel data
    and lose tags Pillow needs ("decoder error -2").
    """
    try:
        directory = _tiff_directory(file)
        if not isinstance(directory, _TiffDirectory):
            return directory
        number, table, ifd = directory.number, directory.table, directory.offset
        count_size, entry_size, word = directory.sizes
        if ifd < (16 if directory.version == 43 else 8):
            return None  # a directory inside the header: Pillow says what it found
        # Field types run from 1 to 18: two random bytes are one of them 1 time in 4,000.
        kinds = [number(table[at + 2 : at + 4]) for at in range(0, len(table) - 3, entry_size)]
        if kinds and not all(kind in _TIFF_TYPE_SIZES for kind in kinds):
            return f"its first directory (at byte {ifd}) holds no tags: a damaged offset"
        header = 16 if directory.version == 43 else 8
        if ifd + count_size > size and _directory_at(file, directory, header, size):
            # A cut takes what follows the header (where many writers put the directory)
            # with it, not the directory alone: the offset is damaged.
            return (
                f"its header places its first directory at byte {ifd:,}, past the file's end "
                f"({size:,} bytes), where a directory follows the header: a damaged offset, "
                "not a cut"
            )
        parts = [(0, header), (ifd, ifd + count_size + directory.entries * entry_size + word)]
        if parts[1][1] > size:
            return CUT
        past_end = False
        arrays: dict[int, list[int]] = {}
        for tag, kind, count, value in directory.fields():
            width = _TIFF_TYPE_SIZES[kind]
            inline = count * width <= word
            if not inline:
                parts.append((number(value), number(value) + count * width))
                if parts[-1][1] > size:
                    past_end = True
                    continue
            # Offsets of a signed type (SLONG) may be negative: damage, which Pillow reports.
            if tag in _TIFF_DATA_TAGS and kind in (3, 4, 16) and count <= _TIFF_MAX_STRIPS:
                if not inline:
                    file.seek(number(value))
                    value = file.read(count * width)
                arrays[tag] = [number(value[i : i + width]) for i in range(0, count * width, width)]
        listed = False
        for offsets, lengths in ((273, 279), (324, 325)):  # strips, tiles
            starts, counts = arrays.get(offsets, []), arrays.get(lengths, [])
            listed = listed or (bool(starts) and len(starts) == len(counts))
            parts.extend(
                (start, start + length) for start, length in zip(starts, counts, strict=False)
            )
        ends = {end for _, end in parts}
        if max(ends) > size:
            past_end = True
        if past_end:
            # Where its strip arrays lie past the end, what it lists is not known in full.
            # A cut on the very byte where a part starts (libtiff writes its directory's
            # values last) ends the file where the part before ends: what it cut off starts
            # there, where a damaged offset or count lands anywhere.
            cut_at_a_part = any(size <= start <= size + _TIFF_MOST_PADDING for start, _ in parts)
            whole = (size in ends and not cut_at_a_part) or (
                listed and _left_where_a_part_was(parts, size)
            )
            return PLACED_PAST_END if whole else CUT
        return STRIPS_WITHIN if listed else None
    except (OSError, ValueError):
        return None


def _directory_at(file: BinaryIO, directory: _TiffDirectory, at: int, size: int) -> bool:
    """Whether a TIFF directory lies whole at `at` in the file, by the numbers of `directory`:
    3 or more entries, each of a known field type, their tags ascending (as TIFF has them).
    Pixels or other data read so 1 time in 4,000 an entry by their types alone."""
    count_size, entry_size, _ = directory.sizes
    file.seek(at)
    entries = directory.number(file.read(count_size))
    if entries < 3 or at + count_size + entries * entry_size > size:
        return False
    found = _TiffDirectory(
        directory.endian, directory.version, at, entries, file.read(entries * entry_size)
    )
    tags = [(tag, kind) for tag, kind, _, _ in found.fields()]
    return len(tags) == entries and all(
        kind in _TIFF_TYPE_SIZES and (index == 0 or tag > tags[index - 1][0])
        for index, (tag, kind) in enumerate(tags)
    )


def _left_where_a_part_was(parts: list[tuple[int, int]], size: int) -> bool:
    """Whether a part of a TIFF (a (start, end) range its directory lists) lies wholly past the
    end of the file, and the file holds a run of bytes of that part's length (but for padding)
    that no part covers: where the part was before its offset was damaged. A cut file has no
    such run: all it holds is its parts, with a byte of padding before some, and data its first
    directory does not list (another page, an EXIF directory), which would have to be as long as
    the part by chance."""
    lengths = {end - start for start, end in parts if start >= size}
    lengths = {length for length in lengths if length > _TIFF_MOST_PADDING}
    if not lengths:
        return False
    runs, reached = set(), 0
    for start, end in sorted(parts):
        if min(start, size) > reached:
            runs.add(min(start, size) - reached)
        reached = max(reached, min(end, size))
    runs.add(size - reached)
    return any(length + pad in runs for length in lengths for pad in range(_TIFF_MOST_PADDING + 1))


_TIFF_MOST_PADDING = 8  # TIFF aligns values to 2 bytes; some writers to 4 or 8


@dataclass(frozen=True)
class _TiffDirectory:
    """A TIFF's first directory (the image Pillow decodes), where its header places it."""

    endian: Literal["little", "big"]
    version: int  # 42, or 43 for BigTIFF (64-bit offsets and counts)
    offset: int
    entries: int  # as many as it declares
    table: bytes  # its entries as read: fewer bytes where the file (or the read) ends first

    @property
    def sizes(self) -> tuple[int, int, int]:
        return _tiff_sizes(self.version)

    def number(self, data: bytes) -> int:
        return int.from_bytes(data, self.endian)

    def fields(self) -> Iterator[tuple[int, int, int, bytes]]:
        """(tag, type, count, value or its offset) of each whole entry read."""
        _, entry_size, word = self.sizes
        for at in range(0, len(self.table) - entry_size + 1, entry_size):
            entry = self.table[at : at + entry_size]
            yield (
                self.number(entry[:2]),
                self.number(entry[2:4]),
                self.number(entry[4 : 4 + word]),
                entry[4 + word :],
            )


def _tiff_sizes(version: int) -> tuple[int, int, int]:
    """The sizes of a TIFF directory's entry count, of an entry, and of an offset, in bytes."""
    return (8, 20, 8) if version == 43 else (2, 12, 4)


def _tiff_directory(file: BinaryIO, most_entries: int | None = None) -> _TiffDirectory | str | None:
    """The first directory of a TIFF, of at most `most_entries` entries read; CUT where a
    BigTIFF's header is cut short; None where the file is no TIFF."""
    file.seek(0)
    head = file.read(16)
    order = {b"II": "little", b"MM": "big"}.get(head[:2])
    if order is None or len(head) < 8:
        return None
    endian: Literal["little", "big"] = "little" if order == "little" else "big"
    version = int.from_bytes(head[2:4], endian)
    if version == 43 and len(head) < 16:
        return CUT
    ifd = int.from_bytes(head[8:16] if version == 43 else head[4:8], endian)
    count_size, entry_size, _ = _tiff_sizes(version)
    file.seek(ifd)
    entries = int.from_bytes(file.read(count_size), endian)
    read = entries if most_entries is None else min(entries, most_entries)
    return _TiffDirectory(endian, version, ifd, entries, file.read(read * entry_size))


CUT = "cut"


PLACED_PAST_END = "placed past its end"


STRIPS_WITHIN = "strips within"


# Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, ... IFD8).
_TIFF_TYPE_SIZES = {
    **dict.fromkeys((1, 2, 6, 7), 1),
    **dict.fromkeys((3, 8), 2),
    **dict.fromkeys((4, 9, 11, 13), 4),
    **dict.fromkeys((5, 10, 12, 16, 17, 18), 8),
}


_TIFF_DATA_TAGS = frozenset({273, 279, 324, 325})  # strip and tile offsets and byte counts


_TIFF_MAX_STRIPS = 1_000_000


_TIFF_COMPRESSION, _TIFF_STRIP_OFFSETS, _TIFF_TILE_OFFSETS = 259, 273, 324
_TIFF_SAMPLES_PER_PIXEL, _TIFF_PLANAR_CONFIGURATION = 277, 284


def _checked_directory(file: BinaryIO) -> _TiffDirectory | None:
    """The first directory of a TIFF or BigTIFF for the checks before Pillow opens it; None
    where the file is no TIFF or its directory cannot be read (Pillow then says what is
    wrong). Leaves the file at its start."""
    try:
        # Pillow reads a directory an entry a read (12 bytes, a BigTIFF's 20), so the read
        # budget refuses one only past FREE_READS / (1 - 20 / BYTES_PER_READ) entries, about
        # 291,000 (a classic TIFF has at most 65,535): a strip tag after that is read here too.
        directory = _tiff_directory(file, 2 * ReadBudget.FREE_READS)
    except OSError:  # an offset past what the file system allows
        return None
    finally:
        file.seek(0)
    if not isinstance(directory, _TiffDirectory) or directory.version not in (42, 43):
        return None
    return directory


def check_tiff_strips(file: BinaryIO, size: int) -> None:
    """DecodeError for an uncompressed TIFF of more strips or tiles (in its first directory)
    than ReadBudget.FREE_READS and one for each BYTES_PER_READ of the file: Pillow sets each up
    in Python, in Image.open, and reads each on its own, so a 14 MB file of 2.4 million strips
    of a pixel held a decode worker for 32-42 s (reads of strips at one offset, 64 KB each,
    paid the read budget). libtiff reads a compressed one whole. Leaves the file at its start."""
    directory = _checked_directory(file)
    if directory is None:
        return
    strips, compression = 0, 1  # TIFF's default: none
    for tag, kind, count, value in directory.fields():
        if tag in (_TIFF_STRIP_OFFSETS, _TIFF_TILE_OFFSETS):
            strips = max(strips, count)
        elif tag == _TIFF_COMPRESSION and kind in (3, 4, 16):  # SHORT, LONG, LONG8
            compression = directory.number(value[: _TIFF_TYPE_SIZES[kind]])
    if compression == 1 and strips > ReadBudget.FREE_READS + size // ReadBudget.BYTES_PER_READ:
        raise DecodeError(
            DECODE_ERROR,
            f"cannot decode: {strips:,} strips or tiles of uncompressed pixels, over "
            f"{ReadBudget.FREE_READS:,} that hold next to nothing, each set up and read on its "
            "own (real files have far fewer): not decoded",
        )


def check_tiff_fields(file: BinaryIO, size: int, max_pixels: int) -> None:
    """DecodeError for a TIFF whose first directory's fields hold more bytes than
    check_read_whole allows for its size (at 4 bytes a sample): Pillow reads every field's data
    into memory in Image.open, before any check of the opened image, so that a field (a
    Software text, say) said to hold gigabytes of padding took them. Reads the directory
    alone (at most as many entries as check_tiff_strips reads); leaves the file at its start."""
    directory = _checked_directory(file)
    if directory is None:
        return
    word = directory.sizes[2]
    fields, numbers = 0, {256: 0, 257: 0, 277: 1}  # width, height, samples a pixel
    for tag, kind, count, value in directory.fields():
        nbytes = count * _TIFF_TYPE_SIZES.get(kind, 0)  # Pillow skips a type it does not know
        if nbytes > word:
            fields += max(0, min(nbytes, size - directory.number(value)))
        elif tag in numbers and kind in (3, 4):  # SHORT or LONG, held in the entry
            numbers[tag] = directory.number(value[: _TIFF_TYPE_SIZES[kind]])
    width, height, samples = numbers.values()
    check_read_whole(fields, (width, height), 4 * max(1, samples), max_pixels)


def check_tiff_deflate(image: ImageFile.ImageFile, file: BinaryIO) -> None:
    """DecodeError for a deflate-compressed TIFF, decoded into `image`, one of whose strips (or
    tiles) fails zlib's checks (a code no encoder writes, or its checksum): libtiff stops
    inflating a strip once it has the strip's rows, and damage that makes more rows of less data
    (zeros inflate to long repeats) leaves it with wrong pixels and nothing said. A whole file's
    strip passes (libtiff itself refuses one whose checksum is wrong where it reads that far).
    Costs one more inflation of the pixel data (with no copy of it kept), deflate TIFFs alone,
    and stops with no verdict where a strip inflates past twice the image's bytes. Leaves the
    file at its start."""
    if image.format != "TIFF" or image.info.get("compression") not in _DEFLATE_COMPRESSIONS:
        return
    tags = getattr(image, "tag_v2", {})
    offsets = tags.get(_TIFF_STRIP_OFFSETS) or tags.get(_TIFF_TILE_OFFSETS) or ()
    counts = tags.get(_TIFF_STRIP_BYTE_COUNTS) or tags.get(_TIFF_TILE_BYTE_COUNTS) or ()
    bits = tags.get(_TIFF_BITS_PER_SAMPLE, (1,))
    bits = bits if isinstance(bits, tuple) else (bits,)
    most = 2 * image.width * image.height * -(-sum(bits) // 8) + INFLATE_BLOCK
    try:
        for index, (offset, count) in enumerate(zip(offsets, counts, strict=False)):
            file.seek(offset)
            if not _inflates_cleanly(file, count, most):
                raise DecodeError(
                    DECODE_ERROR,
                    f"cannot decode: its compressed pixels (strip or tile {index + 1} of "
                    f"{len(offsets)}, at byte {offset:,}) fail zlib's checks (damaged inside)",
                )
    except (OSError, TypeError, ValueError):  # no verdict: the image stands as decoded
        return
    finally:
        file.seek(0)


def check_tiff_coverage(image: ImageFile.ImageFile) -> None:
    """DecodeError, before decoding, for an uncompressed TIFF whose first directory lists fewer
    strips or tiles than its size takes (a damaged width or height, 65,535 rows where its strips
    hold 480; a strip list cut short): Pillow's own decoder, which reads such a TIFF, decodes
    those it lists and leaves the rest of the image black without a word, where libtiff, which
    reads the compressed ones, refuses the file. Pillow lays its tiles (one for each strip or
    tile listed, or one where a single one covers the image) row by row over the image; in
    planes stored apart, each plane's after the last, as many for each plane."""
    if image.format != "TIFF" or not image.tile:
        return
    first = image.tile[0].extents
    if first is None or any(tile.codec_name == "libtiff" for tile in image.tile):
        return
    # The size as stored: Pillow gives a TIFF turned a quarter by its orientation turned.
    width, height = getattr(image, "_tile_size", image.size)
    left, top, right, bottom = first
    if right <= left or bottom <= top:
        return  # no verdict: Pillow says what it makes of it
    each = -(-width // (right - left)) * -(-height // (bottom - top))
    # Planes stored apart list each sample's strips after the last's; Pillow lays them all over
    # the first plane's rows first, so a damaged height had them fill it with the others.
    tags = getattr(image, "tag_v2", {})
    planes = (
        tags.get(_TIFF_SAMPLES_PER_PIXEL, 1) if tags.get(_TIFF_PLANAR_CONFIGURATION) == 2 else 1
    )
    takes, listed = each * planes, len(image.tile)
    if listed < takes:
        apart = f" ({each:,} for each of its {planes} planes)" if planes > 1 else ""
        raise DecodeError(
            DECODE_ERROR,
            f"cannot decode: its TIFF directory lists {listed:,} "
            f"{'strip or tile' if listed == 1 else 'strips or tiles'} of pixels, where its "
            f"size, {width:,}x{height:,}, takes {takes:,}{apart}: the rest would be black (a "
            "damaged size, or its list of strips)",
        )


def check_tiff_packbits(image: ImageFile.ImageFile, file: BinaryIO) -> None:
    """DecodeError for a PackBits TIFF, decoded into `image`, one of whose strips codes more
    bytes than its rows take: libtiff stops a strip once it has its rows and only warns of the
    rest, which garbage in place of its codes makes (a run length read from a byte of pixels),
    so the pixels decoded were wrong and nothing was said (fewer bytes than its rows take fail
    in libtiff). Walks the run headers alone, in Python (a literal run of up to 128 bytes is a
    step): 6 ms for a 1024x768 colour photo, as long as its decoding; no verdict past
    _PACKBITS_MOST_RUNS runs, nor for tiles or planes stored apart. Leaves the file at its start."""
    if image.format != "TIFF" or image.info.get("compression") != "packbits":
        return
    tags = getattr(image, "tag_v2", {})
    offsets = tags.get(_TIFF_STRIP_OFFSETS) or ()
    counts = tags.get(_TIFF_STRIP_BYTE_COUNTS) or ()
    if tags.get(_TIFF_PLANAR_CONFIGURATION, 1) != 1 or len(offsets) != len(counts):
        return
    try:
        bits = tags.get(_TIFF_BITS_PER_SAMPLE, (1,))
        bits = bits if isinstance(bits, tuple) else (bits,)
        row_bytes = -(-image.width * sum(bits) // 8)
        rows = min(tags.get(_TIFF_ROWS_PER_STRIP, image.height), image.height)
        runs = _PACKBITS_MOST_RUNS
        for index, (offset, count) in enumerate(zip(offsets, counts, strict=True)):
            strip_rows = min(rows, image.height - index * rows)
            file.seek(offset)
            made, runs = _packbits_length(file.read(count), runs)
            if runs < 0:
                return
            # A writer may code the last strip's rows past the image's height in full.
            if made > row_bytes * strip_rows and made != row_bytes * rows:
                raise DecodeError(
                    DECODE_ERROR,
                    f"cannot decode: its PackBits codes (strip {index + 1} of {len(offsets)}, at "
                    f"byte {offset:,}) make {made:,} bytes, not the {row_bytes * strip_rows:,} "
                    "of its rows (damaged inside)",
                )
    except (OSError, TypeError, ValueError):  # no verdict: the image stands as decoded
        return
    finally:
        file.seek(0)


def _packbits_length(data: bytes, runs: int) -> tuple[int, int]:
    """How many bytes the PackBits runs in `data` make, counting whole runs alone (as libtiff
    does), and how many of `runs` are left: below 0 where they ran out first (no verdict)."""
    at, made, end = 0, 0, len(data)
    while at < end:
        runs -= 1
        if runs < 0:
            break
        header = data[at]
        if header < 128:  # a literal run: the header, then header + 1 bytes
            at += header + 2
            if at > end:
                break
            made += header + 1
        elif header > 128:  # a repeat: one byte 257 - header times
            at += 2
            if at > end:
                break
            made += 257 - header
        else:  # 128 codes nothing
            at += 1
    return made, runs


def _inflates_cleanly(file: BinaryIO, length: int, most: int) -> bool:
    """Whether the zlib stream in the next `length` bytes of `file` inflates without an error
    (its codes and checksum), read and inflated a block at a time; True where it inflates past
    `most` bytes first (no verdict), or its data ends before the stream does (writers that
    leave the checksum out: libtiff reads no further than it needs)."""
    try:
        inflate_from(file, length, zlib.decompressobj(), 0, most)
    except zlib.error:
        return False
    return True


_TIFF_STRIP_BYTE_COUNTS, _TIFF_TILE_BYTE_COUNTS, _TIFF_BITS_PER_SAMPLE = 279, 325, 258


_TIFF_ROWS_PER_STRIP, _TIFF_PLANAR_CONFIGURATION = 278, 284


# Some 12 ms of walking run headers in Python, as long as libtiff takes to decode a 1024x768
# colour photo: its strips take some 20,000 runs, 6 ms (measured); a grey one stored as RGB,
# repeats of 3 bytes, takes more than this and gets no verdict.
_PACKBITS_MOST_RUNS = 50_000


_DEFLATE_COMPRESSIONS = frozenset({"tiff_adobe_deflate", "tiff_deflate"})
