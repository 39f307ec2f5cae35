"""Container checks for `classify`: RIFF (WebP), ISO media (AVIF and HEIF item locations) and
JPEG 2000 box sizes (`container_cut_short`), and whether a file is a HEIF, which Pillow reads
only with pillow-heif (`HEIF_INSTALL`)."""

from __future__ import annotations

import io
import struct
from typing import BinaryIO

from PIL import ImageFile

from zsl_cli.image_damage._common import truncated_error

HEIF_INSTALL = "pip install pillow-heif (or zsl-cli[heif])"


_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)


_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def is_heif(head: bytes) -> bool:
    """An ISO media file ("ftyp" box) whose major brand is one of HEIF's (HEVC-coded or generic)
    and that is no AVIF, which Pillow reads itself: an AVIF names "avif" among its brands, also
    where its major brand is the generic "mif1"."""
    if head[4:8] != b"ftyp" or head[8:12] not in _HEIF_BRANDS:
        return False
    # The compatible brands follow the major brand and the minor version, to the box's end.
    brands = head[16 : int.from_bytes(head[:4], "big")]
    return not any(brands[i : i + 4] in _AVIF_BRANDS for i in range(0, len(brands), 4))


def container_cut_short(file: BinaryIO, size: int, *, decoded: bool = False) -> bool:
    """True for a RIFF file (WebP), an ISO base media file (AVIF, HEIF) or a JPEG 2000 file
    shorter than its own size fields say, an AVIF or HEIF whose boxes end at the file's end
    but whose pictures lie past it (or that ends before its "meta" box, which says where they
    are), or a JPEG 2000 codestream (a bare .j2k, or a .jp2's codestream box, also one whose
    length fits) that does not reach the marker that must end it (`_ends_with_j2k_end`): their
    decoders only report that they could not decode, or decode the tiles it lacks as black.

    Bytes after a JPEG 2000 codestream's end marker, where its tile-parts' lengths place it,
    are no part of it; padding (NULs or ASCII whitespace, of any length) after one whose
    lengths tell nothing is no part cut off either: DICOM pads to an even length, other
    writers to a block, and decoders read past it. Bytes after a .jp2's codestream box are read
    as boxes, and one that runs past the end is a trailing box cut short; `decoded` (OpenJPEG
    decoded the picture) stops at the codestream box, as what follows it cannot change a
    pixel."""
    try:
        file.seek(0)
        head = file.read(12)
        if len(head) == 12 and head[:4] == b"RIFF":
            return size < int.from_bytes(head[4:8], "little") + 8
        if head.startswith(_J2K_START):
            return not _ends_with_j2k_end(file, 0, size)
        # The JPEG 2000 file format (.jp2) is made of boxes too, the first its signature.
        if len(head) < 8 or head[4:8] not in (b"ftyp", b"jP  "):
            return False
        offset, boxes, meta, codestream_whole = 0, 0, None, False
        # Top-level boxes: a 32-bit size (1: a 64-bit one follows; 0: up to the end), then a type.
        while offset < size and boxes < _MAX_BOXES:
            boxes += 1
            file.seek(offset)
            box = file.read(16)
            # Padding after the whole codestream, however long, is no box cut short.
            padding = codestream_whole and not box.strip(_PADDING)
            if padding and _data_end(file, offset, size) == offset:
                return False
            if len(box) < 8:
                return True
            box_size, header = int.from_bytes(box[:4], "big"), 8
            if box_size == 1:
                if len(box) < 16:
                    return True
                box_size, header = int.from_bytes(box[8:16], "big"), 16
            if box[4:8] == b"jp2c" and (box_size == 0 or header <= box_size <= size - offset):
                # A codestream box may run "to the end" (length 0), and a copy cut short that
                # wrote the file's full size leaves NULs in it: only its end marker tells.
                end = offset + box_size if box_size else size
                if not _ends_with_j2k_end(file, offset + header, end):
                    return True
                if box_size == 0 or decoded:
                    return False
                codestream_whole = True
            if box_size == 0:  # the last box, which a "meta" box must come before
                if meta is None:
                    return False
                box_size = size - offset
            if box_size < header:
                return False  # not a box layout after all: some other failure
            if box[4:8] == b"meta" and meta is None:
                meta = (offset + header, min(offset + box_size, size))
            offset += box_size
        if offset > size:
            return True
        if offset < size or not _image_brands(file):
            return False
        return meta is None or _items_past_end(file, *meta, size)
    except (OSError, ValueError):
        return False


def _ends_with_j2k_end(file: BinaryIO, start: int, end: int) -> bool:
    """Whether the JPEG 2000 codestream from `start` to `end` ends with its end marker (EOC):
    where its tile-parts' lengths place it (`_j2k_walked_end`), any bytes after it, or else
    as its last bytes but for padding after them (`_data_end`), unless the walk shows it cut
    inside its last tile-part's header, whose segments' bytes may end in 0xFF 0xD9."""
    try:
        if _j2k_walked_end(file, start, end) is not None:
            return True
    except _J2kHeaderCut:
        return False
    end = _data_end(file, start, end)
    if end - start < len(_J2K_END):
        return False
    file.seek(end - len(_J2K_END))
    return file.read(len(_J2K_END)) == _J2K_END


def jpeg_2000_with_bytes_after(file: BinaryIO, size: int) -> int | None:
    """Where the JPEG 2000 codestream of a bare .j2k, or of a .jp2's codestream box, whose last
    tile-part has length 0 and that other bytes follow in the file ends, just after its end
    marker (`_j2k_walked_end`); None for any other file. OpenJPEG reads such a tile-part on to
    the file's end, past the end marker and its box's end, and fails on what follows (one of
    a length it reads to there, and a .jp2's boxes after its codestream box as boxes). Leaves
    the file at its start."""
    try:
        start = _codestream_start(file)
        end = None if start is None else _j2k_walked_end(file, start, size, last_length_0=True)
        return end if end is not None and end < size else None
    except (OSError, ValueError, _J2kHeaderCut):
        return None
    finally:
        file.seek(0)


def _codestream_start(file: BinaryIO) -> int | None:
    """Where the JPEG 2000 codestream of a bare .j2k (at its start) or of a .jp2 (in its first
    codestream box, after the header) starts; None where a .jp2 has none. Pillow reads a file
    as JPEG 2000 only where it starts as one of these two does."""
    file.seek(0)
    if file.read(4) == _J2K_START:
        return 0
    offset = 0
    for _ in range(_MAX_BOXES):
        file.seek(offset)
        box = file.read(16)
        if len(box) < 8:
            return None
        box_size, header = int.from_bytes(box[:4], "big"), 8
        if box_size == 1 and len(box) == 16:
            box_size, header = int.from_bytes(box[8:16], "big"), 16
        if box[4:8] == b"jp2c":
            return offset + header
        if box_size < header:  # a box running to the end (0) or no box layout
            return None
        offset += box_size
    return None


def _j2k_walked_end(
    file: BinaryIO, start: int, end: int, *, last_length_0: bool = False
) -> int | None:
    """Where the codestream from `start` ends before `end`, just after its end marker (EOC),
    walked marker segment by marker segment (each gives its length) to the first tile-part,
    and then tile-part by tile-part, each SOT segment giving the tile-part's length (ITU-T
    T.800, A.4.2), with a tile-part of every tile its SIZ segment counts: a codestream ends at
    EOC, and decoders stop there; bytes after it are no part of the image, as after a JPEG's
    end marker. A last tile-part of length 0 runs up to the end marker, the first 0xFF 0xD9
    in its coded data, after its header's segments and SOD (`_j2k_tile_data_start`): coded
    data never holds 0xFF before a byte over 0x8F, where a header segment's bytes (a comment,
    packet lengths) may be any. None where the walk meets `end` first (a codestream cut
    short), or what is no marker, and where `last_length_0` for a last tile-part of another
    length; _J2kHeaderCut where that last tile-part's header runs past `end`."""
    at, tiles, seen = start + 2, 0, set[int]()  # after SOC; the tiles, and those met
    for _ in range(_MAX_J2K_SEGMENTS):
        file.seek(at)
        segment = file.read(38)  # a marker, its length, and a SIZ's sizes or a SOT's fields
        if at + 2 > end or len(segment) < 2 or segment[0] != 0xFF:
            return None
        if segment[:2] == _J2K_END:
            every_tile = _every_tile(seen, tiles)
            return at + 2 if every_tile and not last_length_0 else None
        if len(segment) < 10:
            return None
        length = int.from_bytes(segment[2:4], "big")
        if segment[:2] == _J2K_SIZ and len(segment) == 38:
            width, height, _, _, tile_width, tile_height, left, top = struct.unpack(
                ">8I", segment[6:38]
            )
            if tile_width and tile_height and width > left and height > top:
                tiles = -(-(width - left) // tile_width) * -(-(height - top) // tile_height)
        if segment[:2] != _J2K_SOT:
            if length < 2:
                return None
            at += 2 + length
            continue
        seen.add(int.from_bytes(segment[4:6], "big"))
        tile_part = int.from_bytes(segment[6:10], "big")
        if tile_part == 0:
            if not _every_tile(seen, tiles):
                return None
            data_start = _j2k_tile_data_start(file, at + 2 + length, end)
            return None if data_start is None else _j2k_end_after(file, data_start, end)
        if tile_part < 2 + length:
            return None
        at += tile_part
    return None


class _J2kHeaderCut(Exception):
    """A last tile-part of length 0 whose header runs past the codestream's end: cut short,
    whatever its last bytes are."""


def _every_tile(seen: set[int], tiles: int) -> bool:
    """Whether the tile indices `seen` are those of every one of `tiles` tiles (a damaged SIZ
    may count billions: no set of them is built)."""
    return 0 < tiles == len(seen) and max(seen) < tiles


def _j2k_tile_data_start(file: BinaryIO, at: int, end: int) -> int | None:
    """Where a tile-part's coded data starts, just after its SOD marker, its header's marker
    segments from `at` walked by their lengths; None where the walk meets what is no marker
    segment. _J2kHeaderCut where it meets `end` first."""
    for _ in range(_MAX_J2K_SEGMENTS):
        if at + 2 > end:
            raise _J2kHeaderCut
        file.seek(at)
        segment = file.read(4)
        if len(segment) < 2 or segment[0] != 0xFF:
            return None
        if segment[:2] == _J2K_SOD:
            return at + 2
        if at + 4 > end:
            raise _J2kHeaderCut
        length = int.from_bytes(segment[2:4], "big")
        if length < 2:
            return None
        at += 2 + length
    return None


def _j2k_end_after(file: BinaryIO, start: int, end: int) -> int | None:
    """Where the first JPEG 2000 end marker (EOC) from `start` to `end` ends; None for none."""
    while start < end:
        file.seek(start)
        block = file.read(min(_BLOCK, end - start))
        if (found := block.find(_J2K_END)) >= 0:
            return start + found + len(_J2K_END)
        if len(block) < 2:
            return None
        start += len(block) - 1  # an end marker may lie across two blocks
    return None


def _data_end(file: BinaryIO, start: int, end: int) -> int:
    """Where the bytes from `start` to `end` end but for trailing padding (NULs, ASCII
    whitespace): `start` where all are padding. Reads back from `end` a block at a time, as a
    file cut short in a copy that wrote its full size may end in any length of NULs."""
    while end > start:
        block_start = max(start, end - _BLOCK)
        file.seek(block_start)
        data = file.read(end - block_start).rstrip(_PADDING)
        if data:
            return block_start + len(data)
        end = block_start
    return start


def check_jpeg_2000_end(image: ImageFile.ImageFile, file: BinaryIO, size: int) -> None:
    """DecodeError truncated for a JPEG 2000 that OpenJPEG decoded yet that was cut short
    (`container_cut_short`): one that ends just after a tile-part's first marker (SOT) decodes
    without a word, the tiles it lacks black. Reads the boxes' headers, or a codestream's last
    bytes up to its padding (`_ends_with_j2k_end`). Leaves the file at its start."""
    if image.format != "JPEG2000":
        return
    try:
        if container_cut_short(file, size, decoded=True):
            raise truncated_error(size)
    finally:
        file.seek(0)


def _image_brands(file: BinaryIO) -> bool:
    """Whether an ISO base media file's "ftyp" box names an AVIF or HEIF brand (an MP4 video
    has neither, nor a top-level "meta" box)."""
    file.seek(0)
    ftyp = file.read(256)
    brands = {ftyp[8:12]}
    brands.update(ftyp[i : i + 4] for i in range(16, min(len(ftyp), _box_size(ftyp)), 4))
    return bool(brands & (_HEIF_BRANDS | _AVIF_BRANDS))


def _box_size(box: bytes) -> int:
    return int.from_bytes(box[:4], "big")


def _items_past_end(file: BinaryIO, start: int, end: int, size: int) -> bool:
    """Whether the "iloc" box in the "meta" box holding bytes start..end places an item's data
    (a picture's coded bytes) past the end of the file (`size`). No "iloc": False."""
    file.seek(start + 4)  # "meta" is a full box: version and flags come first
    offset = start + 4
    while offset + 8 <= end:
        file.seek(offset)
        child = file.read(8)
        child_size = _box_size(child)
        if child_size < 8:
            return False
        if child[4:8] == b"iloc":
            return _iloc_reaches(file.read(min(child_size, end - offset) - 8)) > size
        offset += child_size
    return False


def _iloc_reaches(iloc: bytes) -> int:
    """The furthest file offset an "iloc" box's extents reach (ISO/IEC 14496-12, 8.11.3): those
    of items stored in the file itself, rather than in "idat" or other items. 0 where none is;
    an extent whose fields run past the box ends the reading (the box was cut)."""
    fields = io.BytesIO(iloc)

    def number(width: int) -> int:
        data = fields.read(width)
        if len(data) < width:
            raise ValueError("iloc box ends inside a field")
        return int.from_bytes(data, "big")

    furthest = 0
    try:
        version = number(4) >> 24
        sizes = number(2)
        offset_size, length_size = sizes >> 12, sizes >> 8 & 15
        base_offset_size, index_size = sizes >> 4 & 15, sizes & 15 if version in (1, 2) else 0
        for _ in range(number(2 if version < 2 else 4)):
            number(2 if version < 2 else 4)  # item ID
            method = number(2) & 15 if version in (1, 2) else 0
            number(2)  # data reference index
            base = number(base_offset_size)
            for _ in range(number(2)):
                number(index_size)
                extent_offset, length = number(offset_size), number(length_size)
                if method == 0:  # 0: at a file offset; 1: in "idat"; 2: in another item
                    furthest = max(furthest, base + extent_offset + length)
    except ValueError:
        pass
    return furthest


_MAX_BOXES = 1000  # real files have a handful; a damaged one need not be walked for long


_J2K_START = b"\xff\x4f\xff\x51"  # a JPEG 2000 codestream's first markers (SOC, SIZ)


_J2K_END = b"\xff\xd9"  # and its last (EOC)


_J2K_SIZ = b"\xff\x51"  # the segment giving the image's and its tiles' sizes


_J2K_SOT = b"\xff\x90"  # the start of a tile-part


_J2K_SOD = b"\xff\x93"  # the end of a tile-part's header: its coded data follows


# Real codestreams have a few marker segments and a tile-part or so a tile; a damaged one need
# not be walked for long (a marker segment is 4 bytes at least, a tile-part 14).
_MAX_J2K_SEGMENTS = 100_000


_PADDING = b"\x00\t\n\x0b\x0c\r "  # what writers add after a file's end: NULs, ASCII whitespace


_BLOCK = 1 << 16
