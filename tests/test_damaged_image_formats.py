"""decode_image on odd files that the readers in image_formats handle: an ICNS of raw-pixel
entries only (older Mac icons: no PNG or JPEG 2000 picture inside), and an APNG whose frame
count is damaged (0: no animation), which shows its default image."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from pathlib import Path

from PIL import Image

from zsl_cli.images import decode_image

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
