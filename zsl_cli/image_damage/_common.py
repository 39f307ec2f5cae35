"""What `classify` and the format modules share: the truncated error (`truncated_error`), the size
errors (`size_error`, `damaged_size_error`), whether a file ends with given bytes
(`ends_with`), and a zlib stream's inflating a block at a time (`inflate_from`)."""

from __future__ import annotations

from typing import Any, BinaryIO

from zsl_cli.image_status import NOT_AN_IMAGE, TOO_LARGE, TRUNCATED, DecodeError, too_large_reason


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


def truncated_error(size: int) -> DecodeError:
    return DecodeError(TRUNCATED, f"image file is truncated (data ends after {size} bytes)")


def ends_with(file: BinaryIO, size: int, end: bytes) -> bool:
    try:
        file.seek(max(size - len(end), 0))
        return file.read() == end
    except OSError:
        return False


# Bytes read, and inflated, at a time.
INFLATE_BLOCK = 1 << 20


def inflate_from(file: BinaryIO, length: int, inflater: Any, made: int, most: int) -> int | None:
    """The next `length` bytes of `file` fed to `inflater` (a zlib decompressobj) a block at a
    time, and the bytes it makes counted on from `made`: up to the stream's end, or the count
    once past `most` (memory stays a block's however far the stream inflates). None where the
    file ends first; a damaged stream's zlib.error is the caller's."""
    while length > 0 and not inflater.eof:
        data = file.read(min(length, INFLATE_BLOCK))
        if not data:
            return None
        length -= len(data)
        while data and not inflater.eof:
            made += len(inflater.decompress(data, INFLATE_BLOCK))
            if made > most:
                return made
            data = inflater.unconsumed_tail
    return made
