"""Builders of real image files for tests: clean images, odd-but-valid images, broken files.

Everything is deterministic and tiny (the decompression bomb only declares its size). Import from
tests as `from tests.corpus import write_bad_files` (tests/ is a package).
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

WHITE = 255.0
# Pillow 13 needs Python 3.11+, so on 3.10 pip stops at 12.x (pyproject allows 12.1.1 there).
# Before 13 Pillow reads a TGA's RGBA colour map as RGB (alpha lost), cannot open a grey TIFF
# with premultiplied alpha, and ends some cut files with other errors than "truncated".
NEEDS_PILLOW_13 = pytest.mark.skipif(
    int(Image.__version__.split(".")[0]) < 13, reason="Pillow before 13 decodes this otherwise"
)


def pillow_writes(format: str) -> bool:
    """Whether this Pillow can save `format` (QOI from 11.3 on; AVIF only where built with it)."""
    Image.init()
    return format in Image.SAVE


ORIENTATION_TAG = 0x0112
# Pillow transpose that turns an image stored with this EXIF orientation upright (as in
# ImageOps.exif_transpose); each one is its own inverse except the two quarter turns.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_INVERSE = {
    Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270,
}


@dataclass(frozen=True)
class OddImage:
    """A valid but unusual file and the RGB image a correct decoder must produce from it.

    tolerance: the largest mean absolute difference (0-255 scale) allowed between the decoded
    image and `expected` (lossy formats need a little).
    """

    path: Path
    expected: np.ndarray  # uint8, H x W x 3, upright, alpha composited on white
    tolerance: float


def blocky_rgb(width: int, height: int, seed: int, block: int = 8) -> np.ndarray:
    """A uint8 H x W x 3 image of flat colour blocks: asymmetric, and kind to JPEG (8x8 DCT)."""
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, 256, size=(-(-height // block), -(-width // block), 3), dtype=np.uint8)
    return np.kron(cells, np.ones((block, block, 1), np.uint8))[:height, :width]


def smooth_rgb(width: int, height: int, seed: int) -> np.ndarray:
    """A uint8 H x W x 3 image of smooth gradients and a few discs (for resampling comparisons)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = x / max(width - 1, 1), y / max(height - 1, 1)
    image = np.stack([255 * u, 255 * v, 255 * (1 - u) * (0.5 + 0.5 * v)], axis=-1)
    for _ in range(4):
        cx, cy = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height
        radius = rng.uniform(0.05, 0.2) * min(width, height)
        inside = (x - cx) ** 2 + (y - cy) ** 2 < radius**2
        image[inside] = rng.integers(0, 256, size=3)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def write_clean_images(folder: Path, n: int, seed: int) -> list[Path]:
    """`n` small RGB images, alternating PNG and JPEG, named clean_000.png, clean_001.jpg, ..."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(n):
        pixels = blocky_rgb(32, 24, seed * 100_003 + index)
        suffix = ".png" if index % 2 == 0 else ".jpg"
        path = folder / f"clean_{index:03d}{suffix}"
        Image.fromarray(pixels).save(path, quality=95)  # quality is ignored by the PNG writer
        paths.append(path)
    return paths


def write_odd_images(folder: Path) -> dict[str, OddImage]:
    """Valid but unusual images, keyed by name; most of them defeat a plain convert("RGB")."""
    folder.mkdir(parents=True, exist_ok=True)
    odd: dict[str, OddImage] = {}

    def add(
        name: str, filename: str, image: Image.Image, expected: np.ndarray, tol: float, **kw: object
    ) -> None:
        path = folder / filename
        image.save(path, **kw)
        odd[name] = OddImage(path, expected, tol)

    upright = blocky_rgb(48, 32, seed=1)  # wider than tall, so a missed quarter turn shows
    for orientation, method in _UPRIGHT.items():
        stored = Image.fromarray(upright).transpose(_INVERSE.get(method, method))
        exif = Image.Exif()
        exif[ORIENTATION_TAG] = orientation
        add(
            f"jpeg_orientation_{orientation}",
            f"orientation_{orientation}.jpg",
            stored,
            upright,
            3.0,
            quality=95,
            subsampling=0,  # 4:4:4, so colour blocks stay sharp enough for a tight tolerance
            exif=exif.tobytes(),
        )

    rgb = blocky_rgb(40, 24, seed=2)
    add(
        "cmyk_jpeg",
        "cmyk.jpg",
        Image.fromarray(rgb).convert("CMYK"),
        rgb,
        3.0,
        quality=95,
        subsampling=0,
    )
    add("grayscale_png", "gray.png", Image.fromarray(rgb[..., 0]), _grey(rgb[..., 0]), 0.0)

    deep = np.linspace(0, 65535, 40 * 24).reshape(24, 40).astype(np.uint16)
    add("png_16bit_gray", "gray16.png", Image.fromarray(deep), _grey(_round(deep / 257.0)), 0.5)
    add("tiff_16bit_gray", "gray16.tif", Image.fromarray(deep), _grey(_round(deep / 257.0)), 0.5)
    unit = np.linspace(0.0, 1.0, 40 * 24, dtype=np.float32).reshape(24, 40)
    add("tiff_float_gray", "float.tif", Image.fromarray(unit), _grey(_round(unit * 255.0)), 0.5)

    alpha = np.linspace(0, 255, 40 * 24).reshape(24, 40).astype(np.uint8)
    rgba = np.dstack([rgb, alpha])
    add("png_rgba", "rgba.png", Image.fromarray(rgba), _on_white(rgb, alpha), 0.5)
    la = np.dstack([rgb[..., 1], alpha])
    add("png_la", "la.png", Image.fromarray(la), _on_white(_grey(rgb[..., 1]), alpha), 0.5)

    palette_image, palette_rgb = _palette_image(seed=3)
    transparent = np.asarray(palette_image) == 0
    expected = np.where(transparent[..., None], np.uint8(255), palette_rgb)
    add("png_palette_transparency", "palette.png", palette_image, expected, 0.0, transparency=0)

    # A stereo camera's MPO: two JPEG frames in one file; the first is the image.
    other = Image.fromarray(blocky_rgb(40, 24, seed=4))
    add(
        "mpo_stereo",
        "stereo.mpo",
        Image.fromarray(rgb),
        rgb,
        3.0,
        format="MPO",
        save_all=True,
        append_images=[other],
        quality=95,
        subsampling=0,
    )

    frames, frames_rgb = _gif_frames()
    path = folder / "animated.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    odd["gif_animated"] = OddImage(path, frames_rgb[0], 0.0)
    return odd


def write_large_jpeg(
    path: Path, size: tuple[int, int] = (2048, 1536), orientation: int = 1
) -> np.ndarray:
    """A smooth JPEG stored at `size` (width, height) with this EXIF orientation; returns the
    upright pixels it was made from (so they are `size` turned by a quarter for 5-8)."""
    width, height = size if orientation not in (5, 6, 7, 8) else size[::-1]
    upright = smooth_rgb(width, height, seed=4)
    method = _UPRIGHT.get(orientation)
    stored = Image.fromarray(upright)
    if method is not None:
        stored = stored.transpose(_INVERSE.get(method, method))
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    stored.save(path, quality=92, exif=exif.tobytes())
    return upright


def write_bad_files(folder: Path) -> dict[Path, str]:
    """Broken and awkward files, each mapped to the status decode_image must give it.

    Not every key is something a folder walk returns: missing.jpg is never created; folder.jpg and
    loop/again are folders (a walk descends into them; passed to the decoder directly they are
    not_a_file); script.eps has an extension outside IMAGE_EXTENSIONS. unreadable.png is only
    written when not running as root (root reads through chmod 000), and the non-UTF-8 name only
    where the file system accepts it. loop/inside.png must be found exactly once by a walk.
    """
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[Path, str] = {}
    good = _png_bytes(blocky_rgb(16, 12, seed=5))
    jpeg = _jpeg_bytes(blocky_rgb(64, 48, seed=6))

    def write(name: str, data: bytes, status: str) -> Path:
        path = folder / name
        path.write_bytes(data)
        expected[path] = status
        return path

    write("good.png", good, "ok")
    write("jpeg_named.png", jpeg, "ok")  # Pillow identifies by content, not by name
    write("empty.jpg", b"", "empty")
    write("truncated.jpg", jpeg[: len(jpeg) * 6 // 10], "truncated")
    big_png = _png_bytes(blocky_rgb(64, 48, seed=7))
    write("truncated.png", big_png[: len(big_png) // 2], "truncated")
    write("text.png", b"hello, this is not an image\n" * 4, "not_an_image")
    write(
        "script.eps",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
        "not_an_image",
    )
    write("bomb.png", png_declaring_size(30_000, 30_000), "too_large")
    write("corrupt.png", _corrupt_png(big_png), "decode_error")
    expected[folder / "missing.jpg"] = "not_found"

    (folder / "broken_link.jpg").symlink_to("no_such_target.jpg")
    expected[folder / "broken_link.jpg"] = "broken_link"
    (folder / "self_link.jpg").symlink_to("self_link.jpg")
    expected[folder / "self_link.jpg"] = "broken_link"

    (folder / "folder.jpg").mkdir()
    expected[folder / "folder.jpg"] = "not_a_file"
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.jpg")
        expected[folder / "fifo.jpg"] = "not_a_file"

    (folder / "loop").mkdir()
    write("loop/inside.png", good, "ok")
    (folder / "loop" / "again").symlink_to(".", target_is_directory=True)
    expected[folder / "loop" / "again"] = "not_a_file"

    if hasattr(os, "geteuid") and os.geteuid() != 0:
        unreadable = write("unreadable.png", good, "unreadable")
        unreadable.chmod(0)

    name = write_non_utf8_file(folder, good)
    if name is not None:
        expected[name] = "ok"
    return expected


def write_non_utf8_file(folder: Path, data: bytes, stem: bytes = b"caf\xe9") -> Path | None:
    """Write `data` to a file whose name has invalid UTF-8 (Latin-1 é) plus .png; return its path
    as Python spells it (surrogate escapes), or None where the file system refuses such names."""
    raw = os.path.join(os.fsencode(folder), stem + b".png")
    try:
        fd = os.open(raw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError:
        return None
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    return Path(os.fsdecode(raw))


def png_declaring_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width x height RGB (its data is a few bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + png_chunk(b"IEND", b"")
    )


def grey_png(bits: int, rows: list[list[int]], transparent: int | None = None) -> bytes:
    """A greyscale PNG of `bits` per pixel (1, 2, 4, 8 or 16; Pillow writes only 1, 8 and 16),
    with `transparent` as its tRNS grey level."""
    width = len(rows[0])
    scanlines = b""
    for row in rows:
        packed = "".join(format(value, f"0{bits}b") for value in row)
        packed += "0" * (-len(packed) % 8)
        scanlines += b"\0" + int(packed, 2).to_bytes(len(packed) // 8, "big")
    header = struct.pack(">IIBBBBB", width, len(rows), bits, 0, 0, 0, 0)
    trns = b"" if transparent is None else png_chunk(b"tRNS", struct.pack(">H", transparent))
    return _png(header, trns, scanlines)


def rgb16_png(
    pixels: np.ndarray, transparent: tuple[int, int, int] | None = None, interlaced: bool = False
) -> bytes:
    """A 16-bit RGB PNG (Pillow writes none) of H x W x 3 uint16 `pixels`, with `transparent` as
    its tRNS colour, Adam7-interlaced if asked."""
    height, width = pixels.shape[:2]
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2)]
    passes = [*passes, (0, 1, 1, 2)] if interlaced else [(0, 0, 1, 1)]
    scanlines = b"".join(
        b"\0" + row.astype(">u2").tobytes()
        for x0, y0, dx, dy in passes
        for row in pixels[y0::dy, x0::dx]
        if row.size
    )
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, int(interlaced))
    trns = b"" if transparent is None else png_chunk(b"tRNS", struct.pack(">HHH", *transparent))
    return _png(header, trns, scanlines)


def _png(header: bytes, trns: bytes, scanlines: bytes) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + trns
        + png_chunk(b"IDAT", zlib.compress(scanlines))
        + png_chunk(b"IEND", b"")
    )


# Adam7's passes of an interlaced PNG: (first column, first row, column step, row step).
ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _corrupt_png(data: bytes) -> bytes:
    """Zero a stretch of compressed pixel data (keeping the chunk CRC valid): zlib then fails."""
    start = data.index(b"IDAT")
    length = struct.unpack(">I", data[start - 4 : start])[0]
    body = bytearray(data[start + 4 : start + 4 + length])
    body[20:60] = bytes(40)
    chunk = png_chunk(b"IDAT", bytes(body))
    return data[: start - 4] + chunk + data[start + 8 + length :]


def _png_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _palette_image(seed: int) -> tuple[Image.Image, np.ndarray]:
    """A P-mode image using 16 palette entries; entry 0 is the one marked transparent."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, size=(16, 3), dtype=np.uint8)
    indices = np.kron(rng.integers(0, 16, size=(3, 5)), np.ones((8, 8), int)).astype(np.uint8)
    image = Image.frombytes("P", (indices.shape[1], indices.shape[0]), indices.tobytes())
    image.putpalette(palette.tobytes())
    return image, palette[indices]


def _gif_frames() -> tuple[list[Image.Image], list[np.ndarray]]:
    """Three palette frames with distinct colours; GIF keeps palette colours exactly."""
    palette = np.array([[200, 30, 30], [30, 200, 30], [30, 30, 200], [240, 240, 20]], np.uint8)
    frames, pixels = [], []
    for shift in range(3):
        indices = (np.add.outer(np.arange(24) // 6, np.arange(32) // 8) + shift) % 4
        frame = Image.frombytes("P", (32, 24), indices.astype(np.uint8).tobytes())
        frame.putpalette(palette.tobytes())
        frames.append(frame)
        pixels.append(palette[indices])
    return frames, pixels


def _grey(values: np.ndarray) -> np.ndarray:
    return np.repeat(np.asarray(values, np.uint8)[..., None], 3, axis=-1)


def _round(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _on_white(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = alpha.astype(np.float64)[..., None] / 255.0
    return _round(rgb.astype(np.float64) * a + WHITE * (1.0 - a))


def encoded(image: Image.Image, file_format: str, **settings: object) -> bytes:
    """The bytes of `image` saved by Pillow as `file_format` with `settings`."""
    buffer = io.BytesIO()
    image.save(buffer, file_format, **settings)
    return buffer.getvalue()


def gif_image_descriptor(frame: bytes) -> int:
    """Where the image descriptor of `frame` (a one-frame GIF) starts."""
    flags = frame[10]
    at = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while frame[at] == 0x21:  # extension blocks: introducer, label, sub-blocks
        at += 2
        while frame[at]:
            at += frame[at] + 1
        at += 1
    assert frame[at] == 0x2C
    return at


def gif_on_wider_canvas(frame: bytes, canvas: tuple[int, int], left: int) -> bytes:
    """`frame` (a one-frame GIF) with its logical screen made `canvas` and its image moved
    `left` pixels to the right."""
    at = gif_image_descriptor(frame)
    screen = struct.pack("<HH", *canvas)
    return frame[:6] + screen + frame[10 : at + 1] + struct.pack("<H", left) + frame[at + 3 :]


def tiff_strips(tiff: bytes) -> tuple[list[int], list[int]]:
    """The offsets and byte counts of `tiff`'s strips."""
    with Image.open(io.BytesIO(tiff)) as image:
        offsets, counts = image.tag_v2[273], image.tag_v2[279]
    return list(offsets), list(counts)


def frame_chunks(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each ANMF chunk of a whole WebP, its padding included."""
    found, offset = [], 12
    while offset + 8 <= len(data):
        (length,) = struct.unpack("<I", data[offset + 4 : offset + 8])
        end = offset + 8 + length + length % 2
        if data[offset : offset + 4] == b"ANMF":
            found.append((offset, end))
        offset = end
    return found


def apng(
    default: np.ndarray,
    frame: np.ndarray,
    left: int,
    default_in_animation: bool,
    trns: bytes = b"",
) -> bytes:
    """An APNG (RGBA or, for three channels, RGB with `trns` as its tRNS chunk's data) of
    `default` (its IDAT) and one animation frame `frame` (an fdAT) placed `left` pixels right,
    blended over what lies under it. Its default image is the animation's first frame where an
    fcTL comes before IDAT, else it is outside the animation."""
    height, width, channels = default.shape
    bits, colour_type = 8 * default.dtype.itemsize, {3: 2, 4: 6}[channels]

    def fctl(sequence: int, size: tuple[int, int], x: int) -> bytes:
        return png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", sequence, *size, x, 0, 1, 10, 0, 1))

    frames = 2 if default_in_animation else 1
    sequence = 1 if default_in_animation else 0
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bits, colour_type, 0, 0, 0))
        + png_chunk(b"acTL", struct.pack(">II", frames, 0))
        + (png_chunk(b"tRNS", trns) if trns else b"")
        + (fctl(0, (width, height), 0) if default_in_animation else b"")
        + png_chunk(b"IDAT", png_rows(default))
        + fctl(sequence, (frame.shape[1], frame.shape[0]), left)
        + png_chunk(b"fdAT", struct.pack(">I", sequence + 1) + png_rows(frame))
        + png_chunk(b"IEND", b"")
    )


def png_rows(pixels: np.ndarray) -> bytes:
    """Zlib-compressed PNG scanlines (filter 0) of H x W x channels `pixels`, whose dtype is
    the file's (uint8, or ">u2" for 16 bits)."""
    return zlib.compress(b"".join(b"\0" + row.tobytes() for row in pixels))


def ico_32bit_without_alpha(pixels: np.ndarray, see_through_rows: int) -> bytes:
    """An ICO of one 32-bit BMP picture whose alpha bytes are all zero, as writers that predate
    alpha leave them, and whose AND mask makes its first rows see-through."""
    height, width = pixels.shape[:2]
    header = struct.pack("<IiiHHIIiiII", 40, width, 2 * height, 1, 32, 0, 0, 0, 0, 0, 0)
    bgra = np.dstack([pixels[..., ::-1], np.zeros((height, width), np.uint8)])
    stride = (width + 31) // 32 * 4
    mask = np.zeros((height, stride), np.uint8)
    mask[:see_through_rows] = 0xFF
    picture = header + bgra[::-1].tobytes() + mask[::-1].tobytes()  # rows bottom-up
    return ico_holding(picture, bits=32)


def rgb_psd(planes: list[np.ndarray], layer_count: int | None) -> bytes:
    """An 8-bit RGB Photoshop file holding only its merged image, uncompressed, with a layer
    section that gives `layer_count` (its layer records left out: Pillow reads none of them
    to decode the merged image) or none."""
    height, width = planes[0].shape
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, len(planes), height, width, 8, 3)
    layers = b"" if layer_count is None else struct.pack(">Ih", 2, layer_count)
    sections = struct.pack(">II", 0, 0) + struct.pack(">I", len(layers)) + layers
    return header + sections + struct.pack(">H", 0) + b"".join(p.tobytes() for p in planes)


def ico_holding(picture: bytes, bits: int = 32) -> bytes:
    """An ICO of one entry whose directory says 16x16 and whose data is `picture`."""
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, bits, len(picture), 22)
    return header + entry + picture
