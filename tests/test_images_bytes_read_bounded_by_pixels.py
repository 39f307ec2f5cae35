"""What a decode reads of a file is bounded by its pixels, not by the file's size: a WebP's bytes
past its RIFF data, a compressed TIFF's past its strips and a PNG's oversized metadata chunk are
never read, and a file whose bytes to be read whole are far more than its pixels take is
decode_error. The padding is sparse (it costs no disk), and what is read is measured by the
bytes this process reads (/proc/self/io), so no test holds the padding in memory once fixed."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.images import DECODE_ERROR, DecodeError, decode_image

# Past the 64 MB of metadata a file may read whole: a read of it would show.
_PADDING = 200 * 1024 * 1024
_MOST_READ = 8 * 1024 * 1024
_RED = (255, 0, 0)

pytestmark = pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs /proc/self/io")


def _bytes_read() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def _decoded_reading(path: Path) -> tuple[Image.Image, int]:
    before = _bytes_read()
    image = decode_image(path)
    return image, _bytes_read() - before


def _refused_reading(path: Path) -> tuple[DecodeError, int]:
    before = _bytes_read()
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    return caught.value, _bytes_read() - before


def _saved(image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), _RED).save(out, image_format, **options)
    return out.getvalue()


def _padded(path: Path, data: bytes, padding: int = _PADDING) -> Path:
    path.write_bytes(data)
    with path.open("r+b") as file:
        file.truncate(len(data) + padding)  # sparse: no disk
    return path


def _is_red(image: Image.Image) -> bool:
    return image.size == (64, 64) and bool((np.asarray(image) == _RED).all())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("webp", lambda: _saved("WEBP", lossless=True)),
        ("tif", lambda: _saved("TIFF", compression="tiff_lzw")),
        ("tif", lambda: _saved("TIFF", compression="tiff_adobe_deflate")),
    ],
    ids=["webp", "tiff_lzw", "tiff_deflate"],
)
def test_bytes_after_the_image_data_are_not_read(
    tmp_path: Path, name: str, data: Callable[[], bytes]
) -> None:
    path = _padded(tmp_path / f"padded.{name}", data())
    image, read = _decoded_reading(path)
    assert _is_red(image)
    assert read < _MOST_READ


def test_a_webp_whose_riff_data_is_far_more_than_its_pixels_take_is_refused(
    tmp_path: Path,
) -> None:
    webp = _saved("WEBP", lossless=True)
    # An unknown chunk holding the padding, inside the RIFF data its header declares.
    chunk = b"ZZZZ" + struct.pack("<I", _PADDING)
    riff = len(webp) - 8 + len(chunk) + _PADDING
    data = b"RIFF" + struct.pack("<I", riff) + webp[8:] + chunk
    error, read = _refused_reading(_padded(tmp_path / "inside.webp", data))
    assert error.status == DECODE_ERROR
    assert "64x64" in error.reason and "read whole" in error.reason
    assert read < _MOST_READ


def _with_strip_byte_count(tiff: bytes, count: int) -> bytes:
    """A little-endian TIFF of one strip with its StripByteCounts (held in its entry) set."""
    ifd = int.from_bytes(tiff[4:8], "little")
    for at in range(ifd + 2, ifd + 2 + 12 * int.from_bytes(tiff[ifd : ifd + 2], "little"), 12):
        if int.from_bytes(tiff[at : at + 2], "little") == 279:
            assert int.from_bytes(tiff[at + 4 : at + 8], "little") == 1  # one strip
            return tiff[: at + 8] + struct.pack("<I", count) + tiff[at + 12 :]
    raise AssertionError("no StripByteCounts")


def test_a_tiff_whose_strip_is_far_more_than_its_pixels_take_is_refused(tmp_path: Path) -> None:
    # An LZW TIFF whose one strip's byte count says the padding is part of it.
    tiff = _with_strip_byte_count(_saved("TIFF", compression="tiff_lzw"), _PADDING)
    error, read = _refused_reading(_padded(tmp_path / "strip.tif", tiff))
    assert error.status == DECODE_ERROR
    assert "64x64" in error.reason and "read whole" in error.reason
    assert read < _MOST_READ


def _png_with_chunk(kind: bytes, length: int, path: Path, after_pixels: bool) -> Path:
    """A red 64x64 PNG with a chunk of `kind` holding `length` zeros (sparse) after IHDR, or
    after its pixel data (before IEND)."""
    png = _saved("PNG")
    at = len(png) - 12 if after_pixels else 8 + 25
    head = b"MM\x00\x2a\x00\x00\x00\x08" if kind == b"eXIf" else b""
    crc = zlib.crc32(kind + head)
    zeros = bytes(1 << 20)
    for start in range(0, length - len(head), len(zeros)):
        crc = zlib.crc32(zeros[: min(len(zeros), length - len(head) - start)], crc)
    with path.open("wb") as file:
        file.write(png[:at] + struct.pack(">I", length) + kind + head)
        file.seek(at + 8 + length)
        file.write(struct.pack(">I", crc) + png[at:])
    return path


@pytest.mark.parametrize("after_pixels", [False, True], ids=["before_pixels", "after_pixels"])
@pytest.mark.parametrize("kind", [b"eXIf", b"zzZz"], ids=["exif", "unknown_chunk"])
def test_a_png_metadata_chunk_over_the_metadata_limit_is_not_read(
    tmp_path: Path, kind: bytes, after_pixels: bool
) -> None:
    path = _png_with_chunk(kind, _PADDING, tmp_path / "big_chunk.png", after_pixels)
    image, read = _decoded_reading(path)
    assert _is_red(image)
    assert read < _MOST_READ


def test_a_png_exif_chunk_within_the_limit_still_gives_the_orientation(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter: 64x32 shows as 32x64
    out = io.BytesIO()
    Image.new("RGB", (64, 32), _RED).save(out, "PNG", exif=exif)
    path = tmp_path / "turned.png"
    path.write_bytes(out.getvalue())
    assert decode_image(path).size == (32, 64)


def test_a_tiff_field_said_to_hold_the_padding_is_refused_unread(tmp_path: Path) -> None:
    # Its Software text said to run from its end through the padding: Pillow reads every
    # field's data in Image.open.
    tiff = _saved("TIFF", compression="tiff_lzw", tiffinfo={305: "zsl test writer"})
    ifd = int.from_bytes(tiff[4:8], "little")
    entries = range(ifd + 2, ifd + 2 + 12 * int.from_bytes(tiff[ifd : ifd + 2], "little"), 12)
    at = next(at for at in entries if int.from_bytes(tiff[at : at + 2], "little") == 305)
    field = struct.pack("<II", _PADDING, len(tiff))
    error, read = _refused_reading(
        _padded(tmp_path / "field.tif", tiff[: at + 4] + field + tiff[at + 12 :])
    )
    assert error.status == DECODE_ERROR
    assert "64x64" in error.reason and "read whole" in error.reason
    assert read < _MOST_READ
    # Its fields as written decode.
    path = tmp_path / "written.tif"
    path.write_bytes(tiff)
    assert _is_red(decode_image(path))
