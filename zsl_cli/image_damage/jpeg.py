"""JPEG checks around Pillow's decode: of arithmetic coding (`arithmetic_coded`), of files built to
hold a decode worker for long (`check_jpeg_scans`, after Image.open); after decoding, of JPEG
data that ran out before the image did, in any scan of a progressive one, also where its later
scans are missing (`check_jpeg_data_ran_out`), or whose restart markers are out of turn
(`check_jpeg_restarts`); and of a JPEG that lacks only its end marker, or whose segments after
its last scan are cut short, to be read with it put back (`jpeg_with_end_marker`). `jpeg_frame`
finds the frame marker they start from."""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterator
from typing import BinaryIO

from PIL import Image, ImageChops, ImageFile

from zsl_cli.image_damage._common import ends_with, truncated_error
from zsl_cli.image_formats import apply_draft, exif_orientation
from zsl_cli.image_status import DECODE_ERROR, DecodeError


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


_PROGRESSIVE_FRAMES = frozenset({b"\xc2", b"\xc6", b"\xca", b"\xce"})


def check_jpeg_data_ran_out(
    image: ImageFile.ImageFile,
    file: BinaryIO,
    frame: tuple[bytes, int] | None,
    draft: tuple[int, int] | None,
    uncoded: bool = False,
) -> None:
    """DecodeError for a Huffman-coded JPEG, or an arithmetic-coded progressive one cut before
    its last scan (`uncoded`), decoded into `image` (with `draft`, as decode_image asks for
    it), whose coded data ran out before its last block: libjpeg meets a
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
    if frame is None or frame[0] not in _HUFFMAN_OR_ARITHMETIC_FRAMES:
        return
    # Arithmetic decoding takes a marker in the coded data for no error: it goes on with zero
    # bits, as it does past the end of every whole scan (whose encoder drops the zero bytes that
    # end it), no grey, no warning; bytes put there changed the pixels of 7 of 200 whole files
    # (flat, progressive ones). Only the later scans a cut progressive file lacks tell it.
    arithmetic = frame[0] in _ARITHMETIC_FRAMES
    if not (uncoded or (not arithmetic and _ends_in_grey(image))):
        return
    scan_ends: list[int] = []
    cut_short = None
    try:
        file.seek(frame[1])
        _, end = _jpeg_scans(file, JPEG_MAX_SCANS, scan_ends=scan_ends)
        if end is None and scan_ends:
            # The length of a segment that damage brought forward ran past the file's end, as
            # libjpeg read it, to the end marker the file ends with; or the file was cut after
            # that marker (a sequential one decodes without its end marker), and what follows
            # it is no part of the pixels.
            size = file.seek(0, os.SEEK_END)
            end = size - len(JPEG_END) if ends_with(file, size, JPEG_END) else None
            if end is None:
                end, cut_short = scan_ends[-1], truncated_error(size)
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
    if cut_short is not None:
        raise cut_short
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
    progressive) whose pixels are all there but whose end marker libjpeg does not reach: it
    lacks only that marker, its 2 last bytes, or its last scan's coded data ends at a marker
    whose segment (a comment or APPn after the scans, or tables; not a marker of a reserved
    code, which damage makes) runs past the file's end, cut short, or
    past an end marker given back; the bytes up to that marker are then kept. libjpeg's own
    reader ("Premature end of JPEG file") and browsers show it whole, where Pillow, whose
    decoder asks for more data after the last block (a progressive one's before the first),
    says it is truncated. Its data is whole where its scans code every coefficient of every
    component (`_coded_coefficients`: no later scan is missing) and the pixels it decodes to, at
    full scale whatever the draft, stay the same where bytes are put after its last scan's coded
    data: libjpeg takes zero bits where the data runs out, the bytes put there start with a
    one, so a block that needed more data decodes otherwise (one cut a byte short, too, and one
    where damage made a marker inside the last scan). With restart markers, its last scan must
    also hold every restart marker its blocks take (`_restart_markers_taken`, in the interval the
    last DRI before it sets, one before the frame too), each with coded data after it
    (`_restarts_with_data`): cut where an interval ends (or at a restart marker that damage made
    another), libjpeg skips the bytes put there as it looks for the next restart marker and
    leaves the rest grey either way, and cut just after the last one, it may decode the bytes
    put there as a last interval that changes nothing where its data ran out. None for
    any other file, also one cut where a marker starts (0xFF at its end, which may be the first
    byte of a coded 0xFF). Leaves the file at its start, whatever it returns."""
    headers: list[bytes | None] = []
    scan_ends: list[int] = []
    scan_starts: list[int] = []
    intervals: list[int] = []
    try:
        frame = jpeg_frame(file)
        if frame is None or frame[0] not in _SEQUENTIAL_OR_PROGRESSIVE_HUFFMAN:
            return None
        interval, _ = _header_restarts(file, frame)
        file.seek(frame[1])
        scans, end = _jpeg_scans(
            file, JPEG_MAX_SCANS, headers, scan_ends, scan_starts, intervals, interval
        )
        file.seek(frame[1] + 2)
        frame_header = file.read(_MOST_FRAME_HEADER)
        # Where the last scan's coded data ends at a marker, what follows it is no part of the
        # pixels: segments cut short, or the end marker's place.
        kept = scan_ends[-1] if 0 < scans == len(scan_ends) else size
        file.seek(0)
        data = file.read(kept)
        marker = file.read(_MOST_FILL + 2)
    except OSError:
        return None
    finally:
        file.seek(0)
    if end is not None or not 0 < scans <= JPEG_MAX_SCANS or len(data) != kept:
        return None
    # 0xFF fill bytes may come before a marker's code (JPEG's B.1.1.2).
    if kept < size and marker.lstrip(b"\xff")[:1] not in _SEGMENTS_AFTER_SCANS:
        # A reserved code, a frame header or a JPGn there is damage that made a marker in the
        # coded data (libjpeg's reader stops at it, "Unsupported marker"), not a segment cut.
        return None
    coded = _coded_coefficients(frame_header, headers)
    if coded is None or any(mask != _ALL_COEFFICIENTS for mask in coded.values()):
        return None
    if intervals[-1]:
        taken = _restart_markers_taken(frame_header, headers[-1], intervals[-1])
        found = len(_JPEG_RESTART.findall(data, scan_starts[-1]))
        last_bytes = data[max(scan_starts[-1], len(data) - 2) :]
        if taken is None or _restarts_with_data(found, last_bytes) < taken:
            return None
    if data.endswith(b"\xff"):
        return None
    ended = data + JPEG_END
    digests = _band_digests(ended)
    if digests is None or digests != _band_digests(data + _ONE_FIRST_FILLER + JPEG_END):
        return None
    return ended


def _restart_markers_taken(
    frame_header: bytes, scan_header: bytes | None, interval: int
) -> int | None:
    """How many restart markers a whole scan of a DCT-coded JPEG holds, by its frame's header
    (`frame_header`, from its length on), its own (its bytes after its length) and its restart
    interval (over 0): one after each `interval` MCUs but the last. An MCU of one component is a
    block of it, of more a block of each at its sampling. None where the headers do not tell
    (not read whole, a height left to a DNL marker, a sampling factor of 0)."""
    if scan_header is None or len(frame_header) < 8 or not scan_header:
        return None
    height = int.from_bytes(frame_header[3:5], "big")
    width = int.from_bytes(frame_header[5:7], "big")
    components = frame_header[8 : 8 + 3 * frame_header[7]]
    sampling = {
        components[at]: (components[at + 1] >> 4, components[at + 1] & 15)
        for at in range(0, len(components) - 2, 3)
    }
    scanned = scan_header[1 : 1 + 2 * scan_header[0] : 2]
    if not height or not sampling or not scanned or not set(scanned) <= sampling.keys():
        return None
    most_h = max(h for h, _ in sampling.values())
    most_v = max(v for _, v in sampling.values())
    if min(min(pair) for pair in sampling.values()) == 0:
        return None
    if len(scanned) == 1:
        h, v = sampling[scanned[0]]
        mcus = -(-width * h // (8 * most_h)) * -(-height * v // (8 * most_v))
    else:
        mcus = -(-width // (8 * most_h)) * -(-height // (8 * most_v))
    return -(-mcus // interval) - 1


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
# The most fill bytes looked past for the code of the marker after the last scan.
_MOST_FILL = 64
# The codes of the segments libjpeg reads after a scan whatever their length, as a cut leaves
# it: APPn, a comment, quantisation and Huffman tables, DNL.
_SEGMENTS_AFTER_SCANS = frozenset(
    {bytes([code]) for code in range(0xE0, 0xF0)} | {b"\xfe", b"\xdb", b"\xc4", b"\xdc"}
)


def check_jpeg_restarts(file: BinaryIO, frame: tuple[bytes, int] | None) -> None:
    """DecodeError for a Huffman-coded JPEG (by its frame marker, `jpeg_frame`) one of whose
    scans holds restart markers out of turn: those of a whole file go RST0 to RST7 and round
    again, from RST0 in each scan (the standard's rule, which libjpeg's decoder counts on), where
    garbage written over coded data makes one or hides one (out of turn as far as makes libjpeg
    skip or fill, `_RESYNC_SKIPS`); or whose coded data ends at a marker
    of a reserved code (0x02 to 0xBF), which garbage makes (0xFF and most bytes after it). libjpeg
    then skips to a marker and fills the blocks it skipped with grey, mid-image, and only warns
    (Pillow drops it). Garbage that makes no marker goes unseen (in a file without restart
    markers it often runs out before the end instead: `check_jpeg_data_ran_out`). Also for a
    DCT-coded one a scan of which holds fewer restart markers than its blocks take
    (`_restart_markers_taken`), each with coded data after it (`_restarts_with_data`; its interval
    set by a DRI before it, before the frame or between scans: `_header_restarts` tells where a
    file may hold none): its data ends where an interval does, cut there and given an
    end marker back (or a segment after), or a restart marker that damage made another marker;
    libjpeg skips the bytes put there to check it (as `check_jpeg_data_ran_out` puts them) as it
    looks for the next restart marker, and leaves the rest grey (or blurred, in a progressive
    scan): truncated where the file does not end with an end marker. Finds the scans as
    check_jpeg_scans does, then searches each one's coded data for restart markers: a second
    read of the file, and no decoding. Leaves the file at its start."""
    if frame is None or frame[0] not in _HUFFMAN_FRAMES:
        return
    starts: list[int] = []
    ends: list[int] = []
    headers: list[bytes | None] = []
    intervals: list[int] = []
    try:
        interval, more_scans = _header_restarts(file, frame)
        if not interval and not more_scans:
            return
        file.seek(frame[1] + 2)
        frame_header = file.read(_MOST_FRAME_HEADER)
        file.seek(frame[1])
        _jpeg_scans(file, JPEG_MAX_SCANS, headers, ends, starts, intervals, interval)
        if not any(intervals):
            return
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
            taken = None
            if intervals[index] and frame[0] in _SEQUENTIAL_OR_PROGRESSIVE_HUFFMAN:
                taken = _restart_markers_taken(frame_header, headers[index], intervals[index])
            followed = len(found)
            if taken is not None:
                last = max(start, end - 2)
                file.seek(last)
                followed = _restarts_with_data(followed, file.read(end - last))
            if taken is not None and followed < taken:
                size = file.seek(0, os.SEEK_END)
                if not ends_with(file, size, JPEG_END):
                    raise truncated_error(size)
                raise DecodeError(
                    DECODE_ERROR,
                    f"cannot decode: scan {index + 1} holds {followed} of the {taken} restart "
                    "markers its blocks take (each with coded data after it), yet its JPEG end "
                    "marker follows (cut and given an end marker, or damaged inside; libjpeg "
                    "would leave the rest grey)",
                )
    except OSError:  # no verdict: the image stands as decoded
        return
    finally:
        file.seek(0)


def _header_restarts(file: BinaryIO, frame: tuple[bytes, int]) -> tuple[int, bool]:
    """The restart interval a JPEG's header sets for its first scan (the last DRI's before it,
    before the frame too: libjpeg reads one anywhere; 0 for none), and whether later scans may
    follow, a DRI before one setting another: a progressive frame, or a first scan of fewer
    components than the frame. A sequential file of one scan with no interval holds no restart
    markers, and a marker garbage makes ends the coded data, which libjpeg reads as data running
    out (`check_jpeg_data_ran_out`): a second walk over the coded data (5 ms of a 12 MP photo's
    52) told one more of 360 damaged photos apart."""
    interval, components = 0, 0
    for code in _jpeg_header_markers(file):
        at = file.tell()
        if code == b"\xdd":
            file.seek(at + 2)  # past its length
            interval = int.from_bytes(file.read(2), "big")
        elif at - 2 == frame[1]:
            file.seek(at + 7)  # past its length, precision and size
            components = int.from_bytes(file.read(1), "big")
        elif code == b"\xda":
            file.seek(at + 2)
            scanned = int.from_bytes(file.read(1), "big")
            return interval, frame[0] in _PROGRESSIVE_FRAMES or scanned < components
    return interval, False


def _restarts_with_data(found: int, scan_end: bytes) -> int:
    """Of the `found` restart markers of a scan's coded data, those with coded data after them:
    all but one that ends the data (`scan_end`, its last bytes), which has no interval after
    it. A whole scan never ends so (each interval codes a bit at least, a byte once padded), but
    for one some writers put after the last interval (libjpeg reads past it)."""
    return found - (_JPEG_RESTART.fullmatch(scan_end[-2:]) is not None)


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
    intervals: list[int] | None = None,
    interval: int = 0,
) -> tuple[int, int | None]:
    """The scans from where `file` stands to the end of the image, counted up to `limit` + 1,
    and where the image's end marker starts (None where the count stopped first, or the file
    ended without one); each scan's header (its bytes after its length, None where they run
    past the file's end; read whole where a block's end splits them) added to `headers`, and
    where the marker that ends its coded data starts to `scan_ends`, and where its coded data
    starts (after its header) to `scan_starts`, and the restart interval its blocks are coded
    in (the last DRI's before it, from `file`'s place; `interval` where none comes first: the
    one set before that place, `_header_restarts`) to `intervals`:
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
        if not ended and (marker is None or marker.end() + _read_with(marker, data) > len(data)):
            # Read on from where a marker, its length or a scan's header may have been cut by
            # the block's end: a run of 0xFF, of any length, from its last (unless it ends a
            # segment skipped).
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
        if code == b"\xdd":
            interval = int.from_bytes(data[at + 2 : at + 4], "big")
        if code == b"\xda":
            scans += 1
            if scans > limit:
                return scans, None
            if intervals is not None:
                intervals.append(interval)
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


def _read_with(marker: re.Match[bytes], data: bytes) -> int:
    """The bytes after `marker`'s code (in `data`) that are read with it: its length, a
    restart interval's value, and a scan's whole header (whose bands tell which coefficient
    bits it codes), where the length is in `data` to tell how long that is."""
    if marker[1] == b"\xdd":
        return 4
    if marker[1] != b"\xda" or marker.end() + 2 > len(data):
        return 2
    return max(int.from_bytes(data[marker.end() : marker.end() + 2], "big"), 2)


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
    found = jpeg_header_end(file)
    return found if found is not None and found[0] not in (b"\xda", b"\xd9") else None


def jpeg_header_end(file: BinaryIO) -> tuple[bytes, int] | None:
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


_HUFFMAN_OR_ARITHMETIC_FRAMES = _HUFFMAN_FRAMES | _ARITHMETIC_FRAMES


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
