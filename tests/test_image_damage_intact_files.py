"""No whole file is called damaged: intact images of the formats and modes cameras, phones and
editors write (JPEG baseline, progressive, CMYK, with EXIF and with what phones append after
the end marker; PNG interlaced, 16-bit, palette; TIFF LZW, multi-strip, tiled; WebP lossy,
lossless, animated; BMP; animated GIF; PCX) each decode, to the pixels Pillow decodes of
them (for an animation, its first frame)."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded, smooth_rgb
from zsl_cli.images import decode_image


def photo(mode: str = "RGB", size: tuple[int, int] = (97, 71)) -> Image.Image:
    return Image.fromarray(smooth_rgb(*size, seed=11)).convert(mode)


def jpeg(**settings: object) -> Callable[[], bytes]:
    mode = str(settings.pop("mode", "RGB"))
    return lambda: encoded(photo(mode), "JPEG", **settings)


def exif() -> bytes:
    tags = Image.Exif()
    tags[0x010F] = "a phone maker"
    tags[0x0110] = "a phone"
    return tags.tobytes()


def phone_jpeg(trailer: Callable[[bytes], bytes]) -> Callable[[], bytes]:
    """A phone's JPEG (EXIF, 4:2:0) with `trailer` of it appended after its end marker."""

    def build() -> bytes:
        data = encoded(photo(), "JPEG", exif=exif(), quality=92)
        return data + trailer(data)

    return build


def motion_photo(_: bytes) -> bytes:
    # A Google motion photo: an MP4 after the picture's end marker.
    box = struct.pack(">I", 24) + b"ftypmp42" + b"\0\0\0\0mp42isom"
    return box + struct.pack(">I", 4096) + b"mdat" + bytes(range(256)) * 16


def samsung_trailer(_: bytes) -> bytes:
    return b"\0\0SEFH" + bytes(range(200)) + b"SEFT"


def interlaced_png() -> bytes:
    """An Adam7-interlaced RGB PNG (Pillow writes none), each pass's rows unfiltered."""
    pixels = smooth_rgb(37, 23, seed=12)
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4)]
    passes += [(1, 0, 2, 2), (0, 1, 1, 2)]
    rows = b""
    for x0, y0, dx, dy in passes:
        part = pixels[y0::dy, x0::dx]
        if part.size:
            rows += b"".join(b"\0" + row.tobytes() for row in part)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 37, 23, 8, 2, 0, 0, 1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def tiled_tiff() -> bytes:
    """An uncompressed RGB TIFF in 16 x 16 tiles, built by hand (Pillow writes strips alone)."""
    pixels = smooth_rgb(40, 30, seed=13)
    tiles = b""
    for top in range(0, 30, 16):
        for left in range(0, 40, 16):
            block = np.zeros((16, 16, 3), np.uint8)
            part = pixels[top : top + 16, left : left + 16]
            block[: part.shape[0], : part.shape[1]] = part
            tiles += block.tobytes()
    count = len(tiles) // (16 * 16 * 3)
    values_at = 8 + len(tiles)
    offsets = [8 + index * 768 for index in range(count)]
    arrays = struct.pack(f"<{count}I", *offsets) + struct.pack(f"<{count}I", *[768] * count)
    bits_at = values_at + len(arrays)
    fields = [
        (256, 3, 1, 40),
        (257, 3, 1, 30),
        (258, 3, 3, bits_at),
        (259, 3, 1, 1),
        (262, 3, 1, 2),
        (277, 3, 1, 3),
        (322, 3, 1, 16),
        (323, 3, 1, 16),
        (324, 4, count, values_at),
        (325, 4, count, values_at + 4 * count),
    ]
    directory_at = bits_at + 6
    table = b"".join(struct.pack("<HHII", *field) for field in fields)
    return (
        b"II*\0"
        + struct.pack("<I", directory_at)
        + tiles
        + arrays
        + struct.pack("<3H", 8, 8, 8)
        + struct.pack("<H", len(fields))
        + table
        + bytes(4)
    )


def saved(file_format: str, mode: str = "RGB", **settings: object) -> Callable[[], bytes]:
    return lambda: encoded(photo(mode), file_format, **settings)


def animation(file_format: str, **settings: object) -> Callable[[], bytes]:
    frames = [photo(), photo().rotate(180), photo("L").convert("RGB")]
    return lambda: encoded(
        frames[0], file_format, save_all=True, append_images=frames[1:], **settings
    )


INTACT: dict[str, Callable[[], bytes]] = {
    "jpeg_baseline.jpg": jpeg(),
    "jpeg_baseline_grey.jpg": jpeg(mode="L"),
    "jpeg_progressive.jpg": jpeg(progressive=True),
    "jpeg_progressive_grey.jpg": jpeg(mode="L", progressive=True),
    "jpeg_cmyk.jpg": jpeg(mode="CMYK"),
    "jpeg_cmyk_progressive.jpg": jpeg(mode="CMYK", progressive=True),
    "jpeg_exif.jpg": jpeg(exif=exif()),
    "jpeg_restarts_progressive.jpg": jpeg(progressive=True, restart_marker_blocks=2),
    "jpeg_zeros_after_end.jpg": phone_jpeg(lambda _: bytes(3000)),
    "jpeg_fill_after_end.jpg": phone_jpeg(lambda _: b"\xff" * 100),
    "jpeg_second_picture_after_end.jpg": phone_jpeg(lambda data: data),
    "jpeg_motion_photo.jpg": phone_jpeg(motion_photo),
    "jpeg_samsung_trailer.jpg": phone_jpeg(samsung_trailer),
    "mpo_two_pictures.mpo": animation("MPO"),
    "png_interlaced.png": interlaced_png,
    "png_sixteen_bit_grey.png": lambda: encoded(
        Image.fromarray(np.asarray(photo("L")).astype(np.uint16) * 257), "PNG"
    ),
    "png_palette.png": saved("PNG", "P"),
    "png_palette_transparent.png": saved("PNG", "P", transparency=200),
    "png_two_colour.png": saved("PNG", "1"),
    "tiff_lzw.tif": saved("TIFF", compression="tiff_lzw"),
    "tiff_lzw_strips.tif": saved("TIFF", compression="tiff_lzw", strip_size=1000),
    "tiff_packbits_strips.tif": saved("TIFF", compression="packbits", strip_size=700),
    "tiff_deflate_strips.tif": saved("TIFF", compression="tiff_adobe_deflate", strip_size=900),
    "tiff_tiled.tif": tiled_tiff,
    "webp_lossy.webp": saved("WEBP", quality=70),
    "webp_lossless.webp": saved("WEBP", lossless=True),
    "webp_animated.webp": animation("WEBP", duration=100),
    "bmp_colour.bmp": saved("BMP"),
    "bmp_palette.bmp": saved("BMP", "P"),
    "gif_animated.gif": animation("GIF", duration=100, loop=0),
    "gif_interlaced.gif": saved("GIF", interlace=True),
    "pcx_colour.pcx": saved("PCX"),
    "pcx_palette.pcx": saved("PCX", "P"),
    "pcx_grey.pcx": saved("PCX", "L"),
    "pcx_two_colour.pcx": saved("PCX", "1"),
}


@pytest.mark.parametrize("name", list(INTACT))
def test_intact_file_decodes_to_its_pixels(tmp_path: Path, name: str) -> None:
    data = INTACT[name]()
    path = tmp_path / name
    path.write_bytes(data)
    with Image.open(io.BytesIO(data)) as image:
        if image.mode == "I;16":
            image = Image.fromarray((np.asarray(image) // 257).astype(np.uint8))
        expected = np.asarray(image.convert("RGB"))
    assert np.array_equal(np.asarray(decode_image(path).convert("RGB")), expected)
