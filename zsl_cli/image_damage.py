"""Telling why a file did not decode (truncated, not_an_image or decode_error: `classify`)
from its own structure: signatures, RIFF, ISO media (AVIF and HEIF item locations) and JPEG 2000
box sizes, TIFF directory damage, PNM headers, JPEG arithmetic coding and cut scans; and the
checks `zsl_cli.images.decode_image` makes before Pillow decodes a file: of icon picture sizes
(`check_icon_size`), of files built to hold a decode worker for long (`check_pnm`, `check_xpm`,
`check_xv_thumbnail`, `check_tiff_strips` before Image.open, `check_jpeg_scans` and
`check_msp_rows` after it), and of PNG ancillary chunks whose checksum is wrong and ICC profiles
after the first, patched so that Pillow skips them (`damaged_png_chunks`, `extra_icc_profiles`,
`skip_late_icc_profiles`), and of PNG text over Pillow's limits, patched so too
(`dropped_png_text`); and, after decoding, of PNG pixel data whose checksum is wrong
(`check_png_pixel_data`), of deflate TIFF strips that fail zlib's checks
(`check_tiff_deflate`), of PackBits TIFF strips whose codes make more bytes than their rows
take (`check_tiff_packbits`), of a 256-colour PCX's palette cut short (`check_pcx_palette`) and
of JPEG data that ran out before the image did, in any scan of a progressive one, also where
its later scans are missing (`check_jpeg_data_ran_out`), or whose restart markers are out of
turn (`check_jpeg_restarts`); and of a JPEG that lacks only its end marker, to be read with it put
back (`jpeg_with_end_marker`)."""

from __future__ import annotations

import bisect
import hashlib
import io
import os
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

import numpy as np
from PIL import (
    BmpImagePlugin,
    IcnsImagePlugin,
    IcoImagePlugin,
    Image,
    ImageChops,
    ImageFile,
    Jpeg2KImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    XpmImagePlugin,
    XVThumbImagePlugin,
)

from zsl_cli.formatting import clipped_text
from zsl_cli.image_formats import (
    REFUSED_FORMATS,
    FileView,
    ReadBudget,
    apply_draft,
    exif_orientation,
    heif_readable,
    readable_formats,
)
from zsl_cli.image_status import (
    DECODE_ERROR,
    NOT_AN_IMAGE,
    TOO_LARGE,
    TRUNCATED,
    UNREADABLE,
    DecodeError,
    DecodeOptions,
    megapixels_text,
    os_error_text,
    too_large_reason,
)

HEIF_INSTALL = "pip install pillow-heif (or zsl-cli[heif])"
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def _is_heif(head: bytes) -> bool:
    """An ISO media file ("ftyp" box) whose major brand is one of HEIF's (HEVC-coded or generic)
    and that is no AVIF, which Pillow reads itself: an AVIF names "avif" among its brands, also
    where its major brand is the generic "mif1"."""
    if head[4:8] != b"ftyp" or head[8:12] not in _HEIF_BRANDS:
        return False
    # The compatible brands follow the major brand and the minor version, to the box's end.
    brands = head[16 : int.from_bytes(head[:4], "big")]
    return not any(brands[i : i + 4] in _AVIF_BRANDS for i in range(0, len(brands), 4))


def classify(
    error: Exception, file: BinaryIO, size: int, options: DecodeOptions, opened: bool
) -> DecodeError:
    """The DecodeError for what Pillow raised: `opened` where Image.open had read the header."""
    if isinstance(error, Image.DecompressionBombError):
        image = _image_refused(error)
        damaged = image and damaged_size_error(image.size, image.format)
        return damaged or DecodeError(TOO_LARGE, _bomb_reason(error, options))
    if isinstance(error, OSError) and error.errno is not None:
        # Pillow's own OSErrors carry no errno; one with an errno came from the operating system.
        return DecodeError(UNREADABLE, f"read error: {os_error_text(error)}")
    try:
        file.seek(0)
        head = file.read(512)
    except (OSError, ValueError):
        head = b""
    cut_short = truncated_error(size)
    identified = not isinstance(error, UnidentifiedImageError)
    text = _reads_as_text(head)
    signatures = _signatures(head[:16])
    tiff = _tiff_damage(file, size) if "TIFF" in signatures else None
    if tiff == _CUT:
        return cut_short
    if tiff == _PLACED_PAST_END:
        return DecodeError(
            DECODE_ERROR,
            "cannot decode: its TIFF directory places data past the end of the file, yet the "
            "file ends where another part it lists ends, or holds as many bytes as that part "
            "where no part lies (damaged inside, not cut short)",
        )
    if tiff is not None and tiff != _STRIPS_WITHIN:
        return DecodeError(NOT_AN_IMAGE, f"TIFF signature, but {tiff}")
    if identified and _says_data_ended(error) and (not text or _TEXT_FORMATS & signatures.keys()):
        whole = _whole_file_end(file, size, signatures)
        if tiff == _STRIPS_WITHIN:
            whole = "the strips its TIFF directory lists all lie within the file"
        if whole is not None:
            # The decoder ran out of data, yet the file ends as a whole one does: a length or
            # code inside read past the damage (a GIF's sub-block size, a JPEG segment's).
            return DecodeError(
                DECODE_ERROR,
                f"cannot decode: its data runs out before the image ends, yet {whole} "
                "(damaged inside, not cut short)",
            )
        return cut_short
    if REFUSED_FORMATS & signatures.keys():
        return DecodeError(NOT_AN_IMAGE, "EPS files are not read (Pillow runs Ghostscript)")
    if not identified and _cut_after_signature(head):
        return cut_short
    # A text file whose first letters happen to be a short signature ("BM...") is no image,
    # however far Pillow got with it; but one Pillow opened as a text format (a plain PPM) is.
    if text and not (opened and _TEXT_FORMATS & signatures.keys()):
        return DecodeError(NOT_AN_IMAGE, "not an image format Pillow can read")
    if _container_cut_short(file, size):
        return cut_short
    # Without signatures in the way: Pillow's AVIF reader claims the generic "mif1" as well.
    if not identified and _is_heif(head) and not heif_readable():
        return DecodeError(NOT_AN_IMAGE, f"HEIF support not installed: {HEIF_INSTALL}")
    if not identified:
        if "CUR" in signatures and head[4:6] == b"\0\0":
            # A cursor file with no cursors is none; a Targa file (TGA has no signature) of
            # the commonest kind, true colour without a colour map, starts with the same bytes.
            del signatures["CUR"]
        if "ICO" in signatures and len(head) >= 6 and head[4:6] == b"\0\0":
            # Pillow's reader takes the first entry of the directory as read, and fails on none.
            return DecodeError(
                NOT_AN_IMAGE, "ICO signature, but its directory lists no image (an empty icon)"
            )
        if _tga_like(head):
            signatures["TGA"] = True
        ended = _jpeg_header_end(file) if "JPEG" in signatures else None
        if ended is not None and ended[0] == JPEG_END[1:]:
            # Pillow reads on past the end marker, and meets the file's end as in a cut header.
            return DecodeError(
                NOT_AN_IMAGE,
                "JPEG signature, but its end marker comes before any frame header: it holds no "
                "image",
            )
        hit_end, why = _why_not_opened(file, signatures)
        if hit_end:
            return cut_short
        return DecodeError(NOT_AN_IMAGE, why or "not an image format Pillow can read")
    pnm = _PNM_MAGIC.match(head)
    if pnm and not opened and isinstance(error, ValueError):
        # Pillow's PNM reader refuses a header (a largest value of 0, a word for a number) with
        # a ValueError, which Image.open passes on rather than trying other formats.
        name = _PNM_NAMES.get(pnm.group().rstrip(), "PNM")
        why = _pillow_says(error)
        return DecodeError(NOT_AN_IMAGE, f"{name} signature, but Pillow cannot open it: {why}")
    if "PCX" in signatures and pcx_cut_short(file, size):
        return cut_short
    if isinstance(error, MemoryError):
        return DecodeError(DECODE_ERROR, "out of memory while decoding")
    detail = _pillow_says(error) or "no detail"
    return DecodeError(DECODE_ERROR, f"cannot decode: {type(error).__name__}: {detail}")


def size_error(
    size: tuple[int, int], max_pixels: int, file_format: str | None
) -> DecodeError | None:
    """The DecodeError for an image whose header gives `size`, in `file_format`: too_large over
    `max_pixels`, not_an_image for a damaged size (`damaged_size_error`); None for neither."""
    damaged = damaged_size_error(size, file_format)
    if damaged is None and size[0] * size[1] > max_pixels:
        return DecodeError(TOO_LARGE, too_large_reason(size, max_pixels))
    return damaged


def damaged_size_error(size: tuple[int, int], file_format: str | None) -> DecodeError | None:
    """not_an_image for a width or height of 2**31 or more: a negative number (a BMP's width)
    or a damaged one that Pillow reads unsigned, since no image is that large. Pillow holds no
    image of such a side ("signed integer is greater than maximum"): were it told too_large, no
    --max-pixels would let it decode. None for a size within that."""
    for side, length in zip(("width", "height"), size, strict=True):
        if length >= _MOST_SIDE:
            signed = f" ({length - 2**32} read as unsigned)" if length < 2**32 else ""
            start = "header" if file_format == "TGA" else "signature, but its header"
            return DecodeError(
                NOT_AN_IMAGE,
                f"{file_format or 'image'} {start} gives a {side} of {length:,}{signed}: "
                "a damaged header, not a large image",
            )
    return None


_MOST_SIDE = 2**31  # Pillow's sides are C ints


def _image_refused(error: Image.DecompressionBombError) -> Image.Image | None:
    """The image Image.open refused as a bomb, from its traceback (Pillow's `im`, a local of the
    function that checks it): the error gives the pixel count alone. None where none is found."""
    trace = error.__traceback__
    while trace is not None:
        image = trace.tb_frame.f_locals.get("im")
        if isinstance(image, Image.Image):
            return image
        trace = trace.tb_next
    return None


def truncated_error(size: int) -> DecodeError:
    return DecodeError(TRUNCATED, f"image file is truncated (data ends after {size} bytes)")


def ends_with(file: BinaryIO, size: int, end: bytes) -> bool:
    try:
        file.seek(max(size - len(end), 0))
        return file.read() == end
    except OSError:
        return False


def arithmetic_coded(frame: tuple[bytes, int] | None) -> bool:
    """Whether a JPEG's frame marker (`jpeg_frame`) says arithmetic coding, which Pillow never
    writes but libjpeg reads."""
    return frame is not None and frame[0] in _ARITHMETIC_FRAMES


def check_jpeg_scans(file: BinaryIO, frame: tuple[bytes, int] | None) -> bool:
    """DecodeError for a progressive or arithmetic-coded JPEG (by its frame marker, `jpeg_frame`)
    of more scans than JPEG_MAX_SCANS: each scan is a pass over every block of the image, and
    one that codes no coefficient (an end-of-band run over all of them, or arithmetic coding's
    next to no bits for what it has come to expect) takes a few dozen bytes, so a 1.6 MB file of
    100,000 such scans kept libjpeg busy for two minutes (2048x2048, timed by hand). Encoders
    write about 10 (libjpeg's default script: 10 for colour, 6 for grey). Returns whether the
    scans of a progressive one leave bits of some coefficient uncoded (`_uncoded_bits`): whole
    files code them all, where one cut and given an end marker back lacks its later scans
    (which words `check_jpeg_data_ran_out`'s reason). Leaves the file at its start."""
    if frame is None or frame[0] not in _MANY_SCAN_FRAMES:
        return False
    headers: list[bytes | None] = []
    try:
        file.seek(frame[1])
        scans, _ = _jpeg_scans(file, JPEG_MAX_SCANS, headers)
        file.seek(frame[1] + 2)
        frame_header = file.read(_MOST_FRAME_HEADER)
    except OSError:
        return False
    finally:
        file.seek(0)
    if scans > JPEG_MAX_SCANS:
        raise DecodeError(
            DECODE_ERROR,
            f"cannot decode: a JPEG of over {JPEG_MAX_SCANS:,} scans (encoders write about 10), "
            "each a pass over the whole image: not decoded",
        )
    return frame[0] in _PROGRESSIVE_FRAMES and _uncoded_bits(frame_header, headers)


def _uncoded_bits(frame_header: bytes, scan_headers: list[bytes | None]) -> bool:
    """Whether the scans of a progressive JPEG, by their headers (each segment's bytes after
    its length; None for one not read), leave a bit of some coefficient (0 to 63) of some
    component of its frame (`frame_header`, from its length on) uncoded: each scan codes
    coefficients Ss to Se of its components down to bit Al, so each must be in a scan of Al 0.
    False where a header is not read whole, or holds what a scan's header cannot (an unknown
    component, Ss over Se)."""
    coded = _coded_coefficients(frame_header, scan_headers)
    return coded is not None and any(mask != _ALL_COEFFICIENTS for mask in coded.values())


def _coded_coefficients(
    frame_header: bytes, scan_headers: list[bytes | None]
) -> dict[int, int] | None:
    """For each component of a DCT-coded JPEG's frame, the coefficients its scans code down to
    their last bit (Al 0), bit k for coefficient k (see _uncoded_bits; a sequential scan codes
    0 to 63 at once); None where a header is not read whole or holds what one cannot."""
    if len(frame_header) < 8:
        return None
    count = frame_header[7]
    ids = frame_header[8 : 8 + 3 * count : 3]
    if len(ids) < count:
        return None
    coded = dict.fromkeys(ids, 0)
    for header in scan_headers:
        if not header:
            return None
        components = header[1 : 1 + 2 * header[0] : 2]
        bands = header[1 + 2 * header[0] : 4 + 2 * header[0]]
        if len(components) < header[0] or len(bands) < 3:
            return None
        first, last, low = bands[0], bands[1], bands[2] & 15
        if first > last or last > 63 or not set(components) <= coded.keys():
            return None
        if low == 0:
            for component in components:
                coded[component] |= (1 << (last + 1)) - (1 << first)
    return coded


_ALL_COEFFICIENTS = (1 << 64) - 1
_MOST_FRAME_HEADER = 2 + 6 + 3 * 255  # its length, the size, and 255 components
_PROGRESSIVE_FRAMES = frozenset({b"\xc2", b"\xc6"})


def check_jpeg_data_ran_out(
    image: ImageFile.ImageFile,
    file: BinaryIO,
    frame: tuple[bytes, int] | None,
    draft: tuple[int, int] | None,
    uncoded: bool = False,
) -> None:
    """DecodeError for a Huffman-coded JPEG, decoded into `image` (with `draft`, as
    decode_image asks for it), whose coded data ran out before its last block: libjpeg meets a
    marker (the end marker of a file cut and given one back, or one that damage brought forward)
    and fills the blocks it has no data for with grey, or, in a progressive scan that refines
    what earlier ones coded, leaves them as they were, with a warning that Pillow drops. A
    sequential file whose data ran out ends in a grey block, which a whole one seldom does; a
    progressive one cut before its last scan leaves coefficient bits uncoded (`uncoded`,
    from `check_jpeg_scans`). Such a file is decoded again with bytes put where its last scan's
    coded data ends (before its end marker, or a marker that damage brought forward, and before
    the fill bytes, 0xFF, ahead of that marker, which a cut right after a coded 0xFF leaves):
    they change the pixels where the data ran out alone (after a whole scan libjpeg skips
    them). A progressive file cut inside its last scan shows neither sign, nor does Pillow pass
    on libjpeg's warning: it decodes as libjpeg shows it, the blocks past the cut a bit blurred,
    since telling it would take that second decode for every progressive file (1.8-2.4 times
    the CPU of its decode). `uncoded` also words the reason. Leaves the file at its start."""
    if frame is None or frame[0] not in _HUFFMAN_FRAMES:
        return
    if not (uncoded or _ends_in_grey(image)):
        return
    scan_ends: list[int] = []
    try:
        file.seek(frame[1])
        _, end = _jpeg_scans(file, JPEG_MAX_SCANS, scan_ends=scan_ends)
        if end is None and scan_ends:
            # The length of a segment that damage brought forward ran past the file's end, as
            # libjpeg read it, to the end marker the file ends with.
            size = file.seek(0, os.SEEK_END)
            end = size - len(JPEG_END) if ends_with(file, size, JPEG_END) else None
        file.seek(0)
        data = file.read(end) if end is not None else b""  # not what follows (a phone's video)
    except OSError:
        return
    finally:
        file.seek(0)
    if end is None or len(data) != end:
        return
    # Where the last scan's coded data ends: at the end marker, but for a marker that damage
    # brought forward, where libjpeg ran out (a sequential file has one scan).
    cut = scan_ends[-1] if scan_ends and scan_ends[-1] <= end else end
    # libjpeg takes a 0xFF there for a fill byte before the marker (a cut right after the 0xFF
    # of a coded 0xFF 0 leaves one): the data ends before it, and bytes put after it would make
    # a marker with it, ending the data again where it ran out.
    while cut > 0 and data[cut - 1] == 0xFF:
        cut -= 1
    again = data[:cut] + _JPEG_FILLER + data[cut:] + JPEG_END
    try:
        with Image.open(io.BytesIO(again), formats=["JPEG"]) as other:
            if draft is not None:
                apply_draft(other, draft, exif_orientation(other))
            other.load()
            same = _same_pixels(image, other)
    except Exception:  # no verdict: the image stands as decoded
        return
    if same:
        return
    if uncoded:
        raise DecodeError(
            DECODE_ERROR,
            "cannot decode: its data runs out in a scan, later scans its progression needs "
            "are missing, yet its JPEG end marker follows (cut and given an end marker, or "
            "damaged inside; libjpeg would show it blurred)",
        )
    if frame[0] in _PROGRESSIVE_FRAMES:
        raise DecodeError(
            DECODE_ERROR,
            "cannot decode: its data runs out in its last scan, yet its JPEG end marker "
            "follows (cut and given an end marker, or damaged inside; libjpeg would show the "
            "rest blurred)",
        )
    raise DecodeError(
        DECODE_ERROR,
        "cannot decode: its data runs out before the image ends, yet its JPEG end marker "
        "follows (damaged inside, not cut short; libjpeg would fill the rest with grey)",
    )


def jpeg_with_end_marker(file: BinaryIO, size: int) -> bytes | None:
    """The file with its end marker put back, for a Huffman-coded DCT JPEG (sequential or
    progressive) that lacks only that marker, its 2 last bytes: libjpeg's own reader ("Premature
    end of JPEG file") and browsers show it whole, where Pillow, whose decoder asks for more
    data after the last block, says it is truncated. Its data is whole where its scans code
    every coefficient of every component (`_coded_coefficients`: no later scan is missing) and
    the pixels it decodes to, at full scale whatever the draft, stay the same where bytes are
    put after its last scan's coded data: libjpeg takes zero bits where the data runs out, the
    bytes put there start with a one, so a block that needed more data decodes otherwise (one
    cut a byte short, too). None for any other file, also one cut where a marker starts
    (0xFF at its end), and one with restart markers: cut where an interval ends, libjpeg skips
    the bytes put there as it looks for the next marker and leaves the rest grey either way."""
    frame = jpeg_frame(file)
    if frame is None or frame[0] not in _SEQUENTIAL_OR_PROGRESSIVE_HUFFMAN:
        return None
    headers: list[bytes | None] = []
    scan_ends: list[int] = []
    scan_starts: list[int] = []
    try:
        if _sets_restart_interval(file):
            return None
        file.seek(frame[1])
        scans, end = _jpeg_scans(file, JPEG_MAX_SCANS, headers, scan_ends, scan_starts)
        file.seek(frame[1] + 2)
        frame_header = file.read(_MOST_FRAME_HEADER)
        file.seek(0)
        data = file.read(size)
    except OSError:
        return None
    finally:
        file.seek(0)
    if end is not None or not 0 < scans <= JPEG_MAX_SCANS or len(data) != size:
        return None
    # A restart interval set between scans (DRI, 0xFFDD, among the tables there).
    if any(
        b"\xff\xdd" in data[ended:next_start]
        for ended, next_start in zip(scan_ends, scan_starts[1:], strict=False)
    ):
        return None
    coded = _coded_coefficients(frame_header, headers)
    if coded is None or any(mask != _ALL_COEFFICIENTS for mask in coded.values()):
        return None
    if data.endswith(b"\xff"):
        return None
    ended = data + JPEG_END
    digests = _band_digests(ended)
    if digests is None or digests != _band_digests(data + _ONE_FIRST_FILLER + JPEG_END):
        return None
    return ended


def _band_digests(data: bytes) -> list[bytes] | None:
    """Digests of the pixels a JPEG's bytes decode to, a band of rows at a time (two decodes
    held at once would double a large image's memory); None where it does not decode."""
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
            image.load()
            width, height = image.size
            rows = max(1, _COMPARED_BYTES // (width * len(image.getbands())))
            return [
                hashlib.sha256(
                    image.crop((0, top, width, min(top + rows, height))).tobytes()
                ).digest()
                for top in range(0, height, rows)
            ]
    except Exception:  # no verdict: the file stays truncated
        return None


# Bytes whose first bit is a one (zero bits are what libjpeg takes where the data runs out),
# with no zero byte and no 0xFF (which would make a marker).
_ONE_FIRST_FILLER = bytes(range(254, 0, -1)) * 16
_SEQUENTIAL_OR_PROGRESSIVE_HUFFMAN = frozenset({b"\xc0", b"\xc1", b"\xc2"})


def check_jpeg_restarts(file: BinaryIO, frame: tuple[bytes, int] | None) -> None:
    """DecodeError for a Huffman-coded JPEG (by its frame marker, `jpeg_frame`) one of whose
    scans holds restart markers out of turn: those of a whole file go RST0 to RST7 and round
    again, from RST0 in each scan (the standard's rule, which libjpeg's decoder counts on), where
    garbage written over coded data makes one or hides one (out of turn as far as makes libjpeg
    skip or fill, `_RESYNC_SKIPS`); or whose coded data ends at a marker
    of a reserved code (0x02 to 0xBF), which garbage makes (0xFF and most bytes after it). libjpeg
    then skips to a marker and fills the blocks it skipped with grey, mid-image, and only warns
    (Pillow drops it). Garbage that makes no marker goes unseen (in a file without restart
    markers it often runs out before the end instead: `check_jpeg_data_ran_out`). Finds the
    scans as check_jpeg_scans does, then searches each one's coded data for restart markers: a
    second read of the file, and no decoding. Leaves the file at its start."""
    if frame is None or frame[0] not in _HUFFMAN_FRAMES:
        return
    starts: list[int] = []
    ends: list[int] = []
    try:
        if not _sets_restart_interval(file):
            return
        file.seek(frame[1])
        _jpeg_scans(file, JPEG_MAX_SCANS, scan_ends=ends, scan_starts=starts)
        for index, (start, end) in enumerate(zip(starts, ends, strict=False)):
            file.seek(start)
            found = _restart_codes(file, end - start)
            for turn, code in enumerate(found):
                if (code - 0xD0 - turn) % 8 in _RESYNC_SKIPS:
                    raise DecodeError(
                        DECODE_ERROR,
                        f"cannot decode: restart marker {turn + 1} of scan {index + 1} is RST"
                        f"{code - 0xD0}, not RST{turn % 8} (its coded data is damaged inside; "
                        "libjpeg would fill what it skips with grey)",
                    )
            file.seek(end)
            ending = file.read(_MOST_FILL_READ).lstrip(b"\xff")[:1]
            if ending and 0x02 <= ending[0] < 0xC0:
                raise DecodeError(
                    DECODE_ERROR,
                    f"cannot decode: the coded data of scan {index + 1} ends at a marker of "
                    f"reserved code 0x{ending[0]:02X}, which no file holds (damaged inside; "
                    "libjpeg would fill what it skips with grey)",
                )
    except OSError:  # no verdict: the image stands as decoded
        return
    finally:
        file.seek(0)


def _sets_restart_interval(file: BinaryIO) -> bool:
    """Whether a JPEG's header (before its first scan) sets a restart interval (DRI). Without
    one its scans hold no restart markers, and a marker garbage makes ends the coded data, which
    libjpeg reads as data running out (`check_jpeg_data_ran_out`): a second walk over the coded
    data (5 ms of a 12 MP photo's 52) told one more of 360 damaged photos apart."""
    for code in _jpeg_header_markers(file):
        if code == b"\xdd":
            file.seek(2, os.SEEK_CUR)  # its length
            return int.from_bytes(file.read(2), "big") > 0
    return False


def _restart_codes(file: BinaryIO, length: int) -> list[int]:
    """The codes (0xD0 to 0xD7) of the restart markers in the next `length` bytes of `file`,
    the coded data of a scan (where 0xFF comes before 0, a restart marker or a fill byte), read
    a block at a time."""
    codes: list[int] = []
    carried = b""
    while length > 0:
        block = file.read(min(length, _SCAN_BLOCK))
        if not block:
            break
        length -= len(block)
        data = carried + block
        codes.extend(match[1][0] for match in _JPEG_RESTART.finditer(data))
        carried = data[-1:] if data[-1:] == b"\xff" else b""  # a marker the block's end split
    return codes


_JPEG_RESTART = re.compile(rb"\xff([\xd0-\xd7])")
# How far (mod 8) a restart marker may be from the one due for libjpeg to skip or fill coded data
# (jdmarker.c, jpeg_resync_to_restart): 1 or 2 ahead, it fills the intervals it thinks missing
# with grey; 1 or 2 behind, it skips to the next marker. 3 to 5 away (a flipped bit), it takes
# the marker for the one due and decodes on, every pixel as it was.
_RESYNC_SKIPS = {1, 2, 6, 7}
_MOST_FILL_READ = 64  # fill bytes before a marker: writers put none, or a few


def _ends_in_grey(image: Image.Image) -> bool:
    """Whether the last pixel of a decoded JPEG is the grey of a block of zero coefficients."""
    if image.mode not in _GREY_LEVELS:
        return False
    corner = image.getpixel((image.width - 1, image.height - 1))
    return set(corner if isinstance(corner, tuple) else [corner]) == {_GREY_LEVELS[image.mode]}


def _same_pixels(one: Image.Image, other: Image.Image) -> bool:
    """Whether two images hold the same pixels, compared a band of rows at a time: their
    difference, whole, would add the pixels' memory again to a large image's decode."""
    if one.size != other.size or one.mode != other.mode:
        return False
    width, height = one.size
    rows = max(1, _COMPARED_BYTES // (width * len(one.getbands())))
    if rows >= height:
        return _no_difference(one, other)
    return all(
        _no_difference(one.crop(box), other.crop(box))
        for box in ((0, top, width, min(top + rows, height)) for top in range(0, height, rows))
    )


def _no_difference(one: Image.Image, other: Image.Image) -> bool:
    """Compared in C: the bytes of each image, through Pillow's encoder, took a third of a
    1024x768 JPEG's decode time. No difference leaves no box of non-zero pixels, in any band."""
    return ImageChops.difference(one, other).getbbox(alpha_only=False) is None


_COMPARED_BYTES = 4 * 1024 * 1024


# The level of a block of zero coefficients, where libjpeg's data ran out, in each mode Pillow
# decodes a JPEG to (an Adobe CMYK file's samples are inverted).
_GREY_LEVELS = {"L": 128, "RGB": 128, "CMYK": 127}
# Bytes that read as anything but blocks of zero coefficients (no zero byte), and hold no marker.
_JPEG_FILLER = bytes(range(1, 255)) * 16


def _jpeg_scans(
    file: BinaryIO,
    limit: int,
    headers: list[bytes | None] | None = None,
    scan_ends: list[int] | None = None,
    scan_starts: list[int] | None = None,
) -> tuple[int, int | None]:
    """The scans from where `file` stands to the end of the image, counted up to `limit` + 1,
    and where the image's end marker starts (None where the count stopped first, or the file
    ended without one); each scan's header (its bytes after its length, None where they run
    past what was read) added to `headers`, and where the marker that ends its coded data
    starts to `scan_ends`, and where its coded data starts (after its header) to `scan_starts`:
    the markers as libjpeg reads them, a segment's data skipped by its length (it may hold any
    bytes, a scan marker's too), a scan's coded data by the search (0xFF there comes before 0 or
    a restart marker). What follows the end (a phone's video, another MPO picture) is no part,
    and is not read: the file is read a block at a time, and a skip past a block is a seek."""
    scans, data, at, ended, after_scan = 0, b"", 0, False, False
    # Where the run of 0xFF that the block ends in starts: a marker there needs the next block.
    # Searched for, a long run (a flash card's erased bytes after a cut image) took 0.2 s a MB.
    searched = 0
    while True:
        marker = _next_jpeg_marker_in(data, at, searched)
        if not ended and (marker is None or marker.end() + 2 > len(data)):
            # Read on from where a marker or its length may have been cut by the block's end:
            # a run of 0xFF, of any length, from its last (unless it ends a segment skipped).
            if marker is not None:
                at = marker.end() - 2
            else:
                at = len(data) - 1 if searched < len(data) and at < len(data) else len(data)
            block = file.read(_SCAN_BLOCK)
            data, at, ended = data[at:] + block, 0, not block
            searched = len(data.rstrip(b"\xff"))
            continue
        if marker is None:
            return scans, None
        code, at = marker[1], marker.end()
        if after_scan and scan_ends is not None:
            scan_ends.append(file.tell() - len(data) + marker.start())
        after_scan = code == b"\xda"
        if code == b"\xd9":  # EOI
            return scans, file.tell() - len(data) + at - 2
        if code == b"\xda":
            scans += 1
            if scans > limit:
                return scans, None
            if headers is not None:
                length = int.from_bytes(data[at : at + 2], "big")
                whole = length > 2 and at + length <= len(data)
                headers.append(data[at + 2 : at + length] if whole else None)
        # All but TEM have a length here: the search passes over RSTn, EOI ended the walk, and
        # a second SOI is an error to libjpeg (whatever is skipped after it).
        if code != b"\x01":
            # libjpeg skips a comment or APPn segment whose length is below its own 2 bytes
            # as one of 2; in any other segment such a length is damage it stops at.
            at += max(int.from_bytes(data[at : at + 2], "big"), 2)
        if code == b"\xda" and scan_starts is not None:
            scan_starts.append(file.tell() - len(data) + at)
        if at > len(data):
            file.seek(at - len(data), os.SEEK_CUR)
            data, at, searched = b"", 0, 0


def _next_jpeg_marker_in(data: bytes, at: int, end: int) -> re.Match[bytes] | None:
    """The first marker in `data` from `at` to `end`. The search takes a 0xFF after another for
    the middle of a run of fill bytes, where no marker starts; but a segment skipped by its
    length may end in 0xFF, and a run at `at` is then looked at on its own."""
    if at and data[at - 1] == 0xFF and (here := _JPEG_MARKER_HERE.match(data, at, end)):
        return here
    return _JPEG_MARKER.search(data, at, end)


def jpeg_frame(file: BinaryIO) -> tuple[bytes, int] | None:
    """The code of a JPEG's frame marker (SOF0 to SOF15: its coding) and the marker's offset,
    where it comes before the first scan; None where it does not. Markers are found as libjpeg
    finds them (`_next_jpeg_marker`), so damage it reads past hides no frame."""
    found = _jpeg_header_end(file)
    return found if found is not None and found[0] not in (b"\xda", b"\xd9") else None


def _jpeg_header_end(file: BinaryIO) -> tuple[bytes, int] | None:
    """The first frame, scan or end marker of a JPEG (its code and offset), as `jpeg_frame`
    finds markers; None where the file ends (or cannot be read) first."""
    try:
        for code in _jpeg_header_markers(file):
            if code in _ARITHMETIC_FRAMES or code in _HUFFMAN_FRAMES or code in (b"\xda", b"\xd9"):
                return code, file.tell() - 2
        return None
    except OSError:
        return None


def _jpeg_header_markers(file: BinaryIO) -> Iterator[bytes]:
    """The codes of a JPEG's markers from its start to its first scan or end marker, as
    `jpeg_frame` finds markers: each given with the file just past it, and its segment then
    skipped by its length (as check_jpeg_scans skips one), wherever the caller left the file."""
    file.seek(2)  # past the SOI marker
    while code := _next_jpeg_marker(file):
        after = file.tell()
        yield code
        if code in (b"\xda", b"\xd9"):
            return
        file.seek(after)
        if code != b"\x01" and not b"\xd0" <= code <= b"\xd7":  # TEM, RSTn: no length
            length = int.from_bytes(file.read(2), "big")
            file.seek(max(length, 2) - 2, os.SEEK_CUR)


def _next_jpeg_marker(file: BinaryIO) -> bytes:
    """The code of the next marker, as libjpeg's next_marker reads one (and Pillow, before the
    first scan): bytes other than 0xFF before it, fill bytes (0xFF) and a coded 0xFF (0xFF 0)
    are skipped, damage it warns of and reads past. b"" at the end of the file."""
    while byte := file.read(1):
        if byte == b"\xff":
            while (byte := file.read(1)) == b"\xff":
                pass
            if byte != b"\x00":
                return byte
    return b""


_HUFFMAN_FRAMES = frozenset(bytes([code]) for code in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7))
_ARITHMETIC_FRAMES = frozenset(bytes([code]) for code in (0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF))
# Where a scan that codes nothing is a few bytes: progressive, or arithmetic-coded.
_MANY_SCAN_FRAMES = _ARITHMETIC_FRAMES | {bytes([code]) for code in (0xC2, 0xC6)}
# A marker: 0xFF (and fill bytes) and a code other than 0 (a coded 0xFF) or a restart (RSTn).
# Searched for from the first 0xFF of a run alone (the look-behind), which looks at a run's bytes
# once: a search from each one of a run that no code follows took time quadratic in its length,
# 4 minutes for 100,000. A 0xFF followed by 0 or RSTn, in every scan, fails at the look-ahead.
_JPEG_MARKER = re.compile(rb"\xff(?=[^\x00\xd0-\xd7])(?<!\xff\xff)\xff*([^\x00\xd0-\xd7\xff])")
# A marker that starts where a search begins, whatever comes before it.
_JPEG_MARKER_HERE = re.compile(rb"\xff+([^\x00\xd0-\xd7\xff])")
JPEG_MAX_SCANS = 500  # 500 that code nothing, in an 8192x8192 grey JPEG, took 10 s (by hand)
_SCAN_BLOCK = 1024 * 1024
JPEG_END = b"\xff\xd9"


def _pillow_says(error: BaseException) -> str:
    """What a Pillow exception says, on one line. A KeyError says only the key that no table of
    Pillow's holds ("258", a TIFF's compression code), and Pillow's openers pass it on as a
    SyntaxError saying the same: that bare key is worded as what it is."""
    cause = error if isinstance(error, KeyError) else error.__cause__
    if isinstance(cause, KeyError) and cause.args and str(error) == str(cause):
        value = clipped_text(repr(cause.args[0]), 40)
        return f"the file holds a value Pillow does not know ({value})"
    text = " ".join(str(error).split())
    # Pillow's libtiff reader gives its decoder's status as a number, where its other readers
    # word it ("broken data stream when reading image file"; "out of memory" is -9).
    if (code := _BARE_DECODER_STATUS.fullmatch(text)) is not None:
        return str(ImageFile._get_oserror(int(code[1]), encoder=False))
    return text


_BARE_DECODER_STATUS = re.compile(r"decoder error (-\d+)")


# What Pillow's decoders say when the data ran out: its C decoders' "image file is truncated",
# its Python decoders' "not enough image data" (QOI, DDS, plain PPM), its PPM reader's "Reached
# EOF while reading header", its JPEG 2000 reader's "Expected to read 8 bytes but only got 0",
# its DDS reader's "Incomplete header: 4 bytes", its other readers' EOFError.
_DATA_ENDED_MESSAGES = (
    "truncated",
    "not enough image data",
    "reached eof",
    "but only got",
    "incomplete header",
)

# Formats whose files start with text (a plain PPM is text throughout).
_TEXT_FORMATS = frozenset({"PPM", "XBM", "XPM", "FITS"})


# What a whole file of these formats ends with: a GIF's last block and trailer, a JPEG's end
# marker, a PNG's IEND chunk, a TGA 2.0 footer (TGA has no signature: the footer alone tells).
_WHOLE_FILE_ENDS = {
    "GIF": (b"\x00;", "GIF trailer"),
    "JPEG": (JPEG_END, "JPEG end marker"),
    "PNG": (b"\x00\x00\x00\x00IEND\xaeB`\x82", "PNG IEND chunk"),
}
_TGA_FOOTER = b"TRUEVISION-XFILE.\x00"


def _whole_file_end(file: BinaryIO, size: int, signatures: dict[str, bool | str]) -> str | None:
    """How `file`, of the formats whose `signatures` it has, shows itself whole ("the file ends
    with the GIF trailer"; None where it does not): no file cut short ends with its format's
    end, but one cut at that very byte, and none is as long as a BMP header says it is."""
    ends = [end for name, end in _WHOLE_FILE_ENDS.items() if name in signatures]
    for marker, what in [*ends, (_TGA_FOOTER, "TGA footer")]:
        if ends_with(file, size, marker):
            return f"the file ends with the {what}"
    if "BMP" in signatures:  # a BMP has no end of its own: its header gives the file's length
        try:
            file.seek(2)
            declared = int.from_bytes(file.read(4), "little")
        except OSError:
            return None
        if declared == size:
            return f"the file is as long as its BMP header says ({size:,} bytes)"
    if "PCX" in signatures and _pcx_palette_at_end(file, size):
        return "the file ends with the palette of a 256-colour PCX"
    return None


def _pcx_palette_at_end(file: BinaryIO, size: int) -> bool:
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
        if not _pcx_palette_at_end(file, size) and _pcx_palette_cut(file, size):
            raise DecodeError(
                TRUNCATED,
                f"image file is truncated (data ends after {size} bytes, inside the palette "
                "after its pixels)",
            )
    except (OSError, ValueError):
        return
    finally:
        file.seek(0)


def _says_data_ended(error: Exception) -> bool:
    message = str(error).lower()
    return isinstance(error, EOFError) or any(text in message for text in _DATA_ENDED_MESSAGES)


def _signatures(prefix: bytes) -> dict[str, bool | str]:
    """The formats whose signature check takes this prefix, with what it said: True, or a
    message where Pillow was built without the format's codec ("AVIF support not installed")."""
    found: dict[str, bool | str] = {}
    for name, (_, accept) in Image.OPEN.items():
        try:
            said = accept(prefix) if accept else False
        except Exception:  # a check that reads past a short prefix (Pillow guards these too)
            continue
        if said:
            found[name] = said
    return found


def _why_not_opened(file: BinaryIO, signatures: dict[str, bool | str]) -> tuple[bool, str | None]:
    """For a file Pillow could not identify: whether opening it as a format whose signature it
    starts with ran out of data (its header is cut short), and what that format's reader said
    (a corrupt header, or a codec this Pillow lacks), if one did."""
    reader, why = FileView(file), None
    for name in readable_formats():
        said = signatures.get(name)
        if isinstance(said, str):
            why = why or said
        elif said:
            try:
                file.seek(0)
                Image.OPEN[name][0](reader, "").close()  # type: ignore[arg-type]
            except Exception as error:  # the failure Image.open swallowed
                detail = _pillow_says(error) or type(error).__name__
                if detail == "not identified by this driver":  # Pillow's words for it
                    detail = "its header gives no size or no known mode"
                start = "header" if name == "TGA" else "signature"  # TGA has no signature
                why = why or f"{name} {start}, but Pillow cannot open it: {detail}"
    return reader.hit_end, why


# Whole signatures of formats whose header Pillow needs more bytes of to recognise the file
# than the signature has, and how many: a GIF's screen descriptor follows its signature, and
# Pillow takes a JPEG for one from its first 3 bytes, a marker's start after the 2 of its start
# of image marker. A file that ends before then, having the whole signature, was cut short,
# though "GIF89a" reads as text and two bytes are too few for Pillow.
_SIGNATURE_HEADERS = ((b"GIF87a", 13), (b"GIF89a", 13), (b"\xff\xd8", 4))


def _cut_after_signature(head: bytes) -> bool:
    """Whether `head`, a whole file's first bytes, is a whole signature of _SIGNATURE_HEADERS
    and ends before the header it starts."""
    return any(head.startswith(magic) and len(head) < need for magic, need in _SIGNATURE_HEADERS)


def _tga_like(head: bytes) -> bool:
    """Whether the start of a file reads as a Targa header (18 bytes; TGA has no signature,
    so Pillow tries every file as one): a colour map type, an image type and, where the file
    goes that far, a size and a depth that Pillow reads."""
    if len(head) < 3 or head[1] not in (0, 1) or head[2] not in (1, 2, 3, 9, 10, 11):
        return False
    if len(head) >= 16 and not (head[12:14] != b"\0\0" and head[14:16] != b"\0\0"):
        return False
    return len(head) < 17 or head[16] in (1, 8, 16, 24, 32)


def _reads_as_text(head: bytes) -> bool:
    """`head` (a file's first 512 bytes) is UTF-8 without control characters other than tab and
    line breaks: image headers hold binary fields (sizes, zero bytes) that never read so."""
    if not head:
        return False
    for cut in range(4):  # the sample may end inside a character
        try:
            text = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\t\r\n" for ch in text)
    return False


def _container_cut_short(file: BinaryIO, size: int) -> bool:
    """True for a RIFF file (WebP), an ISO base media file (AVIF, HEIF) or a JPEG 2000 file
    shorter than its own size fields say, an AVIF or HEIF whose boxes end at the file's end
    but whose pictures lie past it (or that ends before its "meta" box, which says where they
    are), or a bare JPEG 2000 codestream (.j2k) that does not end with the marker that must end
    it: their decoders only report that they could not decode."""
    try:
        file.seek(0)
        head = file.read(12)
        if len(head) == 12 and head[:4] == b"RIFF":
            return size < int.from_bytes(head[4:8], "little") + 8
        if head.startswith(_J2K_START):
            file.seek(size - len(_J2K_END))
            return file.read() != _J2K_END
        # The JPEG 2000 file format (.jp2) is made of boxes too, the first its signature.
        if len(head) < 8 or head[4:8] not in (b"ftyp", b"jP  "):
            return False
        offset, boxes, meta = 0, 0, None
        # Top-level boxes: a 32-bit size (1: a 64-bit one follows; 0: up to the end), then a type.
        while offset < size and boxes < _MAX_BOXES:
            boxes += 1
            file.seek(offset)
            box = file.read(16)
            if len(box) < 8:
                return True
            box_size, header = int.from_bytes(box[:4], "big"), 8
            if box_size == 1:
                if len(box) < 16:
                    return True
                box_size, header = int.from_bytes(box[8:16], "big"), 16
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


def _tiff_damage(file: BinaryIO, size: int) -> str | None:
    """For a TIFF Pillow failed on, what its first directory (the image Pillow decodes) shows:
    _CUT where it, a value it points to, or the strips or tiles it lists run past the end of
    the file; _PLACED_PAST_END where some of those run past the end, yet the file ends just
    where another of them ends (a cut would have to fall on that very byte), or one of them
    lies wholly past the end while the file holds a run of its length that no part covers
    (`_left_where_a_part_was`: found where a writer put the pixels last, as Pillow does those
    it writes uncompressed): a damaged offset or byte count, not a cut; _STRIPS_WITHIN where
    the strips or tiles it lists (with their byte counts) all lie within the file, which then
    holds all the data it lists; what is wrong where that directory holds no tags (its offset
    is damaged: Pillow read on through pixels until the file ended, as if it were cut); None
    for none of those.

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
        parts = [(0, header), (ifd, ifd + count_size + directory.entries * entry_size + word)]
        if parts[1][1] > size:
            return _CUT
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
            whole = size in ends or (listed and _left_where_a_part_was(parts, size))
            return _PLACED_PAST_END if whole else _CUT
        return _STRIPS_WITHIN if listed else None
    except (OSError, ValueError):
        return None


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
    """The first directory of a TIFF, of at most `most_entries` entries read; _CUT where a
    BigTIFF's header is cut short; None where the file is no TIFF."""
    file.seek(0)
    head = file.read(16)
    order = {b"II": "little", b"MM": "big"}.get(head[:2])
    if order is None or len(head) < 8:
        return None
    endian: Literal["little", "big"] = "little" if order == "little" else "big"
    version = int.from_bytes(head[2:4], endian)
    if version == 43 and len(head) < 16:
        return _CUT
    ifd = int.from_bytes(head[8:16] if version == 43 else head[4:8], endian)
    count_size, entry_size, _ = _tiff_sizes(version)
    file.seek(ifd)
    entries = int.from_bytes(file.read(count_size), endian)
    read = entries if most_entries is None else min(entries, most_entries)
    return _TiffDirectory(endian, version, ifd, entries, file.read(read * entry_size))


_CUT = "cut"
_PLACED_PAST_END = "placed past its end"
_STRIPS_WITHIN = "strips within"
# Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, ... IFD8).
_TIFF_TYPE_SIZES = {
    **dict.fromkeys((1, 2, 6, 7), 1),
    **dict.fromkeys((3, 8), 2),
    **dict.fromkeys((4, 9, 11, 13), 4),
    **dict.fromkeys((5, 10, 12, 16, 17, 18), 8),
}
_TIFF_DATA_TAGS = frozenset({273, 279, 324, 325})  # strip and tile offsets and byte counts
_TIFF_MAX_STRIPS = 1_000_000
_MAX_BOXES = 1000  # real files have a handful; a damaged one need not be walked for long
_J2K_START = b"\xff\x4f\xff\x51"  # a JPEG 2000 codestream's first markers (SOC, SIZ)
_J2K_END = b"\xff\xd9"  # and its last (EOC)

# Pillow reads a PNM (PPM, PGM, PBM) header one byte per call, some 1.5 s per MB of whitespace
# and comments (twice, when it then fails), and drops each comment among a plain PNM's pixels
# by copying its 1 MB block (a 1 MB file of comments took 12 s). No program writes files that
# come near these bounds: the format allows comments in the header only.
_TEXT_HEADER_LIMIT = 64 * 1024  # also an XPM's and an XV thumbnail's: read a line at a time
_PNM_PIXEL_COMMENTS = 100
_PNM_FIRST_READ = 64  # holds a usual header whole
# The magic numbers Pillow reads; it takes the whitespace after a short one.
_PNM_MAGIC = re.compile(rb"(?:P[1-6f]|PyP)[ \t\n\v\f\r]|P0CMYK|PyRGBA|PyCMYK")
_PNM_SPACE = re.compile(rb"[ \t\n\v\f\r]+")
_PNM_COMMENT = re.compile(rb"#[^\r\n]*[\r\n]?")  # to its line's end, which it takes
_PNM_NUMBER_LIMIT = 10  # Pillow's: a longer number is refused
_PNM_REFUSED = -1  # _pnm_header_end: a header Pillow refuses, having read no more of it
# Pillow calls them all PPM; a user knows a PGM or a PBM by its own name.
_PNM_NAMES = {
    **dict.fromkeys((b"P1", b"P4"), "PBM"),
    **dict.fromkeys((b"P2", b"P5"), "PGM"),
    **dict.fromkeys((b"P3", b"P6"), "PPM"),
    b"Pf": "PFM",
}


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


def check_png_pixel_data(file: BinaryIO, size: int) -> None:
    """DecodeError (decode_error) for a PNG whose pixel data (its run of IDAT chunks) fails its
    checksum, as libpng refuses it by default: Pillow checks none of them, and a stretch of
    zeros or flipped bits in compressed pixels often still inflates, to other pixels. Reads the
    chunks' headers before the run, and the run itself (crc32 is far faster than inflating it).
    Leaves the file at its start."""
    try:
        file.seek(0)
        if file.read(8) != PngImagePlugin._MAGIC:
            return
        offset, budget, in_data = 8, ReadBudget(), False
        while offset + 12 <= size:
            file.seek(offset)
            header = file.read(8)
            length, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if kind != b"IDAT" and (in_data or kind == b"IEND"):
                return
            if offset + 12 + length > size:
                return  # cut inside: its pixels decoded before the cut
            budget.spend_piece(12 + length)
            if kind == b"IDAT":
                in_data = True
                if _chunk_crc(file, kind, length) != int.from_bytes(file.read(4), "big"):
                    raise DecodeError(
                        DECODE_ERROR,
                        f"cannot decode: its pixel data (the IDAT chunk at byte {offset:,}) "
                        "fails its checksum (damaged inside)",
                    )
            offset += 12 + length
    except OSError:
        return
    finally:
        file.seek(0)


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
        for start in _icon_pictures(FileView(file), head):
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


def check_pnm(file: BinaryIO) -> None:
    """DecodeError for a PNM that would take Pillow seconds to read (see _TEXT_HEADER_LIMIT).
    Leaves the file at its start."""
    try:
        head = file.read(_PNM_FIRST_READ)
        magic = _PNM_MAGIC.match(head)
        if magic is None:
            return
        kind = magic.group().rstrip()
        name = _PNM_NAMES.get(kind, "PNM")
        end = _pnm_header_end(head, magic.end(), kind)
        if end is None and len(head) == _PNM_FIRST_READ:  # a long header: read what is allowed
            head += file.read(_TEXT_HEADER_LIMIT - len(head))
            end = _pnm_header_end(head, magic.end(), kind)
        if end == _PNM_REFUSED:
            return  # Pillow refuses it as soon as it reads that far, and says why
        if end is None and len(head) == _TEXT_HEADER_LIMIT:
            raise DecodeError(
                NOT_AN_IMAGE,
                f"{name} signature, but its header runs past {_TEXT_HEADER_LIMIT // 1024} KB of "
                "whitespace or comments: not read",
            )
        if end is not None and kind in (b"P1", b"P2", b"P3"):
            file.seek(end)
            if _comments_beyond(file, _PNM_PIXEL_COMMENTS):
                raise DecodeError(
                    DECODE_ERROR,
                    f"cannot decode: over {_PNM_PIXEL_COMMENTS} comments among the pixels of a "
                    f"plain {name} (the format allows none there)",
                )
    finally:
        file.seek(0)


# Pillow's XPM size line ("width height colours characters-a-pixel"), at a line's start.
_XPM_SIZE_LINE = re.compile(rb'^"([0-9]*) ([0-9]*) ([0-9]*) ([0-9]*)', re.MULTILINE)


def check_xpm(file: BinaryIO) -> None:
    """DecodeError for an XPM of more lines than its pixel rows and the colours they may use
    take, by over ReadBudget.FREE_READS, or (not_an_image) whose size line does not come in its
    first 64 KB. Pillow reads an XPM a line at a time in Python, outside the read budget (by
    readline), skipping lines that hold nothing and parsing every colour declared: a 16 MB file
    of blank lines held a decode worker for 30-45 s, an 18 MB one of a million colours on a 1x1
    image 3.5 s. Leaves the file at its start."""
    try:
        head = file.read(9)
        if not XpmImagePlugin._accept(head):
            return
        head += file.read(_TEXT_HEADER_LIMIT - len(head))
        size_line = _XPM_SIZE_LINE.search(head)
        if size_line is None:
            if len(head) < _TEXT_HEADER_LIMIT:
                return  # Pillow refuses it, and says why
            raise DecodeError(
                NOT_AN_IMAGE,
                f"XPM signature, but no size line in its first {_TEXT_HEADER_LIMIT // 1024} KB: "
                "not read",
            )
        width, height, colours = (int(number or 0) for number in size_line.groups()[:3])
        allowed = ReadBudget.FREE_READS + height + min(colours, width * height)
        lines = head.count(b"\n", size_line.end())
        while lines <= allowed and (block := file.read(1024 * 1024)):
            lines += block.count(b"\n")
    finally:
        file.seek(0)
    if lines > allowed:
        raise ReadBudget.refusal(
            "lines that hold no pixel row or colour it could use, each read on its own"
        )


def check_xv_thumbnail(file: BinaryIO) -> None:
    """DecodeError not_an_image for an XV thumbnail whose comments run past 64 KB: Pillow reads
    them a line at a time in Python, outside the read budget (by readline), so 16 MB of them
    held a decode worker for 11-14 s. Leaves the file at its start."""
    try:
        head = file.read(6)
        if not XVThumbImagePlugin._accept(head):
            return
        head += file.read(_TEXT_HEADER_LIMIT - len(head))
    finally:
        file.seek(0)
    if len(head) < _TEXT_HEADER_LIMIT:
        return
    whole_lines = head.split(b"\n")[1:-1]  # those after the signature's
    if all(line.startswith(b"#") for line in whole_lines):
        raise DecodeError(
            NOT_AN_IMAGE,
            "XV thumbnail signature, but its header runs past "
            f"{_TEXT_HEADER_LIMIT // 1024} KB of comments: not read",
        )


_TIFF_COMPRESSION, _TIFF_STRIP_OFFSETS, _TIFF_TILE_OFFSETS = 259, 273, 324


def check_tiff_strips(file: BinaryIO, size: int) -> None:
    """DecodeError for an uncompressed TIFF of more strips or tiles (in its first directory)
    than ReadBudget.FREE_READS and one for each BYTES_PER_READ of the file: Pillow sets each up
    in Python, in Image.open, and reads each on its own, so a 14 MB file of 2.4 million strips
    of a pixel held a decode worker for 32-42 s (reads of strips at one offset, 64 KB each,
    paid the read budget). libtiff reads a compressed one whole. Leaves the file at its start."""
    try:
        # Pillow reads a directory an entry a read (12 bytes, a BigTIFF's 20), so the read
        # budget refuses one only past FREE_READS / (1 - 20 / BYTES_PER_READ) entries, about
        # 291,000 (a classic TIFF has at most 65,535): a strip tag after that is read here too.
        directory = _tiff_directory(file, 2 * ReadBudget.FREE_READS)
    except OSError:  # an offset past what the file system allows: Pillow says what is wrong
        return
    finally:
        file.seek(0)
    if not isinstance(directory, _TiffDirectory) or directory.version not in (42, 43):
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
    most = 2 * image.width * image.height * -(-sum(bits) // 8) + _INFLATE_BLOCK
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
    inflater, made = zlib.decompressobj(), 0
    try:
        while length > 0 and not inflater.eof:
            data = file.read(min(length, _INFLATE_BLOCK))
            if not data:
                return True
            length -= len(data)
            while data and not inflater.eof:
                made += len(inflater.decompress(data, _INFLATE_BLOCK))
                if made > most:
                    return True
                data = inflater.unconsumed_tail
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
_INFLATE_BLOCK = 1024 * 1024


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


def check_icon_size(file: BinaryIO, max_pixels: int) -> None:
    """DecodeError too_large for an ICO or ICNS whose picture (the one Pillow would decode)
    exceeds `max_pixels`. Their headers declare at most 256x256 (ICO) or 1024x1024 (ICNS), yet
    the PNG (or BMP, JPEG 2000) inside gives its own size, which Pillow decodes whatever the
    header said: Pillow's ICO reader does so within Image.open, before any check of ours. A
    file Pillow cannot read this far is left to Image.open. Leaves the file at its start."""
    view = FileView(file)  # one read budget for the icon's directory and its pictures
    try:
        head = file.read(8)
        ico = IcoImagePlugin._accept(head)
        starts = _icon_pictures(view, head)
        sizes = [_icon_picture_size(file, view, start, ico) for start in starts]
    except Exception:  # Image.open fails on it too, and says why
        sizes = []
    finally:
        file.seek(0)
    for size in sizes:
        error = size_error(size, max_pixels, "ICO" if ico else "ICNS") if size else None
        if error is not None:
            raise error


def _icon_pictures(view: FileView, head: bytes) -> list[int]:
    """Where the pictures Pillow decodes in an ICO (its first entry, by its sorting) or an ICNS
    (its entries of the largest size it declares), whose file starts with `head`, start; none
    in another file, or where Pillow cannot read the icon's directory (Image.open fails on it
    too, and says why)."""
    try:
        view.seek(0)
        if IcoImagePlugin._accept(head):
            return [IcoImagePlugin.IcoFile(view).entry[0].offset]  # type: ignore[arg-type]
        if IcnsImagePlugin._accept(head):
            icns = IcnsImagePlugin.IcnsFile(view)  # type: ignore[arg-type]
            codes = [code for code, _ in icns.SIZES[icns.bestsize()] if code in icns.dct]
            return [icns.dct[code][0] for code in codes]
    except Exception:
        pass
    return []


def _icon_picture_size(
    file: BinaryIO, view: FileView, start: int, ico: bool
) -> tuple[int, int] | None:
    """The size of the icon picture at `start`, as Pillow reads it through `view`: a PNG's, an
    ICO's BMP's or an ICNS's JPEG 2000's; None for an ICNS entry of raw pixels, which have the
    size the entry declares."""
    file.seek(start)
    signature = file.read(12)
    file.seek(start)
    if signature.startswith(PngImagePlugin._MAGIC):
        return PngImagePlugin.PngImageFile(view).size
    if ico:
        width, height = BmpImagePlugin.DibImageFile(view).size
        return width, height // 2  # a BMP entry's height counts its mask's rows too
    if Jpeg2KImagePlugin._accept(signature):
        return Jpeg2KImagePlugin.Jpeg2KImageFile(view).size
    return None


def _pnm_header_end(head: bytes, start: int, kind: bytes) -> int | None:
    """Where Pillow stops reading the header of the PNM `kind` in `head` after its magic number
    (at `start`): past its numbers (width, height and, but for bitmaps, the largest value or a
    PFM's scale) at the pixels; _PNM_REFUSED for a header it refuses, which it reads no further
    than the number it refuses (a size of 0: all of it). None where it reads past `head`."""
    at = start
    size = []
    for index in range(2 if kind in (b"P1", b"P4") else 3):
        number = b""
        while at < len(head):
            byte = head[at : at + 1]
            if byte == b"#":  # also inside a number, which goes on after the comment
                at = _end_of(_PNM_COMMENT, head, at)
            elif byte not in b" \t\n\v\f\r":
                at, number = at + 1, number + byte
                if len(number) > _PNM_NUMBER_LIMIT:
                    return _PNM_REFUSED
            elif number:
                at += 1  # the one whitespace that ends a number
                break
            else:
                at = _end_of(_PNM_SPACE, head, at)
        else:
            return None
        try:
            value = int(number)
        except ValueError:  # not a number: a text that merely starts like a PNM
            # (or a PFM's scale, a float: taken as refused, which only plain PNMs' pixels see)
            return _PNM_REFUSED
        if index < 2:
            size.append(value)
        elif not 0 < value < 65536:  # the largest value
            return _PNM_REFUSED
    return at if min(size) > 0 else _PNM_REFUSED


def _end_of(pattern: re.Pattern[bytes], data: bytes, at: int) -> int:
    match = pattern.match(data, at)
    return match.end() if match else at


def _comments_beyond(file: BinaryIO, limit: int) -> bool:
    """Whether the rest of `file` holds more than `limit` comments."""
    found = 0
    while block := file.read(1024 * 1024):
        found += sum(1 for _ in _PNM_COMMENT.finditer(block))
        if found > limit:
            return True
    return False


def _bomb_reason(error: Exception, options: DecodeOptions) -> str:
    match = re.search(r"\((\d+) pixels\)", str(error))
    declared = f"{megapixels_text(int(match.group(1)))} MP" if match else "the image"
    pillow_error_limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    if match and int(match.group(1)) > options.max_pixels:
        limit = f"the {megapixels_text(options.max_pixels)} MP limit"
    else:
        limit = f"Pillow's {megapixels_text(pillow_error_limit)} MP decompression-bomb limit"
    return f"{declared} exceeds {limit} (raise it with --max-pixels)"
