"""decode_image on odd files that the readers in image_formats handle: an ICNS of raw-pixel
entries only (older Mac icons: no PNG or JPEG 2000 picture inside), and an APNG whose frame
count is damaged (0: no animation), which shows its default image."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image

from zsl_cli.images import DecodeError, decode_image

RED = (200, 30, 10)


def icns_entry(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack(">I", 8 + len(data)) + data


def test_icns_of_raw_pixel_entries_decodes_in_its_colours(tmp_path: Path) -> None:
    # A 16x16 "is32" entry (each channel run-length coded: two literal runs of 128) and its
    # mask; no "icp4" (PNG or JPEG 2000) entry for that size.
    channels = b"".join((b"\x7f" + bytes([level]) * 128) * 2 for level in RED)
    body = icns_entry(b"is32", channels) + icns_entry(b"s8mk", b"\xff" * 256)
    path = tmp_path / "old.icns"
    path.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)
    image = decode_image(path)
    assert (image.size, image.getpixel((0, 0)), image.getpixel((15, 15))) == ((16, 16), RED, RED)


def test_apng_whose_frame_count_is_0_shows_its_default_image(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), colour) for colour in ((1, 2, 3), (4, 5, 6))]
    Image.new("RGB", (8, 8), RED).save(
        buffer, "PNG", save_all=True, default_image=True, append_images=frames
    )
    data = buffer.getvalue()
    at = data.index(b"acTL")
    chunk = b"acTL" + struct.pack(">II", 0, 0)
    path = tmp_path / "animation.png"
    path.write_bytes(data[:at] + chunk + struct.pack(">I", zlib.crc32(chunk)) + data[at + 16 :])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's "Invalid APNG, will use default PNG image"
        image = decode_image(path)
    assert image.getpixel((0, 0)) == RED


def rle8_bmp(codes: bytes, width: int = 4, height: int = 2) -> bytes:
    """An 8-bit run-length coded BMP (compression 1) of `codes`, colour i being (i * 10, 0, 0)."""
    palette = b"".join(bytes((0, 0, 10 * i % 256, 0)) for i in range(256))
    offset = 14 + 40 + len(palette)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(codes), 0, 0, 256, 0)
    return b"BM" + struct.pack("<IHHI", offset + len(codes), 0, 0, offset) + info + palette + codes


def red_rows(image: Image.Image) -> list[list[int]]:
    return [[image.getpixel((x, y))[0] for x in range(image.width)] for y in range(image.height)]


def test_rle8_bmp_with_a_literal_run_of_even_length_decodes(tmp_path: Path) -> None:
    # A run of pixels given one by one, of even length, needs no padding byte after it.
    path = tmp_path / "icon.bmp"
    path.write_bytes(rle8_bmp(b"\x00\x04\x01\x02\x03\x04\x00\x00\x04\x05\x00\x00\x00\x01"))
    assert red_rows(decode_image(path)) == [[50, 50, 50, 50], [10, 20, 30, 40]]


@pytest.mark.parametrize(
    ("codes", "cut"),
    [
        (b"\x04\x05\x00\x00\x00\x02\x01\x00\x00\x01", 3),
        (b"\x04\x05\x00\x00\x00\x04\x01\x02\x03\x04\x00\x01", 4),
    ],
    ids=["delta", "literal run"],
)
def test_rle8_bmp_cut_inside_a_code_is_truncated(tmp_path: Path, codes: bytes, cut: int) -> None:
    # A delta (0, 2, right, up) or a literal run (0, n, n pixels) that the file's end cuts.
    path = tmp_path / "icon.bmp"
    data = rle8_bmp(codes)[:-cut]
    path.write_bytes(data)
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert (caught.value.status, caught.value.reason) == (
        "truncated",
        f"image file is truncated (data ends after {len(data)} bytes)",
    )
