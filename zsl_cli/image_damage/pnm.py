"""Checks of text headers, before Image.open: of PNM, XPM and XV thumbnail files built to hold a
decode worker for long (`check_pnm`, `check_xpm`, `check_xv_thumbnail`); and the PNM magic
numbers and names by which `classify` tells a header Pillow refused."""

from __future__ import annotations

import re
from typing import BinaryIO

from PIL import XpmImagePlugin, XVThumbImagePlugin

from zsl_cli.image_formats import ReadBudget
from zsl_cli.image_status import DECODE_ERROR, NOT_AN_IMAGE, DecodeError

# Pillow reads a PNM (PPM, PGM, PBM) header one byte per call, some 1.5 s per MB of whitespace
# and comments (twice, when it then fails), and drops each comment among a plain PNM's pixels
# by copying its 1 MB block (a 1 MB file of comments took 12 s). No program writes files that
# come near these bounds: the format allows comments in the header only.
_TEXT_HEADER_LIMIT = 64 * 1024  # also an XPM's and an XV thumbnail's: read a line at a time


_PNM_PIXEL_COMMENTS = 100


_PNM_FIRST_READ = 64  # holds a usual header whole


# The magic numbers Pillow reads; it takes the whitespace after a short one.
PNM_MAGIC = re.compile(rb"(?:P[1-6f]|PyP)[ \t\n\v\f\r]|P0CMYK|PyRGBA|PyCMYK")


_PNM_SPACE = re.compile(rb"[ \t\n\v\f\r]+")


_PNM_COMMENT = re.compile(rb"#[^\r\n]*[\r\n]?")  # to its line's end, which it takes


_PNM_NUMBER_LIMIT = 10  # Pillow's: a longer number is refused


_PNM_REFUSED = -1  # _pnm_header_end: a header Pillow refuses, having read no more of it


# Pillow calls them all PPM; a user knows a PGM or a PBM by its own name.
PNM_NAMES = {
    **dict.fromkeys((b"P1", b"P4"), "PBM"),
    **dict.fromkeys((b"P2", b"P5"), "PGM"),
    **dict.fromkeys((b"P3", b"P6"), "PPM"),
    b"Pf": "PFM",
}


def check_pnm(file: BinaryIO) -> None:
    """DecodeError for a PNM that would take Pillow seconds to read (see _TEXT_HEADER_LIMIT).
    Leaves the file at its start."""
    try:
        head = file.read(_PNM_FIRST_READ)
        magic = PNM_MAGIC.match(head)
        if magic is None:
            return
        kind = magic.group().rstrip()
        name = PNM_NAMES.get(kind, "PNM")
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
