"""decode_image on files Pillow writes with unusual options (progressive and optimized JPEG,
restart markers, EXIF, ICC and XMP segments, APNG, interlaced PNG, multi-strip, tiled,
compressed, multi-page and big-endian TIFF, PCX and PNM of each mode): each whole file decodes
to the pixels Pillow gives it, and each one damaged in a way the checks exist for is refused
with the status its damage calls for."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import ADAM7, encoded, png_chunk, smooth_rgb
from tests.helpers import failure_of
from zsl_cli.images import decode_image

ICC = b"\0" * 128 + b"an ICC profile's bytes, of no meaning" * 40
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


def photo(mode: str = "RGB", size: tuple[int, int] = (96, 72)) -> Image.Image:
    image = Image.fromarray(smooth_rgb(*size, seed=3))
    if mode in SIXTEEN_BIT:  # each 8-bit level v as v * 257, which reads back as v
        grey = np.asarray(image.convert("L")).astype(SIXTEEN_BIT[mode]) * 257
        return Image.fromarray(grey)
    return image.convert(mode)


SIXTEEN_BIT = {"I;16": np.dtype("<u2"), "I;16B": np.dtype(">u2")}


def exif_bytes() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "a camera maker"
    exif[0x0131] = "some software"
    return exif.tobytes()


def decodes_as_pillow_does(tmp_path: Path, name: str, data: bytes) -> None:
    """`data`, written as `name`, decodes ok to the RGB pixels Pillow decodes of it."""
    path = tmp_path / name
    path.write_bytes(data)
    with Image.open(io.BytesIO(data)) as image:
        if image.mode in SIXTEEN_BIT or image.mode == "I":  # a 16-bit PNM opens as I
            image = Image.fromarray((np.asarray(image) // 257).astype(np.uint8))
        expected = np.asarray(image.convert("RGB"))
    decoded = decode_image(path)
    assert decoded.size == (expected.shape[1], expected.shape[0])
    assert np.array_equal(np.asarray(decoded.convert("RGB")), expected)


JPEG_SETTINGS = {
    "baseline": {},
    "progressive": {"progressive": True},
    "optimized": {"optimize": True},
    "progressive_optimized": {"progressive": True, "optimize": True},
    "restart_rows": {"restart_marker_rows": 1},
    "restart_blocks": {"restart_marker_blocks": 3},
    "progressive_restarts": {"progressive": True, "restart_marker_rows": 2},
    "exif_icc_xmp": {"exif": exif_bytes(), "icc_profile": ICC, "xmp": XMP},
    "comment": {"comment": b"\xff\xd9 a comment holding an end marker \xff\xda"},
    "subsampling_444": {"subsampling": 0, "quality": 100},
    "subsampling_420_low_quality": {"subsampling": 2, "quality": 5},
}


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
@pytest.mark.parametrize("settings", list(JPEG_SETTINGS), ids=list(JPEG_SETTINGS))
def test_jpeg_written_with_any_option_decodes(tmp_path: Path, settings: str, mode: str) -> None:
    decodes_as_pillow_does(
        tmp_path, "photo.jpg", encoded(photo(mode), "JPEG", **JPEG_SETTINGS[settings])
    )


@pytest.mark.parametrize("settings", list(JPEG_SETTINGS), ids=list(JPEG_SETTINGS))
@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_jpeg_of_one_flat_grey_decodes(tmp_path: Path, settings: str, mode: str) -> None:
    # Every block is the grey libjpeg fills with where data runs out: the file is whole all
    # the same, and ends with its end marker.
    grey = Image.new(mode, (80, 56), 128 if mode == "L" else (128, 128, 128))
    decodes_as_pillow_does(tmp_path, "grey.jpg", encoded(grey, "JPEG", **JPEG_SETTINGS[settings]))


def restart_markers(data: bytes) -> list[re.Match[bytes]]:
    return list(re.finditer(rb"\xff[\xd0-\xd7]", data))


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
@pytest.mark.parametrize("ahead", [1, 2, 6, 7])
def test_jpeg_with_a_restart_marker_out_of_turn_is_a_decode_error(
    tmp_path: Path, progressive: bool, ahead: int
) -> None:
    data = bytearray(
        encoded(photo(), "JPEG", progressive=progressive, restart_marker_rows=1, quality=90)
    )
    marker = restart_markers(bytes(data))[3]
    data[marker.start() + 1] = 0xD0 + (data[marker.start() + 1] - 0xD0 + ahead) % 8
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "restart marker 4 of scan 1 is RST" in failure.reason


@pytest.mark.parametrize("away", [3, 4, 5])
def test_jpeg_with_a_restart_marker_off_by_half_the_cycle_decodes(
    tmp_path: Path, away: int
) -> None:
    # libjpeg takes such a marker for the one due and decodes every pixel as it was.
    whole = encoded(photo(), "JPEG", restart_marker_rows=1, quality=90)
    data = bytearray(whole)
    marker = restart_markers(whole)[2]
    data[marker.start() + 1] = 0xD0 + (data[marker.start() + 1] - 0xD0 + away) % 8
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    with Image.open(io.BytesIO(whole)) as image:
        expected = np.asarray(image.convert("RGB"))
    assert np.array_equal(np.asarray(decode_image(path).convert("RGB")), expected)


@pytest.mark.parametrize("code", [0x02, 0x50, 0xBF])
def test_jpeg_whose_coded_data_ends_at_a_reserved_marker_is_a_decode_error(
    tmp_path: Path, code: int
) -> None:
    data = bytearray(encoded(photo(), "JPEG", restart_marker_rows=1, quality=90))
    marker = restart_markers(bytes(data))[2]
    data[marker.start() + 1] = code
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert f"reserved code 0x{code:02X}" in failure.reason


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_jpeg_cut_in_its_scan_is_truncated(tmp_path: Path, progressive: bool) -> None:
    data = encoded(photo(), "JPEG", progressive=progressive, quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) * 3 // 4])
    assert failure_of(path).status == "truncated"


def test_sequential_jpeg_cut_and_given_its_end_marker_is_a_decode_error(tmp_path: Path) -> None:
    data = encoded(photo(), "JPEG", quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) * 2 // 3] + b"\xff\xd9")
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "fill the rest with grey" in failure.reason


def png_from_rows(
    width: int, height: int, rows: bytes, interlace: int, extra: bytes = b""
) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, interlace)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + extra
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def interlaced_png(pixels: np.ndarray) -> bytes:
    """An Adam7-interlaced PNG of `pixels` (H x W x 3), each pass's rows unfiltered."""
    rows = b""
    for left, top, step_x, step_y in ADAM7:
        part = pixels[top::step_y, left::step_x]
        if part.size:
            rows += b"".join(b"\0" + row.tobytes() for row in part)
    return png_from_rows(pixels.shape[1], pixels.shape[0], rows, interlace=1)


def test_interlaced_png_decodes_to_its_pixels(tmp_path: Path) -> None:
    pixels = smooth_rgb(37, 29, seed=5)
    path = tmp_path / "interlaced.png"
    path.write_bytes(interlaced_png(pixels))
    assert np.array_equal(np.asarray(decode_image(path).convert("RGB")), pixels)


def png_settings() -> dict[str, tuple[Image.Image, dict]]:
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Title", "a title")
    text.add_text("Long", "words " * 500, zip=True)
    text.add_itxt("Intl", "mots", lang="fr", tkey="Mots")
    frames = [
        photo(size=(40, 30)),
        photo(size=(40, 30)).rotate(90),
        photo(size=(40, 30)).rotate(180),
    ]
    return {
        "optimized": (photo(), {"optimize": True}),
        "best_compression": (photo(), {"compress_level": 9}),
        "no_compression": (photo(), {"compress_level": 0}),
        "icc_and_text": (photo(), {"icc_profile": ICC, "pnginfo": text}),
        "palette_transparency": (photo("P"), {"transparency": 0}),
        "grey_alpha": (photo("LA"), {}),
        "sixteen_bit": (photo("I;16"), {}),
        "apng": (frames[0], {"save_all": True, "append_images": frames[1:], "duration": 50}),
        "large_many_idat": (photo(size=(700, 500)), {"compress_level": 0}),
    }


@pytest.mark.parametrize("settings", list(png_settings()), ids=list(png_settings()))
def test_png_written_with_any_option_decodes(tmp_path: Path, settings: str) -> None:
    image, options = png_settings()[settings]
    decodes_as_pillow_does(tmp_path, "image.png", encoded(image, "PNG", **options))


def test_png_whose_pixel_data_checksum_is_wrong_in_a_later_idat_is_a_decode_error(
    tmp_path: Path,
) -> None:
    data = bytearray(encoded(photo(size=(700, 500)), "PNG", compress_level=0))
    idats = [m.start() - 4 for m in re.finditer(b"IDAT", data)]
    assert len(idats) > 2
    last = idats[-1]
    length = int.from_bytes(data[last : last + 4], "big")
    data[last + 8 + length] ^= 0x01  # its checksum's first byte
    path = tmp_path / "image.png"
    path.write_bytes(data)
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert f"IDAT chunk at byte {last:,}" in failure.reason


def test_png_whose_text_chunk_checksum_is_wrong_decodes(tmp_path: Path) -> None:
    # An ancillary chunk's damage leaves the pixels as they were: libpng, too, drops it.
    chunk = png_chunk(b"tEXt", b"Title\0a title")
    damaged = chunk[:-1] + bytes([chunk[-1] ^ 0xFF])
    pixels = smooth_rgb(20, 10, seed=1)
    rows = b"".join(b"\0" + row.tobytes() for row in pixels)
    path = tmp_path / "image.png"
    path.write_bytes(png_from_rows(20, 10, rows, interlace=0, extra=damaged + damaged))
    assert np.array_equal(np.asarray(decode_image(path).convert("RGB")), pixels)


def tiff_settings() -> dict[str, tuple[Image.Image, dict]]:
    return {
        "raw_strips": (photo(), {"strip_size": 1024}),
        "lzw": (photo(), {"compression": "tiff_lzw", "strip_size": 2048}),
        "deflate_strips": (photo(), {"compression": "tiff_adobe_deflate", "strip_size": 1024}),
        "deflate_one_strip": (photo(), {"compression": "tiff_deflate"}),
        "packbits_strips": (photo(), {"compression": "packbits", "strip_size": 1000}),
        "packbits_grey": (photo("L"), {"compression": "packbits", "strip_size": 500}),
        "packbits_one_bit": (photo("1"), {"compression": "packbits", "strip_size": 100}),
        "packbits_one_bit_odd_width": (
            photo("1", (61, 33)),
            {"compression": "packbits", "strip_size": 40},
        ),
        "jpeg": (photo(), {"compression": "jpeg"}),
        "big_endian": (photo("I;16B"), {}),
        "big_endian_strips": (photo("I;16B"), {"strip_size": 1000}),
        "bigtiff": (photo(), {"big_tiff": True, "strip_size": 1024}),
        "multi_page": (photo(), {"save_all": True, "append_images": [photo("L"), photo("1")]}),
        "icc": (photo(), {"icc_profile": ICC, "compression": "tiff_adobe_deflate"}),
    }


@pytest.mark.parametrize("settings", list(tiff_settings()), ids=list(tiff_settings()))
def test_tiff_written_with_any_option_decodes(tmp_path: Path, settings: str) -> None:
    image, options = tiff_settings()[settings]
    decodes_as_pillow_does(tmp_path, "image.tif", encoded(image, "TIFF", **options))


def tiled_tiff(pixels: np.ndarray, tile: int, big_endian: bool) -> bytes:
    """An uncompressed RGB TIFF of `pixels` in `tile` x `tile` tiles, built by hand (Pillow
    writes strips alone): header, tiles, then the directory."""
    order = ">" if big_endian else "<"
    height, width = pixels.shape[:2]
    across, down = -(-width // tile), -(-height // tile)
    body, offsets = b"", []
    for row in range(down):
        for column in range(across):
            block = np.zeros((tile, tile, 3), np.uint8)
            part = pixels[row * tile : (row + 1) * tile, column * tile : (column + 1) * tile]
            block[: part.shape[0], : part.shape[1]] = part
            offsets.append(8 + len(body))
            body += block.tobytes()
    counts = [tile * tile * 3] * len(offsets)
    extra = 8 + len(body)
    arrays = struct.pack(f"{order}{len(offsets)}I", *offsets) + struct.pack(
        f"{order}{len(counts)}I", *counts
    )
    bits_at = extra + len(arrays)
    arrays += struct.pack(f"{order}3H", 8, 8, 8)
    ifd = extra + len(arrays)
    entries = [
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 3, bits_at),
        (259, 3, 1, 1),
        (262, 3, 1, 2),
        (277, 3, 1, 3),
        (284, 3, 1, 1),
        (322, 4, 1, tile),
        (323, 4, 1, tile),
        (324, 4, len(offsets), extra),
        (325, 4, len(counts), extra + 4 * len(offsets)),
    ]
    directory = struct.pack(f"{order}H", len(entries))
    for tag, kind, count, value in entries:
        if kind == 3 and count == 1:
            directory += struct.pack(f"{order}HHIHH", tag, kind, count, value, 0)
        else:
            directory += struct.pack(f"{order}HHII", tag, kind, count, value)
    directory += b"\0\0\0\0"
    head = (b"MM\0*" if big_endian else b"II*\0") + struct.pack(f"{order}I", ifd)
    return head + body + arrays + directory


@pytest.mark.parametrize("big_endian", [False, True], ids=["little", "big"])
def test_tiled_tiff_decodes_to_its_pixels(tmp_path: Path, big_endian: bool) -> None:
    pixels = smooth_rgb(50, 37, seed=2)
    path = tmp_path / "tiled.tif"
    path.write_bytes(tiled_tiff(pixels, 16, big_endian))
    assert np.array_equal(np.asarray(decode_image(path).convert("RGB")), pixels)


@pytest.mark.parametrize("big_endian", [False, True], ids=["little", "big"])
def test_tiled_tiff_cut_inside_its_tiles_is_truncated(tmp_path: Path, big_endian: bool) -> None:
    # The directory comes last here, so the cut file has none: its offset lies past the end.
    data = tiled_tiff(smooth_rgb(50, 37, seed=2), 16, big_endian)
    path = tmp_path / "tiled.tif"
    path.write_bytes(data[: 8 + 16 * 16 * 3 * 4 + 100])
    assert failure_of(path).status == "truncated"


def test_multi_strip_tiff_cut_in_its_strips_is_truncated(tmp_path: Path) -> None:
    data = encoded(photo(), "TIFF", strip_size=1024)
    path = tmp_path / "cut.tif"
    path.write_bytes(data[: len(data) // 2])
    assert failure_of(path).status == "truncated"


@pytest.mark.parametrize(
    "mode", ["1", "L", "P", "RGB"], ids=["one_bit", "grey", "palette", "colour"]
)
def test_pcx_of_any_mode_decodes(tmp_path: Path, mode: str) -> None:
    decodes_as_pillow_does(tmp_path, "image.pcx", encoded(photo(mode, (61, 33)), "PCX"))


@pytest.mark.parametrize(
    ("mode", "suffix"), [("1", "pbm"), ("L", "pgm"), ("RGB", "ppm"), ("I;16", "pgm")]
)
def test_pnm_of_any_mode_decodes(tmp_path: Path, mode: str, suffix: str) -> None:
    decodes_as_pillow_does(tmp_path, f"image.{suffix}", encoded(photo(mode, (21, 13)), "PPM"))


def test_ico_of_several_sizes_and_msp_decode(tmp_path: Path) -> None:
    decodes_as_pillow_does(
        tmp_path,
        "icon.ico",
        encoded(photo(size=(64, 64)), "ICO", sizes=[(16, 16), (32, 32), (64, 64)]),
    )
    decodes_as_pillow_does(tmp_path, "paint.msp", encoded(photo("1", (40, 24)), "MSP"))


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_jpeg_with_a_tem_marker_after_its_coded_data_decodes(
    tmp_path: Path, progressive: bool
) -> None:
    # TEM (0xFF 0x01), of no length, is no reserved code: libjpeg passes over it, as it does a
    # restart marker, and decodes every pixel.
    whole = encoded(photo(), "JPEG", progressive=progressive, restart_marker_rows=1)
    path = tmp_path / "tem.jpg"
    path.write_bytes(whole[:-2] + b"\xff\x01" + whole[-2:])
    with Image.open(io.BytesIO(whole)) as image:
        expected = np.asarray(image.convert("RGB"))
    assert np.array_equal(np.asarray(decode_image(path).convert("RGB")), expected)
