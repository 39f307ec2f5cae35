"""decode_image on damaged and unusual files of particular formats: each gets the status a user
would give it, and no pixel is decoded past the pixel limit."""

from __future__ import annotations

import base64
import io
import json
import struct
import tracemalloc
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin, features
from typer.testing import CliRunner

from tests.corpus import (
    NEEDS_PILLOW_13,
    apng,
    blocky_rgb,
    encoded,
    gif_image_descriptor,
    gif_on_wider_canvas,
    ico_32bit_without_alpha,
    ico_holding,
    png_chunk,
    png_declaring_size,
    rgb_psd,
    smooth_rgb,
    tiff_strips,
)
from tests.helpers import failure_of, pillow_decodes_at
from zsl_cli.cli import app
from zsl_cli.encoders.preprocess import FastPreprocessor
from zsl_cli.image_damage import PatchedFile, damaged_png_chunks
from zsl_cli.image_damage import jpeg as jpeg_damage
from zsl_cli.image_formats import FileView, ReadBudget, read_python_pixels_with_numpy
from zsl_cli.images import (
    FULL_SIZE_INFO,
    DecodeError,
    DecodeOptions,
    ImagePreparation,
    decode_image,
    pillow_settings,
)

SAMPLES = Path(__file__).resolve().parent.parent / "sample_images"


def icns_holding(code: bytes, picture: bytes) -> bytes:
    block = code + struct.pack(">I", 8 + len(picture)) + picture
    return b"icns" + struct.pack(">I", 8 + len(block)) + block


def dib_declaring_size(width: int, height: int) -> bytes:
    """The BITMAPINFOHEADER of a 24-bit icon bitmap of width x height (with its mask's rows
    counted in the height, as in an ICO) and a few bytes of pixels."""
    return struct.pack("<IiiHHIIiiII", 40, width, 2 * height, 1, 24, 0, 0, 0, 0, 0, 0) + bytes(16)


# The declared pictures hold a few bytes of data: decoding them would fail, so a too_large
# status (rather than truncated or decode_error) also shows that nothing was decoded.
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("png_inside.ico", ico_holding(png_declaring_size(2000, 1500))),
        ("bmp_inside.ico", ico_holding(dib_declaring_size(2000, 1500), bits=24)),
        ("png_inside.icns", icns_holding(b"ic08", png_declaring_size(2000, 1500))),
    ],
    ids=["png_in_ico", "bmp_in_ico", "png_in_icns"],
)
def test_icon_larger_than_the_limit_inside_is_too_large_undecoded(
    tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    error = failure_of(path, DecodeOptions(max_pixels=1_000_000))
    assert error.status == "too_large"
    assert "2000x1500" in error.reason


def test_icns_with_a_jpeg2000_picture_over_the_limit_is_too_large(tmp_path: Path) -> None:
    picture = encoded(Image.new("RGB", (1200, 1000)), "JPEG2000")
    path = tmp_path / "jpeg2000_inside.icns"
    path.write_bytes(icns_holding(b"ic09", picture))
    error = failure_of(path, DecodeOptions(max_pixels=1_000_000))
    assert (error.status, "1200x1000" in error.reason) == ("too_large", True)


def test_icons_within_the_limit_still_decode(tmp_path: Path) -> None:
    pixels = blocky_rgb(256, 256, seed=3)
    ico = tmp_path / "icon.ico"
    ico.write_bytes(encoded(Image.fromarray(pixels), "ICO", sizes=[(16, 16), (256, 256)]))
    assert decode_image(ico, DecodeOptions(max_pixels=256 * 256)).size == (256, 256)
    assert failure_of(ico, DecodeOptions(max_pixels=256 * 256 - 1)).status == "too_large"
    icns = tmp_path / "icon.icns"
    icns.write_bytes(encoded(Image.fromarray(pixels).convert("RGBA"), "ICNS"))
    # Pillow writes every ICNS size up to 1024x1024 (512x512 at twice the density).
    assert decode_image(icns, DecodeOptions(max_pixels=1024 * 1024)).size == (1024, 1024)


def test_ico_of_no_entries_says_it_holds_no_image(tmp_path: Path) -> None:
    data = bytearray(encoded(Image.new("RGB", (16, 16)), "ICO", sizes=[(16, 16)]))
    data[4:6] = b"\0\0"  # the count of entries in its directory
    path = tmp_path / "empty.ico"
    path.write_bytes(bytes(data))
    error = failure_of(path)
    assert error.status == "not_an_image"
    assert "lists no image" in error.reason


def bmp_of_width(width: int) -> bytes:
    data = bytearray(encoded(Image.new("RGB", (8, 8)), "BMP"))
    data[18:22] = struct.pack("<i", width)  # BITMAPINFOHEADER's width, a signed number
    return bytes(data)


@pytest.mark.parametrize("max_pixels", [DecodeOptions().max_pixels, 2**40])
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("negative.bmp", bmp_of_width(-8)),
        ("negative.png", png_declaring_size(2**32 - 8, 8)),
        ("negative_in.ico", ico_holding(dib_declaring_size(-8, 8), bits=24)),
    ],
    ids=["bmp", "png", "bmp_in_ico"],
)
def test_width_of_a_negative_number_read_unsigned_is_a_damaged_header_not_too_large(
    tmp_path: Path, name: str, data: bytes, max_pixels: int
) -> None:
    # Pillow reads these widths unsigned: -8 is 4,294,967,288, which no image is (Pillow holds
    # sizes below 2**31), so raising --max-pixels could never help.
    path = tmp_path / name
    path.write_bytes(data)
    with pillow_settings(max_pixels):
        error = failure_of(path, DecodeOptions(max_pixels=max_pixels))
    assert error.status == "not_an_image"
    assert "-8" in error.reason and "damaged header" in error.reason
    assert "--max-pixels" not in error.reason


# blocky_rgb(48, 32, seed=11) saved by Pillow at quality 90, then recoded by
# `jpegtran -arithmetic -copy none` (Pillow writes no arithmetic-coded JPEGs).
ARITHMETIC_JPEG = base64.b64decode(
    """
/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4R
DgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU
FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/yQARCAAgADADASIAAhEBAxEB/8wACgAQEAUBEBEF/9oADAMBAAIR
AxEAPwDSjfA6H5G68U4Xd8Lh8On88jJcEfTUlNi07UnbmbZRE4TAocFgiGgqyATlqufXysEAf0BkjS4hNg5zW8l/
GURm81bRMNscsJMlQhPgoZWLbBrw8Im7C4yhYtBxpvnbSLngx9JuOJaps203scMZwSm+379sToOT5BWIMCormlgw
6W1U/UPesc+T3OaXIZWKLWT79gvauJottB0vRkKweG0jQPHwFRjyqpv1ji0hD3usHf8AmrtK7EcnZrYA5yypjPb/
2Q==
"""
)


def test_arithmetic_jpeg_over_64_kb_decodes(tmp_path: Path) -> None:
    # A comment after SOI moves the scan across byte 65,536, where Pillow's 64 KB read blocks
    # meet: libjpeg's arithmetic decoder cannot wait there for the next block.
    scan = ARITHMETIC_JPEG.index(b"\xff\xda")
    length = 65_536 - scan - 60
    comment = b"\xff\xfe" + struct.pack(">H", length) + bytes(length - 2)
    small, large = tmp_path / "small.jpg", tmp_path / "large.jpg"
    small.write_bytes(ARITHMETIC_JPEG)
    large.write_bytes(ARITHMETIC_JPEG[:2] + comment + ARITHMETIC_JPEG[2:])
    expected = np.asarray(decode_image(small))
    assert expected.shape == (32, 48, 3)
    np.testing.assert_array_equal(np.asarray(decode_image(large)), expected)
    drafted = decode_image(large, DecodeOptions(draft=(12, 8)))
    assert drafted.size == (12, 8)


@pytest.mark.parametrize("kept", [0.6, 0.9, 0.99])
def test_arithmetic_jpeg_cut_short_is_truncated(tmp_path: Path, kept: float) -> None:
    path = tmp_path / "cut.jpg"
    path.write_bytes(ARITHMETIC_JPEG[: int(len(ARITHMETIC_JPEG) * kept)])
    assert failure_of(path).status == "truncated"


def top_level_boxes(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, type) of an ISO base media file's top-level boxes (32-bit sizes)."""
    boxes, offset = [], 0
    while offset < len(data):
        boxes.append((offset, data[offset + 4 : offset + 8]))
        offset += int.from_bytes(data[offset : offset + 4], "big")
    return boxes


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF support")
def test_avif_cut_between_its_boxes_is_truncated(tmp_path: Path) -> None:
    avif = encoded(Image.fromarray(blocky_rgb(32, 24, seed=2)), "AVIF")
    boxes = top_level_boxes(avif)
    assert [kind for _, kind in boxes] == [b"ftyp", b"meta", b"mdat"]
    for offset, kind in boxes[1:]:
        path = tmp_path / f"before_{kind.decode()}.avif"
        path.write_bytes(avif[:offset])
        assert failure_of(path).status == "truncated", kind
    # Its "mdat" box said to run to the end of the file: the pictures "iloc" places past it.
    mdat = boxes[2][0]
    to_the_end = avif[:mdat] + bytes(4) + avif[mdat + 4 : -10]
    path = tmp_path / "mdat_to_the_end.avif"
    path.write_bytes(to_the_end)
    assert failure_of(path).status == "truncated"


def test_video_in_boxes_is_not_called_a_cut_image(tmp_path: Path) -> None:
    ftyp = b"ftypisom" + bytes(4) + b"isomiso2mp41"
    moov = b"moov" + bytes(24)
    path = tmp_path / "clip.avif"
    path.write_bytes(b"".join(struct.pack(">I", 4 + len(box)) + box for box in (ftyp, moov)))
    assert failure_of(path).status == "not_an_image"


def png_with_chunk(png: bytes, kind: bytes, data: bytes, checksum_change: int) -> bytes:
    """`png` with a chunk added after IHDR, its checksum off by `checksum_change`."""
    checksum = (zlib.crc32(kind + data) + checksum_change) & 0xFFFFFFFF
    chunk = struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)
    return png[:33] + chunk + png[33:]


DAMAGED_TEXT = png_chunk(b"tEXt", b"Comment\0hello")[:-1] + b"?"  # its checksum's last byte


def test_png_with_a_damaged_ancillary_chunk_decodes_without_it(tmp_path: Path) -> None:
    pixels = blocky_rgb(16, 12, seed=4)
    png = encoded(Image.fromarray(pixels), "PNG")
    for kind, data in [(b"tEXt", b"Comment\0hello"), (b"gAMA", struct.pack(">I", 45455))]:
        path = tmp_path / f"{kind.decode()}.png"
        path.write_bytes(png_with_chunk(png, kind, data, checksum_change=1))
        np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    # A damaged tRNS is dropped as a whole: no colour turns white.
    black = np.zeros((12, 16, 3), np.uint8)
    path = tmp_path / "tRNS.png"
    path.write_bytes(png_with_chunk(encoded(Image.fromarray(black), "PNG"), b"tRNS", bytes(6), 1))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), black)
    path.write_bytes(png_with_chunk(encoded(Image.fromarray(black), "PNG"), b"tRNS", bytes(6), 0))
    assert np.asarray(decode_image(path)).min() == 255  # the same chunk, intact


def test_png_with_a_damaged_critical_chunk_is_refused(tmp_path: Path) -> None:
    png = bytearray(encoded(Image.fromarray(blocky_rgb(16, 12, seed=4)), "PNG"))
    png[29] ^= 1  # IHDR's checksum
    path = tmp_path / "ihdr.png"
    path.write_bytes(bytes(png))
    error = failure_of(path)
    assert (error.status, "IHDR" in error.reason) == ("not_an_image", True)


class CountedPatches(Mapping[int, bytes]):
    """Patches for a PatchedFile that count each look at one of them."""

    def __init__(self, patches: dict[int, bytes]) -> None:
        self.patches, self.looks = patches, 0

    def __getitem__(self, at: int) -> bytes:
        self.looks += 1
        return self.patches[at]

    def __iter__(self) -> Iterator[int]:
        for at in self.patches:
            self.looks += 1
            yield at

    def __len__(self) -> int:
        return len(self.patches)


def test_png_read_through_patches_looks_only_at_those_each_read_meets(tmp_path: Path) -> None:
    # Pillow reads a PNG chunk by chunk, and each read went through every patch: a 600 KB PNG of
    # 499 damaged chunks and 50,000 empty ones took 11 s to decode.
    pixels = blocky_rgb(16, 12, seed=4)
    png = encoded(Image.fromarray(pixels), "PNG")
    idat = png.index(b"IDAT") - 4
    data = png[:idat] + (DAMAGED_TEXT + png_chunk(b"zsLy", b"") * 10) * 100 + png[idat:]
    file = io.BytesIO(data)
    patches = CountedPatches(damaged_png_chunks(file, len(data)))
    assert len(patches) == 200
    with Image.open(FileView(PatchedFile(file, patches)), formats=["PNG"]) as image:
        np.testing.assert_array_equal(np.asarray(image.convert("RGB")), pixels)
    assert patches.looks <= 5 * len(patches)  # some 2,300 reads looked 920,000 times


ICC_PROFILE = png_chunk(b"iCCP", b"first\0\0" + zlib.compress(bytes(1000)))
ICC_BOMBS = png_chunk(b"iCCP", b"bomb\0\0" + zlib.compress(bytes(1_000_000))) * 3


def counted_inflations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of what Pillow inflates from a PNG's compressed chunks, from now on."""
    inflated: list[int] = []
    inflate = PngImagePlugin._safe_zlib_decompress

    def counted(data: bytes) -> bytes:
        inflated.append(len(plain := inflate(data)))
        return plain

    monkeypatch.setattr(PngImagePlugin, "_safe_zlib_decompress", counted)
    return inflated


def test_png_inflates_only_its_first_icc_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The spec allows one iCCP chunk, yet Pillow inflated each, wherever it lay, and counted none
    # against its bound on a file's text: 50 of 64 KB that inflate to 63 MB each took 10 s.
    inflated = counted_inflations(monkeypatch)
    profile, bombs = ICC_PROFILE, ICC_BOMBS
    pixels = blocky_rgb(16, 12, seed=4)
    png = encoded(Image.fromarray(pixels), "PNG")
    idat, iend = png.index(b"IDAT") - 4, png.index(b"IEND") - 4
    before = png[:idat] + profile + bombs + png[idat:]
    files = {
        "before_pixels.png": before,
        "after_pixels.png": png[:idat] + profile + png[idat:iend] + bombs + png[iend:],
        "with_damage.png": before[: idat + len(profile + bombs)] + DAMAGED_TEXT + png[idat:],
    }
    for name, data in files.items():
        inflated.clear()
        path = tmp_path / name
        path.write_bytes(data)
        np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
        assert inflated and set(inflated) == {1000}, name  # the first profile alone
    # An APNG's between its default image and the first frame shown.
    default = np.full((2, 4, 4), 255, np.uint8)
    frame = np.zeros((2, 2, 4), np.uint8)
    frame[:, 0] = [0, 0, 255, 255]
    animated = apng(default, frame, left=1, default_in_animation=False)
    fctl = animated.index(b"fcTL") - 4
    inflated.clear()
    path = tmp_path / "animated.png"
    path.write_bytes(animated[:fctl] + bombs + animated[fctl:])
    row = [[255, 255, 255], [0, 0, 255], [255, 255, 255], [255, 255, 255]]
    assert np.asarray(decode_image(path)).tolist() == [row, row]
    assert inflated == []


@pytest.mark.parametrize("holder", ["ico", "icns"])
def test_icon_png_inflates_only_its_first_icc_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, holder: str
) -> None:
    # Pillow reads an icon's PNG picture from the icon's own file: its extra profiles were all
    # inflated, those before the pixel data twice (the size check opened the picture too), and
    # those after it within Image.open (ICO), out of reach of the skip an opened PNG gets.
    inflated = counted_inflations(monkeypatch)
    profile, bombs = ICC_PROFILE, ICC_BOMBS
    pixels = blocky_rgb(16, 16, seed=4)
    png = encoded(Image.fromarray(pixels).convert("RGBA"), "PNG")
    idat, iend = png.index(b"IDAT") - 4, png.index(b"IEND") - 4
    pictures = {
        "before_pixels": png[:idat] + profile + bombs + png[idat:],
        "after_pixels": png[:idat] + profile + png[idat:iend] + bombs + png[iend:],
    }
    for name, picture in pictures.items():
        inflated.clear()
        path = tmp_path / f"{name}.{holder}"
        held = ico_holding(picture) if holder == "ico" else icns_holding(b"icp4", picture)
        path.write_bytes(held)
        np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
        assert inflated and set(inflated) == {1000}, name  # the first profile alone


@pytest.mark.parametrize("mode", ["RGB", "P"])
def test_tga_cut_inside_its_header_is_a_truncated_tga(tmp_path: Path, mode: str) -> None:
    # An RGB Targa file starts with the bytes of a cursor (CUR) signature.
    tga = encoded(Image.fromarray(blocky_rgb(16, 12, seed=1)).convert(mode), "TGA")
    for cut in (3, 8, 12, 17):
        path = tmp_path / f"cut_{cut}.tga"
        path.write_bytes(tga[:cut])
        assert failure_of(path).status == "truncated", cut


def test_tga_header_pillow_refuses_is_named_as_tga(tmp_path: Path) -> None:
    tga = bytearray(encoded(Image.fromarray(blocky_rgb(16, 12, seed=1)).convert("P"), "TGA"))
    tga[7] = 15  # a colour map depth Pillow does not read
    path = tmp_path / "map_depth.tga"
    path.write_bytes(bytes(tga))
    error = failure_of(path)
    assert (error.status, error.reason.split(",")[0]) == ("not_an_image", "TGA header")


def half_transparent() -> Image.Image:
    """Coloured blocks whose alpha runs from 0 to 255 across the image."""
    rgba = np.dstack([blocky_rgb(16, 12, seed=8), np.tile(np.arange(0, 256, 17), (12, 1))])
    return Image.fromarray(rgba.astype(np.uint8), "RGBA")


@pytest.mark.parametrize("file_format", ["BMP", "TGA"])
def test_transparent_bmp_and_tga_are_on_white_as_png_is(tmp_path: Path, file_format: str) -> None:
    # Pillow writes a 32-bit BMP's alpha in the byte that format calls unused (BI_RGB).
    png, other = tmp_path / "a.png", tmp_path / f"a.{file_format.lower()}"
    png.write_bytes(encoded(half_transparent(), "PNG"))
    other.write_bytes(encoded(half_transparent(), file_format))
    expected = np.asarray(decode_image(png))
    assert expected[:, 0].min() == 255  # the first column is see-through
    np.testing.assert_array_equal(np.asarray(decode_image(other)), expected)


@pytest.mark.parametrize("file_format", ["BMP", "TGA"])
def test_bmp_and_tga_with_zero_alpha_everywhere_are_opaque(
    tmp_path: Path, file_format: str
) -> None:
    pixels = blocky_rgb(16, 12, seed=9)
    zero_alpha = Image.fromarray(np.dstack([pixels, np.zeros((12, 16), np.uint8)]), "RGBA")
    path = tmp_path / f"zero_alpha.{file_format.lower()}"
    path.write_bytes(encoded(zero_alpha, file_format))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


def test_tiff_cut_inside_its_directory_is_truncated(tmp_path: Path) -> None:
    # libtiff (Pillow's writer for compressed TIFFs) puts the directory after the pixels.
    pixels = np.random.default_rng(6).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    tiff = encoded(Image.fromarray(pixels), "TIFF", compression="jpeg")
    directory = struct.unpack("<I", tiff[4:8])[0]
    assert directory > len(tiff) // 2
    for cut in (directory + 5, len(tiff) - 40, len(tiff) - 4):
        path = tmp_path / f"cut_{cut}.tif"
        path.write_bytes(tiff[:cut])
        assert failure_of(path).status == "truncated", cut


def test_tiff_whose_directory_offset_is_damaged_is_not_called_cut(tmp_path: Path) -> None:
    pixels = np.random.default_rng(5).integers(0, 256, (32, 48, 3), dtype=np.uint8)
    tiff = encoded(Image.fromarray(pixels), "TIFF")  # directory first, then raw pixels
    for offset in (1000, 4001):
        path = tmp_path / f"directory_at_{offset}.tif"
        path.write_bytes(tiff[:4] + struct.pack("<I", offset) + tiff[8:])
        error = failure_of(path)
        assert (error.status, "damaged" in error.reason) == ("not_an_image", True), offset
    # A directory past the end is where a cut libtiff file leaves it, with pixels after its
    # header (test_damaged_tiff); this one's directory follows its header, whole.
    path = tmp_path / "directory_past_the_end.tif"
    path.write_bytes(tiff[:4] + struct.pack("<I", len(tiff) + 100) + tiff[8:])
    error = failure_of(path)
    assert (error.status, "damaged offset, not a cut" in error.reason) == ("not_an_image", True)


def tga16(pixels: list[int], width: int, alpha_bits: int) -> bytes:
    """An uncompressed true-colour Targa file of 16-bit pixels (A1R5G5B5), top row first, whose
    header gives them `alpha_bits` alpha bits."""
    height = len(pixels) // width
    header = struct.pack("<BBBHHBHHHHBB", 0, 0, 2, 0, 0, 0, 0, 0, width, height, 16, 0x20)
    header = header[:17] + bytes([0x20 | alpha_bits])
    return header + struct.pack(f"<{len(pixels)}H", *pixels)


@pytest.mark.parametrize("alpha_bits", [0, 1])
def test_16bit_tga_top_bit_is_alpha_only_where_its_header_says_so(
    tmp_path: Path, alpha_bits: int
) -> None:
    # ImageMagick and GIMP read the top bit as alpha (set: see-through) only when the header
    # gives the pixels an alpha bit; Pillow always does. Writers that mean no alpha leave that
    # bit as they please, here on some pixels.
    colours = [int(value) for value in np.random.default_rng(2).integers(0, 0x8000, 48)]
    marked = [colour | 0x8000 if index % 3 == 0 else colour for index, colour in enumerate(colours)]
    clear, marked_path = tmp_path / "clear.tga", tmp_path / "marked.tga"
    clear.write_bytes(tga16(colours, 8, alpha_bits))
    marked_path.write_bytes(tga16(marked, 8, alpha_bits))
    expected = np.asarray(decode_image(clear)).reshape(-1, 3).copy()
    assert len(np.unique(expected, axis=0)) > 40  # colours, not white
    if alpha_bits:
        expected[::3] = 255  # see-through pixels on white
    np.testing.assert_array_equal(np.asarray(decode_image(marked_path)).reshape(-1, 3), expected)


def test_16bit_tga_colour_map_without_alpha_bits_is_opaque(tmp_path: Path) -> None:
    colour_map = [0x7C00 | 0x8000, 0x03E0, 0x001F | 0x8000, 0x7FFF]  # red, green, blue, white
    header = struct.pack("<BBBHHBHHHHBB", 0, 1, 1, 0, 4, 16, 0, 0, 2, 2, 8, 0x20)
    path = tmp_path / "mapped.tga"
    path.write_bytes(header + struct.pack("<4H", *colour_map) + bytes([0, 1, 2, 3]))
    expected = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]]
    assert np.asarray(decode_image(path)).reshape(-1, 3).tolist() == expected


@pytest.mark.parametrize(
    ("size", "file_format"),
    [((300, 300), "PNG"), ((100, 100), "PNG"), ((256, 200), "PNG"), ((300, 200), "JPEG2000")],
)
def test_icns_picture_of_another_size_than_its_slot_decodes_at_its_own(
    tmp_path: Path, size: tuple[int, int], file_format: str
) -> None:
    # As an ICO's picture does (Pillow's ICNS reader refused it: "not one of the allowed sizes");
    # the pixel limit applies to the picture's own size.
    pixels = blocky_rgb(*size, seed=5)
    path = tmp_path / "slot_256.icns"
    path.write_bytes(icns_holding(b"ic08", encoded(Image.fromarray(pixels), file_format)))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    limit = DecodeOptions(max_pixels=size[0] * size[1] - 1)
    assert failure_of(path, limit).status == "too_large"


@NEEDS_PILLOW_13
def test_jpeg_cut_between_its_frame_header_and_its_first_scan_is_truncated(
    tmp_path: Path,
) -> None:
    # Pillow opens it, having read the image's size, and then finds no scan to decode.
    jpeg = encoded(Image.fromarray(blocky_rgb(32, 24, seed=2)), "JPEG")
    frame, scan = jpeg.index(b"\xff\xc0"), jpeg.index(b"\xff\xda")
    markers = [at for at in range(frame + 1, scan + 1) if jpeg[at] == 0xFF]
    for cut in [at + extra for at in markers for extra in (0, 1, 2)]:
        path = tmp_path / f"cut_{cut}.jpg"
        path.write_bytes(jpeg[:cut])
        assert failure_of(path).status == "truncated", cut
    # Given its end marker there, it was not cut: it holds no pixels (Pillow: "cannot load
    # this image").
    path = tmp_path / "no_scan.jpg"
    path.write_bytes(jpeg[:scan] + b"\xff\xd9")
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "end marker comes before any scan" in error.reason


def gif_image_data(gif: bytes) -> int:
    """Where a GIF's first image data starts (its LZW code size byte)."""
    flags = gif[10]
    at = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)  # past the global colour table
    while gif[at] == 0x21:  # extension blocks: a label, then sub-blocks to an empty one
        at += 2
        while gif[at]:
            at += 1 + gif[at]
        at += 1
    assert gif[at] == 0x2C, "an image descriptor"
    local = gif[at + 9]
    return at + 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0)


def damaged_inside(file_format: str) -> bytes:
    """A whole file of `file_format` (it ends as one does) whose damage inside makes Pillow read
    past its end: a GIF's second sub-block of pixels said to be empty, so the pixels end early;
    a JPEG comment said to be 2 KB long in a 1 KB file; a BMP's pixels said to start 100 bytes
    before its end (it has no end marker: its header gives its length)."""
    image = Image.fromarray(blocky_rgb(64, 48, seed=1))
    data = bytearray(encoded(image, file_format, comment=b"hello"))
    if file_format == "BMP":
        data[10:14] = struct.pack("<I", len(data) - 100)
    elif file_format == "GIF":
        start = gif_image_data(bytes(data))
        data[start + 2 + data[start + 1]] = 0
    else:
        comment = data.index(b"\xff\xfe")
        data[comment + 2 : comment + 4] = struct.pack(">H", 2048)
    return bytes(data)


@pytest.mark.parametrize("file_format", ["GIF", "JPEG", "BMP"])
def test_whole_file_damaged_inside_is_a_decode_error_not_truncated(
    tmp_path: Path, file_format: str
) -> None:
    # Pillow says "image file is truncated" of both; yet a file of its full length, ending as a
    # whole one does, was not cut short (re-copying it would not help).
    data = damaged_inside(file_format)
    path = tmp_path / f"damaged.{file_format.lower()}"
    path.write_bytes(data)
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "not cut short" in error.reason
    cut = tmp_path / f"cut.{file_format.lower()}"
    cut.write_bytes(data[: len(data) * 3 // 4])
    assert failure_of(cut).status == "truncated"


def flat_qoi(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """A QOI of one colour, as its encoders write it (built here: Pillow writes QOI from 11.3 on):
    the header, the colour (QOI_OP_RGB), runs of the longest length (62, QOI_OP_RUN 0xFD) and
    what is left, and the end marker."""
    runs, left = divmod(width * height - 1, 62)
    data = b"\xfe" + bytes(colour) + b"\xfd" * runs + (bytes([0xC0 + left - 1]) if left else b"")
    header = b"qoif" + struct.pack(">IIBB", width, height, 3, 0)
    return header + data + QOI_END


QOI_END = b"\x00" * 7 + b"\x01"


@NEEDS_PILLOW_13
def test_whole_qoi_damaged_inside_is_a_decode_error_not_truncated(tmp_path: Path) -> None:
    # Its first run of 62 pixels made a run of 1: the data runs out before the image ends (Pillow:
    # "not enough image data"), yet the file, of its full length, ends with QOI's end marker.
    data = flat_qoi(64, 48, (200, 120, 40))
    path = tmp_path / "flat.qoi"
    path.write_bytes(data)
    assert np.asarray(decode_image(path)).reshape(-1, 3).tolist() == [[200, 120, 40]] * 64 * 48
    damaged = data.replace(b"\xfd", b"\xc0", 1)
    path.write_bytes(damaged)
    error = failure_of(path)
    assert error.status == "decode_error"
    assert error.reason.endswith(
        "the file ends with the QOI end marker (damaged inside, not cut short)"
    )
    path.write_bytes(data[: len(data) - 20])
    assert failure_of(path).status == "truncated"


@pytest.mark.skipif(not features.check("jpg_2000"), reason="this Pillow has no JPEG 2000 support")
@pytest.mark.parametrize(
    "settings",
    [{}, {"no_jp2": True}, {"tile_size": (32, 32)}, {"tile_size": (32, 32), "no_jp2": True}],
)
def test_jpeg_2000_cut_just_inside_a_tile_part_is_truncated(
    tmp_path: Path, settings: dict[str, object]
) -> None:
    # OpenJPEG decodes a codestream that ends just after a tile-part's first marker (SOT) without
    # a word, the tiles it lacks black: its end marker (EOC) is missing, in a .jp2 its box's
    # length runs past the file's end.
    pixels = blocky_rgb(70, 50, seed=2)
    data = encoded(Image.fromarray(pixels), "JPEG2000", **settings)
    path = tmp_path / "picture.jp2"
    path.write_bytes(data)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    tile_parts = [at for at in range(len(data) - 1) if data[at : at + 2] == b"\xff\x90"]
    assert len(tile_parts) == (6 if "tile_size" in settings else 1)
    for at in tile_parts:
        path.write_bytes(data[: at + 2])
        assert failure_of(path).status == "truncated", at


@pytest.mark.skipif(not features.check("jpg_2000"), reason="this Pillow has no JPEG 2000 support")
def test_jp2_whose_codestream_box_runs_to_the_end_is_checked_for_its_end_marker(
    tmp_path: Path,
) -> None:
    # A box of length 0 runs to the file's end, so no length says the file was cut short.
    pixels = blocky_rgb(70, 50, seed=3)
    data = encoded(Image.fromarray(pixels), "JPEG2000", tile_size=(32, 32))
    box = data.index(b"jp2c") - 4
    data = data[:box] + bytes(4) + data[box + 4 :]
    path = tmp_path / "picture.jp2"
    path.write_bytes(data)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    tile_parts = [at for at in range(box, len(data) - 1) if data[at : at + 2] == b"\xff\x90"]
    for at in tile_parts:
        path.write_bytes(data[: at + 2])
        assert failure_of(path).status == "truncated", at


@pytest.mark.skipif(not features.check("jpg_2000"), reason="this Pillow has no JPEG 2000 support")
@pytest.mark.parametrize("padding", [b"\x00", b"\r\n"])
def test_whole_j2k_padded_after_its_end_marker_is_ok(tmp_path: Path, padding: bytes) -> None:
    # DICOM pads a codestream to an even length with a NUL; decoders read past it.
    pixels = blocky_rgb(70, 50, seed=4)
    path = tmp_path / "picture.j2k"
    path.write_bytes(encoded(Image.fromarray(pixels), "JPEG2000", no_jp2=True) + padding)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


# DICOM pads to an even length with a NUL, other writers to a block, or add a line ending.
JPEG_2000_PADDINGS = [
    filler * count for filler in (b"\x00", b" ") for count in (1, 7, 8, 15, 16, 17, 100, 5000)
] + [b"\r\n" * count for count in (1, 4, 8, 50, 2500)]


def jpeg_2000_file(pixels: np.ndarray, layout: str) -> bytes:
    """A bare codestream (.j2k), or a .jp2 whose codestream box has its length or runs (length
    0) to the end; in 32x32 tiles, so that a cut can fall in any of several tile-parts."""
    data = encoded(Image.fromarray(pixels), "JPEG2000", tile_size=(32, 32), no_jp2=layout == "j2k")
    if layout == "jp2_to_the_end":
        box = data.index(b"jp2c") - 4
        data = data[:box] + bytes(4) + data[box + 4 :]
    return data


@pytest.mark.skipif(not features.check("jpg_2000"), reason="this Pillow has no JPEG 2000 support")
@pytest.mark.parametrize("layout", ["j2k", "jp2", "jp2_to_the_end"])
def test_whole_jpeg_2000_with_any_padding_after_it_is_ok(tmp_path: Path, layout: str) -> None:
    # A .jp2 took 1-7 bytes after its last box for a box header cut short, and 8 spaces or more
    # for a box running past the end; a codestream's end marker was looked for in its last 16.
    pixels = blocky_rgb(70, 50, seed=5)
    data = jpeg_2000_file(pixels, layout)
    path = tmp_path / ("picture.j2k" if layout == "j2k" else "picture.jp2")
    for padding in JPEG_2000_PADDINGS:
        path.write_bytes(data + padding)
        np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels, err_msg=padding[:4])


@pytest.mark.skipif(not features.check("jpg_2000"), reason="this Pillow has no JPEG 2000 support")
@pytest.mark.parametrize("layout", ["j2k", "jp2", "jp2_to_the_end"])
def test_jpeg_2000_cut_and_padded_is_still_truncated(tmp_path: Path, layout: str) -> None:
    # Padding passes only after the end marker: a copy that wrote the file's full size leaves
    # NULs after the cut, also inside a .jp2's codestream box, whose length is then no help.
    data = jpeg_2000_file(blocky_rgb(70, 50, seed=6), layout)
    path = tmp_path / ("picture.j2k" if layout == "j2k" else "picture.jp2")
    tile_parts = [at for at in range(len(data) - 1) if data[at : at + 2] == b"\xff\x90"]
    # Just inside each tile-part (OpenJPEG decodes the tiles after it black), or just before
    # the end marker.
    for cut in [at + 2 for at in tile_parts] + [len(data) - 2]:
        for padding in (b"\x00" * 100, b" " * 17, b"\r\n", bytes(len(data) - cut)):
            path.write_bytes(data[:cut] + padding)
            assert failure_of(path).status == "truncated", (cut, padding[:4])


@pytest.mark.skipif(not features.check("jpg_2000"), reason="this Pillow has no JPEG 2000 support")
def test_jpeg_2000_with_other_bytes_after_its_end(tmp_path: Path) -> None:
    pixels = blocky_rgb(70, 50, seed=7)
    jp2, j2k = jpeg_2000_file(pixels, "jp2"), jpeg_2000_file(pixels, "j2k")
    path = tmp_path / "picture.jp2"
    # After a .jp2's whole codestream box, bytes OpenJPEG reads past change no pixel: a trailing
    # box cut short, or text.
    xml = b"<xml>" + b"x" * 200 + b"</xml>"
    for trailing in ((len(xml) + 8).to_bytes(4, "big") + b"xml " + xml[:50], b"hello world"):
        path.write_bytes(jp2 + trailing)
        np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    # A second copy of its signature box's header runs past the end, as a box cut short does,
    # and OpenJPEG refuses it: truncated, as a .jp2 cut inside a trailing box.
    path.write_bytes(jp2 + jp2[:8])
    assert failure_of(path).status == "truncated"
    # A bare codestream ends at its end marker too, where its tile-parts' lengths place it
    # (tests/test_images_jpeg2000_pcx_ends.py): bytes after it are no part of the image.
    path = tmp_path / "picture.j2k"
    path.write_bytes(j2k + b"hello world")
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    path.write_bytes(j2k[:-2] + b"hello world")
    assert failure_of(path).status == "truncated"


def with_repeated_scan(jpeg: bytes, copies: int) -> bytes:
    """A progressive JPEG with its first AC scan repeated `copies` more times: libjpeg warns of a
    bogus progression and makes each copy a pass over every block of the image."""
    scan = jpeg.index(b"\xff\xda\x00\x08\x01\x01\x00\x06\x3f\x02")  # grey, AC 6-63, point 2
    end = jpeg.index(b"\xff", scan + 10)
    while jpeg[end + 1] == 0:  # 0xFF 0x00 is a coded 0xFF, not a marker
        end = jpeg.index(b"\xff", end + 2)
    return jpeg[:end] + jpeg[scan:end] * copies + jpeg[end:]


def test_progressive_jpeg_of_too_many_scans_is_not_decoded(tmp_path: Path) -> None:
    # 100,000 such scans (1.6 MB) of a 2048x2048 image kept libjpeg busy for two minutes.
    jpeg = encoded(Image.new("L", (64, 64), 128), "JPEG", progressive=True)
    assert jpeg.count(b"\xff\xda") == 6
    path = tmp_path / "scans.jpg"
    path.write_bytes(with_repeated_scan(jpeg, 500 - 6))
    assert decode_image(path).size == (64, 64)
    path.write_bytes(with_repeated_scan(jpeg, 500 - 5))
    error = failure_of(path)
    assert (error.status, "over 500 scans" in error.reason) == ("decode_error", True)
    # Scan markers' bytes inside a segment (a comment between scans, here also holding the end
    # marker's) or after the image's end (a phone's video) are no scans.
    comment = b"\xff\xfe\x04\x02" + b"\xff\xd9\xff\xda" * 256
    first_scan = jpeg.index(b"\xff\xda")
    path.write_bytes(jpeg[:first_scan] + comment + jpeg[first_scan:] + b"\xff\xda" * 1000)
    assert decode_image(path).size == (64, 64)
    cut = with_repeated_scan(jpeg, 500 - 5)
    path.write_bytes(cut[:first_scan] + comment + cut[first_scan:])
    assert failure_of(path).status == "decode_error"


@pytest.mark.parametrize(
    ("before", "where"),
    [
        (b"\x00", "frame"),  # a byte that is no marker: libjpeg skips it, and warns
        (b"\xff\x00", "frame"),  # a coded 0xFF outside a scan: skipped too
        (b"\xff\xd0", "frame"),  # a restart marker outside a scan: one without a length
        (b"\xff\xfe\x00\x00", "frame"),  # a comment whose length (0) is less than its own 2
        (b"\xff\xe1\x00\x01", "frame"),  # an APP1 of length 1, as libjpeg skips it
        (b"\xff\xfe\x00\x00", "second scan"),
    ],
)
def test_progressive_jpeg_of_too_many_scans_is_not_decoded_whatever_lies_between_markers(
    tmp_path: Path, before: bytes, where: str
) -> None:
    # libjpeg reads past such damage (Pillow too, before the first scan): the frame marker and
    # the scans after it are the same, and so is the time the scans take.
    jpeg = encoded(Image.new("L", (64, 64), 128), "JPEG", progressive=True)

    def damaged(data: bytes) -> bytes:
        first_scan = data.index(b"\xff\xda")
        at = (
            data.index(b"\xff\xc2") if where == "frame" else data.index(b"\xff\xda", first_scan + 2)
        )
        return data[:at] + before + data[at:]

    path = tmp_path / "scans.jpg"
    path.write_bytes(damaged(with_repeated_scan(jpeg, 10)))
    assert decode_image(path).size == (64, 64)
    path.write_bytes(damaged(with_repeated_scan(jpeg, 500 - 5)))
    assert failure_of(path).status == "decode_error"


# Image.new("RGB", (16, 16), (200, 120, 40)) saved by Pillow at quality 90, then recoded by
# `jpegtran -arithmetic -copy none -scans` with the script "0;1;2;": a scan per component.
ARITHMETIC_SCANS_JPEG = base64.b64decode(
    """
/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4R
DgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU
FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/yQARCAAQABADASIAAhEBAxEB/8wABgAQEAX/2gAIAQEAAD8A0czA
/8wABgEQEQX/2gAIAQIRAD8A/wDZaP/MAAYBEBEF/9oACAEDEQA/ANK5wP/Z
"""
)


def test_arithmetic_coded_jpeg_of_too_many_scans_is_not_decoded(tmp_path: Path) -> None:
    # Not progressive, but a scan that codes nothing is as short: arithmetic coding spends next
    # to no bits on what it has come to expect. A 2048x2048 grey one with its second scan
    # repeated 10,000 times (210 KB) took 5 s to decode.
    jpeg = ARITHMETIC_SCANS_JPEG
    second = jpeg.index(b"\xff\xcc", jpeg.index(b"\xff\xda"))  # its DAC, then its SOS
    end = jpeg.index(b"\xff\xcc", second + 2)
    path = tmp_path / "scans.jpg"
    path.write_bytes(jpeg[:end] + jpeg[second:end] * (500 - 3) + jpeg[end:])
    expected = np.asarray(decode_image(path))
    assert expected.shape == (16, 16, 3)
    path.write_bytes(jpeg)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), expected)
    path.write_bytes(jpeg[:end] + jpeg[second:end] * (500 - 2) + jpeg[end:])
    error = failure_of(path)
    assert (error.status, "over 500 scans" in error.reason) == ("decode_error", True)


def test_progressive_jpeg_scans_are_counted_without_reading_what_follows_the_image(
    tmp_path: Path,
) -> None:
    # What follows the image (a phone's video, in a motion photo) was read whole to count the
    # scans: a progressive JPEG followed by 1.5 GB held a decode worker for 70 s and 3 GB.
    jpeg = encoded(Image.new("L", (64, 64), 128), "JPEG", progressive=True)
    path = tmp_path / "motion.jpg"
    path.write_bytes(jpeg)
    with path.open("r+b") as file:
        file.truncate(64 * 1024 * 1024)  # zeros, not written out
    decode_image(path)  # Pillow's plugins are imported once, on the first call
    tracemalloc.start()
    try:
        assert decode_image(path).size == (64, 64)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


@pytest.mark.parametrize("block", [*range(1, 9), 1 << 20])
def test_jpeg_scans_are_counted_alike_whatever_block_ends_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    # The file is read a block at a time: a marker, its fill bytes or its length cut by a
    # block's end, a segment skipped past one, and one ending in 0xFF before a marker.
    monkeypatch.setattr(jpeg_damage, "_SCAN_BLOCK", block)
    jpeg = encoded(Image.new("L", (64, 64), 128), "JPEG", progressive=True)
    first_scan = jpeg.index(b"\xff\xda")
    # A comment holding the end's and a scan's markers; one ending in 0xFF and a stray byte
    # (libjpeg skips it, and warns), which that 0xFF does not make a marker of; one ending in
    # 0xFF and fill bytes, which that 0xFF does not hide.
    ends_in_ff = b"\xff\xfe\x00\x03\xff"
    segments = b"\xff\xfe\x00\x06\xff\xd9\xff\xda" + ends_in_ff + b"\xe1" + ends_in_ff + b"\xff" * 5
    path = tmp_path / "scans.jpg"

    def write(copies: int) -> None:
        scans = with_repeated_scan(jpeg, copies)
        path.write_bytes(scans[:first_scan] + segments + scans[first_scan:] + b"\xff\xda" * 600)

    write(500 - 6)
    assert decode_image(path).size == (64, 64)
    write(500 - 5)
    error = failure_of(path)
    assert (error.status, "over 500 scans" in error.reason) == ("decode_error", True)


def test_jpeg_scans_are_counted_walking_a_run_of_fill_bytes_once(tmp_path: Path) -> None:
    # The search for markers began again at each 0xFF of a run of fill bytes that no marker
    # code follows, and read the rest of the run each time: 100,000 such bytes took 4 minutes
    # (the scans were counted so where over 500 scan markers' bytes followed the image).
    jpeg = encoded(Image.new("L", (64, 64), 128), "JPEG", progressive=True)
    second_scan = jpeg.index(b"\xff\xda", jpeg.index(b"\xff\xda") + 2)
    run = b"\xff" * 30_000 + b"\x00"  # 0xFF 0 is a coded 0xFF: libjpeg reads on
    path = tmp_path / "fill.jpg"
    path.write_bytes(jpeg[:second_scan] + run + jpeg[second_scan:] + b"\xff\xda" * 600)
    assert decode_image(path).size == (64, 64)
    # What keeps the count linear: a marker is looked for only from the first 0xFF of a run, so
    # the run is walked once. Were a match begun at every 0xFF of a run that a marker code ends,
    # each of those starts would have walked the rest of the run.
    fill = b"\xff" * 1000 + b"\xda"
    assert [at for at in range(len(fill)) if jpeg_damage._JPEG_MARKER.match(fill, at)] == [0]


def png_split(png: bytes, piece: int) -> bytes:
    """`png` with its pixel data (one IDAT chunk) split into IDAT chunks of `piece` bytes."""
    start = png.index(b"IDAT") - 4
    length = int.from_bytes(png[start : start + 4], "big")
    data = png[start + 8 : start + 8 + length]
    pieces = b"".join(png_chunk(b"IDAT", data[at : at + piece]) for at in range(0, length, piece))
    return png[:start] + pieces + png[start + 12 + length :]


def empty_pieces(kind: str, count: int) -> bytes:
    """A 64x64 JPEG or PNG padded with `count` pieces that hold nothing."""
    jpeg = encoded(Image.new("RGB", (64, 64), "red"), "JPEG")
    png = encoded(Image.new("RGB", (64, 64), "red"), "PNG")
    frame, idat, iend = jpeg.index(b"\xff\xc0"), png.index(b"IDAT") - 4, png.index(b"IEND") - 4
    return {
        "jpeg_comments": lambda: jpeg[:2] + b"\xff\xfe\x00\x02" * count + jpeg[2:],
        "jpeg_padding": lambda: jpeg[:frame] + b"\xff" * count + jpeg[frame:],
        "png_chunks_before_pixels": lambda: (
            png[:idat] + png_chunk(b"teXt", b"") * count + png[idat:]
        ),
        "png_chunks_after_pixels": lambda: (
            png[:iend] + png_chunk(b"teXt", b"") * count + png[iend:]
        ),
    }[kind]()


@pytest.mark.parametrize(
    "kind", ["jpeg_comments", "jpeg_padding", "png_chunks_before_pixels", "png_chunks_after_pixels"]
)
def test_file_of_countless_pieces_that_hold_nothing_is_not_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # Pillow reads each marker, chunk or padding byte in Python: a 4 MB JPEG of a million empty
    # comments took 4 s, a 12 MB PNG of a million empty chunks 8 s, growing with the file.
    monkeypatch.setattr(ReadBudget, "FREE_READS", 2000)  # as 200,000 would, 100 times faster
    path = tmp_path / f"{kind}.img"
    path.write_bytes(empty_pieces(kind, 500))
    assert decode_image(path).size == (64, 64)
    path.write_bytes(empty_pieces(kind, 3000))
    error = failure_of(path)
    assert (error.status, "hold next to nothing" in error.reason) == ("decode_error", True)


def test_read_budget_counts_only_reads_that_bring_next_to_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ReadBudget, "FREE_READS", 10)
    pixels = blocky_rgb(64, 48, seed=3)
    path = tmp_path / "pieces.png"
    # 24 chunks of pixel data of 400 bytes, three reads each, pay for their reads; 100 of 1 byte
    # do not.
    path.write_bytes(png_split(encoded(Image.fromarray(pixels), "PNG", compress_level=0), 400))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    path.write_bytes(png_split(encoded(Image.fromarray(pixels[:16, :16]), "PNG"), 1))
    assert failure_of(path).status == "decode_error"
    # A run-length coded BMP's two-byte codes are its pixels: 3,000 of them decode.
    codes = bytes([1, 1, 1, 2]) * 1500 + bytes([0, 1])
    path = tmp_path / "codes.bmp"
    path.write_bytes(rle8_bmp(3000, 1, codes))
    green, blue = [0, 255, 0], [0, 0, 255]
    assert np.asarray(decode_image(path)).tolist() == [[green, blue] * 1500]


@pytest.mark.parametrize(
    "codes",
    [
        pytest.param(bytes([0, 0]) * 50, id="line_ends_at_a_line_start"),
        pytest.param(bytes([1, 1]) * 50, id="runs_past_the_line_end"),
        pytest.param(bytes([0, 2, 0, 0]) * 50, id="jumps_of_no_pixel"),
    ],
)
def test_rle_bmp_of_countless_codes_that_make_no_pixel_is_not_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, codes: bytes
) -> None:
    # zsl's decoder reads its codes in blocks, outside the read budget: 8 million such codes,
    # 16 MB, held a decode worker for 8-14 s. Here 10 such codes are allowed.
    monkeypatch.setattr(ReadBudget, "FREE_READS", 10)
    path = tmp_path / "codes.bmp"
    path.write_bytes(rle8_bmp(2, 2, bytes([2, 1]) + codes + bytes([0, 1])))
    error = failure_of(path)
    assert (error.status, "make no pixel" in error.reason) == ("decode_error", True)
    # A pixel pays for two codes: its run and its line's end, in an image one pixel wide.
    path.write_bytes(rle8_bmp(1, 60, bytes([1, 2, 0, 0]) * 60 + bytes([0, 1])))
    assert np.asarray(decode_image(path)).tolist() == [[[0, 0, 255]]] * 60


def xpm(size_line: bytes, colours: list[bytes], rows: list[bytes], blank_lines: int = 0) -> bytes:
    """An XPM (one character a pixel) with `blank_lines` before its size line and as many
    among its pixel rows."""
    head = b"/* XPM */\nstatic char *image[] = {\n" + b"\n" * blank_lines
    quoted = [b'"' + line + b'",\n' for line in [size_line, *colours]]
    pixels = (b"\n" * blank_lines).join(b'"' + row + b'",\n' for row in rows)
    return head + b"".join(quoted) + pixels + b"};\n"


def test_xpm_of_countless_lines_that_hold_nothing_is_not_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pillow reads an XPM a line at a time in Python (readline, outside the read budget),
    # skipping lines that hold nothing and parsing every colour declared: a 16 MB file of blank
    # lines held a decode worker for 30-45 s, an 18 MB one of a million colours of a 1x1 image
    # 3.5 s. Here 10 such lines are allowed.
    monkeypatch.setattr(ReadBudget, "FREE_READS", 10)
    colours = [b"a c #FF0000", b"b c #0000FF"]
    path = tmp_path / "image.xpm"
    path.write_bytes(xpm(b"2 2 2 1", colours, [b"ab", b"ba"], blank_lines=4))
    red, blue = [255, 0, 0], [0, 0, 255]
    assert np.asarray(decode_image(path)).tolist() == [[red, blue], [blue, red]]
    path.write_bytes(xpm(b"2 2 2 1", colours, [b"ab", b"ba"], blank_lines=20))
    error = failure_of(path)
    assert (error.status, "hold no pixel" in error.reason) == ("decode_error", True)
    many = [bytes([33 + n // 90, 33 + n % 90]) + b" c #00FF00" for n in range(20)]
    path.write_bytes(xpm(b"1 1 20 2", many, [many[0][:2]]))
    error = failure_of(path)
    assert (error.status, "hold no pixel" in error.reason) == ("decode_error", True)
    # A size line past 64 KB of lines that hold nothing is not looked for.
    monkeypatch.setattr(ReadBudget, "FREE_READS", 100_000)
    path.write_bytes(xpm(b"2 2 2 1", colours, [b"ab", b"ba"], blank_lines=70_000))
    error = failure_of(path)
    assert (error.status, "size line" in error.reason) == ("not_an_image", True)


def test_xv_thumbnail_whose_comments_run_past_64_kb_is_not_read(tmp_path: Path) -> None:
    # Pillow reads them a line at a time in Python: 16 MB of them held a worker for 11-14 s.
    pixels = bytes([0xE0, 0x1C, 0x03, 0xFF])  # red, green, blue, white (3-3-2 bits)
    path = tmp_path / "thumbnail.xv"
    comments = b"#XVVERSION:Version 2.28\n#END_OF_COMMENTS\n"
    path.write_bytes(b"P7 332\n" + comments + b"2 2 255\n" + pixels)
    assert np.asarray(decode_image(path)).tolist() == [
        [[255, 0, 0], [0, 255, 0]],
        [[0, 0, 255], [255, 255, 255]],
    ]
    path.write_bytes(b"P7 332\n" + b"#\n" * 40_000 + b"2 2 255\n" + pixels)
    error = failure_of(path)
    assert (error.status, "64 KB of comments" in error.reason) == ("not_an_image", True)


def msp_v2(width: int, rows: list[bytes]) -> bytes:
    """A run-length coded Windows Paint 2 file (MSP, "LinS") of these coded rows."""
    header = bytearray(b"LinS" + struct.pack("<HH", width, len(rows)) + bytes(24))
    checksum = 0
    for at in range(0, 30, 2):  # the 16 words of the header XOR to 0
        checksum ^= int.from_bytes(header[at : at + 2], "little")
    header[30:32] = checksum.to_bytes(2, "little")
    rowmap = struct.pack(f"<{len(rows)}H", *map(len, rows))
    return bytes(header) + rowmap + b"".join(rows)


def test_msp_whose_rows_hold_more_codes_than_their_pixels_take_is_not_decoded(
    tmp_path: Path,
) -> None:
    # Pillow's decoder walks a row's codes in Python, and each code past the row's pixels makes
    # none, a byte each: a 20 MB file of them on an 8x300 bitmap held a decode worker for 20 s.
    path = tmp_path / "paint.msp"
    # 16 pixels: two bytes, a literal run of both, then a run of 8 repeats of white (0xFF).
    row = bytes([2, 0xAA, 0x55]) + bytes([0, 1, 0xFF])
    path.write_bytes(msp_v2(24, [row, row]))
    black, white = [0, 0, 0], [255, 255, 255]
    assert (
        np.asarray(decode_image(path)).tolist()
        == [[white, black] * 4 + [black, white] * 4 + [white] * 8] * 2
    )
    path.write_bytes(msp_v2(24, [row + bytes([1]) * 100, row]))
    error = failure_of(path)
    assert (error.status, "row map" in error.reason) == ("decode_error", True)


@pytest.mark.parametrize("kind", ["dds", "qoi", "ppm_16_bit"])
def test_pixels_read_a_pixel_a_read_are_not_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # Pillow's Python decoders of a DDS's uncompressed colour, of a QOI and of a PPM of a depth
    # other than 8 or 16-bit grey read a pixel a read, a few bytes: a 512x512 DDS as Pillow
    # writes it is over 100,000 of them (here 100: a PPM's header is read a byte a read), yet
    # each read holds a pixel.
    monkeypatch.setattr(ReadBudget, "FREE_READS", 100)
    pixels = blocky_rgb(64, 48, seed=5)
    path = tmp_path / f"pixels.{kind}"
    if kind == "ppm_16_bit":
        samples = (pixels.astype(">u2") * 257).tobytes()
        path.write_bytes(b"P6\n64 48\n65535\n" + samples)
    else:
        path.write_bytes(encoded(Image.fromarray(pixels), kind.upper()))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


def pillows_and_zsls(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The pixels of `path` as Pillow's own decoder gives them, and as zsl's replacing it."""
    with Image.open(path) as image:
        pillows = np.asarray(image)
    with Image.open(path) as image:
        read_python_pixels_with_numpy(image)
        assert image.tile[0].codec_name.startswith("zsl_")
        return pillows, np.asarray(image)


# Not 16-bit grey of maxval 65535 (b"P5", 65535): Pillow reads that raw, not in Python.
@pytest.mark.parametrize(
    ("magic", "maxval"),
    [
        (magic, maxval)
        for magic in (b"P5", b"P6")
        for maxval in (1, 2, 7, 100, 254, 256, 1000, 1023, 4095, 65534, 65535)
        if (magic, maxval) != (b"P5", 65535)
    ],
)
def test_every_sample_of_a_deep_ppm_decodes_as_pillow_decodes_it(
    tmp_path: Path, magic: bytes, maxval: int
) -> None:
    # zsl's decoder scales as Pillow's does (rounding half to even, clipping values above the
    # largest), to 0..255, or 0..65535 in mode "I" for grey deeper than 8 bits: every value a
    # sample's 1 or 2 bytes can hold, in a file of width x 256 samples.
    sample = np.uint8 if maxval < 256 else np.dtype(">u2")
    values = np.arange(256 if maxval < 256 else 65536).astype(sample)
    bands = 1 if magic == b"P5" else 3
    width = len(values) // 256 * bands
    path = tmp_path / "deep.ppm"
    path.write_bytes(
        magic + b"\n%d 256\n%d\n" % (width // bands, maxval) + values.tobytes() * bands
    )
    pillows, zsls = pillows_and_zsls(path)
    np.testing.assert_array_equal(zsls, pillows)
    assert zsls.dtype == pillows.dtype
    if maxval > 255 and magic == b"P6":
        np.testing.assert_array_equal(
            np.asarray(decode_image(path)), np.asarray(Image.open(path).convert("RGB"))
        )


@pytest.mark.parametrize("maxval", [100, 1023, 65535])
def test_deep_ppm_cut_inside_its_pixels_is_truncated(tmp_path: Path, maxval: int) -> None:
    sample = np.uint8 if maxval < 256 else np.dtype(">u2")
    samples = np.full((4, 6, 3), maxval // 2, sample).tobytes()
    path = tmp_path / "cut.ppm"
    for cut in (1, 7, len(samples) // 2, len(samples) - 1):  # inside a sample, a pixel, a row
        path.write_bytes(b"P6\n6 4\n%d\n" % maxval + samples[:-cut])
        assert failure_of(path).status == "truncated", cut


def dds_of_masks(
    width: int, height: int, bitcount: int, masks: tuple[int, ...], data: bytes
) -> bytes:
    """A DDS of uncompressed colour (DDPF_RGB, and DDPF_ALPHAPIXELS where a fourth mask is
    given) of `bitcount` bits a pixel, its channels given by `masks`."""
    flags = 0x40 | (1 if len(masks) == 4 else 0)
    header = struct.pack("<I3I3I44x", 124, 0x100F, height, width, 0, 0, 0)
    pixel_format = struct.pack("<4I4I", 32, flags, 0, bitcount, *masks, *[0] * (4 - len(masks)))
    return b"DDS " + header + pixel_format + bytes(20) + data


# Each of three 10-bit channels at every level, alongside a 2-bit alpha at each of its 4.
TEN_BITS = np.arange(1024, dtype=np.uint64)
TEN_BIT_LEVELS = TEN_BITS * 0x100401 | (TEN_BITS % 4) << np.uint64(30)


@pytest.mark.parametrize(
    ("bitcount", "masks", "values"),
    [
        (16, (0xF800, 0x07E0, 0x001F), np.arange(65536)),  # 5-6-5
        (16, (0x0F00, 0x00F0, 0x000F, 0xF000), np.arange(65536)),  # 4-4-4-4
        (16, (0x7C00, 0x03E0, 0x001F, 0x8000), np.arange(65536)),  # 1-5-5-5
        (32, (0x3FF, 0xFFC00, 0x3FF00000, 0xC0000000), TEN_BIT_LEVELS),
        (32, (0x3FF00000, 0xFFC00, 0x3FF, 0xC0000000), TEN_BIT_LEVELS),
        (32, (0xFF0000, 0xFF00, 0xFF), np.arange(0, 2**32, 65521)),  # X8R8G8B8
        (24, (0xFF, 0xFF00, 0xFF0000), np.arange(0, 2**24, 251)),  # B8G8R8
        (24, (0b101, 0x0FFFF0, 0), np.arange(0, 2**24, 257)),  # a gap in a mask, a mask of 0
        (40, (0xFFFF0000, 0xFF00, 0xFF), np.arange(0, 2**40, 2**24 - 3)),  # 5 bytes a pixel
        (12, (0xF0, 0x0F, 0xF00), np.arange(256)),  # a byte a pixel, a mask past it
    ],
    ids=["565", "4444", "1555", "10_10_10_2", "2_10_10_10", "x888", "888", "odd", "40", "12"],
)
def test_dds_colour_decodes_as_pillow_decodes_it(
    tmp_path: Path, bitcount: int, masks: tuple[int, ...], values: np.ndarray
) -> None:
    # zsl's decoder truncates each channel's level / its largest * 255 as Pillow's does.
    pixel = max(1, bitcount // 8)
    stored = values.astype("<u8").view(np.uint8).reshape(-1, 8)[:, :pixel]
    width = 64
    stored = np.resize(stored, (-(-len(stored) // width) * width, pixel))
    path = tmp_path / "colour.dds"
    path.write_bytes(dds_of_masks(width, len(stored) // width, bitcount, masks, stored.tobytes()))
    pillows, zsls = pillows_and_zsls(path)
    np.testing.assert_array_equal(zsls, pillows)
    if len(masks) == 3:
        np.testing.assert_array_equal(
            np.asarray(decode_image(path)), np.asarray(Image.open(path).convert("RGB"))
        )


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_dds_colour_as_pillow_writes_it_decodes_as_pillow_decodes_it(
    tmp_path: Path, mode: str
) -> None:
    rgba = np.dstack([blocky_rgb(64, 48, seed=7), np.arange(64 * 48).reshape(48, 64) % 256])
    path = tmp_path / "colour.dds"
    path.write_bytes(encoded(Image.fromarray(rgba.astype(np.uint8)).convert(mode), "DDS"))
    pillows, zsls = pillows_and_zsls(path)
    np.testing.assert_array_equal(zsls, pillows)


def test_dds_colour_cut_inside_its_pixels_is_truncated(tmp_path: Path) -> None:
    rgba = encoded(Image.fromarray(blocky_rgb(6, 4, seed=1)).convert("RGBA"), "DDS")
    five_six_five = dds_of_masks(6, 4, 16, (0xF800, 0x07E0, 0x001F), bytes(range(48)))
    path = tmp_path / "cut.dds"
    for data in (rgba, five_six_five):
        for cut in (1, 5, 24, 40):  # inside a pixel, a row, at a pixel's end
            path.write_bytes(data[:-cut])
            assert failure_of(path).status == "truncated", cut


@pytest.mark.parametrize("bitcount", [0xFFFFFFF8, 0x08000018, 136])
def test_dds_colour_of_a_damaged_bit_count_is_a_decode_error(tmp_path: Path, bitcount: int) -> None:
    # A damaged header's bit count (a fuzzed file's 134,217,752) made zsl's decoder ask for
    # the image's pixels at that size in one read: terabytes, "out of memory while decoding",
    # a reason that says the machine failed (and so tried again each run), not the file.
    path = tmp_path / "damaged.dds"
    path.write_bytes(dds_of_masks(1000, 1000, bitcount, (0xFF0000, 0xFF00, 0xFF), bytes(3000)))
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert f"pixels of {bitcount:,} bits" in failure.reason
    assert "damaged header" in failure.reason


@pytest.mark.parametrize("kind", ["dds", "ppm_16_bit"])
def test_pixels_pillow_reads_a_pixel_a_read_are_read_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # Pillow's Python decoders read a pixel a read, 5 us a pixel for a PPM of 16-bit colour
    # (2 minutes for a 24 MP one), 3.5 us for a DDS's: zsl's read the pixels at once, and the
    # rest of the file not.
    pixels = blocky_rgb(64, 48, seed=5)
    path = tmp_path / f"pixels.{kind}"
    if kind == "dds":  # its pixels as Pillow writes them: BGR
        samples = np.ascontiguousarray(pixels[..., ::-1]).tobytes()
        path.write_bytes(encoded(Image.fromarray(pixels), "DDS") + bytes(100_000))
    else:
        samples = (pixels.astype(">u2") * 257).tobytes()
        path.write_bytes(b"P6\n64 48\n65535\n" + samples + bytes(100_000))
    reads: list[int] = []
    read = FileView.read

    def counted(view: FileView, size: int = -1) -> bytes:
        data = read(view, size)
        reads.append(len(data))
        return data

    monkeypatch.setattr(FileView, "read", counted)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    assert max(reads) == len(samples)
    assert len(reads) < 100  # the header's reads, by Pillow, and one of the pixels


@pytest.mark.parametrize("layer_count", [None, 1, -1])
def test_psd_fourth_channel_is_transparency_only_where_the_layer_count_says_so(
    tmp_path: Path, layer_count: int | None
) -> None:
    # Photoshop keeps saved selections as extra channels of the merged image; the first is its
    # transparency only where the layer count is negative (Adobe's file format specification).
    pixels = blocky_rgb(16, 8, seed=6)
    selection = np.zeros((8, 16), np.uint8)
    selection[:, :8] = 255  # the left half selected
    path = tmp_path / "selection.psd"
    path.write_bytes(rgb_psd([*np.moveaxis(pixels, -1, 0), selection], layer_count))
    expected = pixels.copy()
    if layer_count == -1:
        expected[:, 8:] = 255  # the right half see-through, on white
    np.testing.assert_array_equal(np.asarray(decode_image(path)), expected)


def gif_frame_placed(frame: bytes, box: tuple[int, int, int, int]) -> bytes:
    """`frame` (a one-frame GIF) with its image's descriptor saying `box`: left, top, width and
    height."""
    at = gif_image_descriptor(frame)
    return frame[: at + 1] + struct.pack("<HHHH", *box) + frame[at + 9 :]


def test_gif_canvas_the_first_frame_leaves_uncovered_is_white(tmp_path: Path) -> None:
    # Browsers show it see-through (on white here); Pillow filled it with palette colour 0.
    pixels = blocky_rgb(8, 6, seed=3, block=2)
    frame = encoded(Image.fromarray(pixels).quantize(16), "GIF")
    plain, offset = tmp_path / "plain.gif", tmp_path / "offset.gif"
    plain.write_bytes(frame)
    offset.write_bytes(gif_on_wider_canvas(frame, (12, 6), left=4))
    decoded = np.asarray(decode_image(offset))
    assert decoded.shape == (6, 12, 3)
    assert (decoded[:, :4] == 255).all()
    np.testing.assert_array_equal(decoded[:, 4:], np.asarray(decode_image(plain)))


@pytest.mark.parametrize(
    ("box", "shown"),
    [
        ((0, 0, 0, 6), (0, 0)),
        ((0, 0, 8, 0), (0, 0)),
        ((2, 1, 0, 0), (2, 1)),
        ((8, 0, 0, 0), (8, 0)),
    ],
    ids=["no_width", "no_height", "no_size_moved", "no_size_off_the_screen"],
)
def test_gif_frame_of_no_width_or_height_is_as_large_as_its_canvas(
    tmp_path: Path, box: tuple[int, int, int, int], shown: tuple[int, int]
) -> None:
    # Chrome and Firefox take such a frame for one of the logical screen's size at its offset,
    # and show the part of it on the screen; Pillow failed ("tile cannot extend outside image").
    pixels = blocky_rgb(8, 6, seed=3, block=2)
    frame = encoded(Image.fromarray(pixels).quantize(16), "GIF")
    plain, placed = tmp_path / "plain.gif", tmp_path / "placed.gif"
    plain.write_bytes(frame)
    placed.write_bytes(gif_frame_placed(frame, box))
    expected = np.full((6, 8, 3), 255, np.uint8)
    left, top = shown
    expected[top:, left:] = np.asarray(decode_image(plain))[: 6 - top, : 8 - left]
    np.testing.assert_array_equal(np.asarray(decode_image(placed)), expected)


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"P6 2 2 0\n", "PPM"),  # a largest value of 0
        (b"P5 2 2 70000\n", "PGM"),  # a largest value over 16 bits
        (b"P6 2 2 abc\n", "PPM"),  # no number
        (b"P4 12345678901 2\n", "PBM"),  # a number longer than Pillow reads
        (b"Pf\n2 2\nx\n", "PFM"),  # no scale
    ],
)
def test_a_pnm_header_pillow_refuses_before_binary_pixels_is_not_an_image(
    tmp_path: Path, head: bytes, name: str
) -> None:
    # As the same header before text is (test_a_file_that_only_starts_like_a_pnm_is_not_an_image):
    # Pillow refuses it while opening the file, having decoded nothing.
    path = tmp_path / "refused.ppm"
    path.write_bytes(head + bytes(range(256)))
    error = failure_of(path)
    assert (error.status, error.reason.split(":")[0]) == (
        "not_an_image",
        f"{name} signature, but Pillow cannot open it",
    )


def test_32bit_ico_whose_alpha_is_zero_everywhere_takes_its_and_mask(tmp_path: Path) -> None:
    # Windows and browsers fall back on the mask; Pillow showed a wholly see-through picture,
    # a blank page on white.
    pixels = blocky_rgb(16, 16, seed=7, block=4)
    path = tmp_path / "old.ico"
    path.write_bytes(ico_32bit_without_alpha(pixels, see_through_rows=4))
    expected = pixels.copy()
    expected[:4] = 255
    np.testing.assert_array_equal(np.asarray(decode_image(path)), expected)


def bmp_v4_with_alpha_mask(pixels: np.ndarray, alpha: np.ndarray) -> bytes:
    """A 32-bit BMP with a version 4 header whose bit masks (BI_BITFIELDS) include alpha."""
    height, width = pixels.shape[:2]
    data = np.dstack([pixels[..., ::-1], alpha])[::-1].tobytes()  # BGRA rows bottom-up
    header = struct.pack("<IiiHHIIiiII", 108, width, height, 1, 32, 3, len(data), 0, 0, 0, 0)
    header += struct.pack("<IIII", 0xFF0000, 0xFF00, 0xFF, 0xFF000000) + b"BGRs" + bytes(48)
    start = 14 + len(header)
    return b"BM" + struct.pack("<IHHI", start + len(data), 0, 0, start) + header + data


def test_bmp_whose_alpha_mask_reads_zero_everywhere_is_opaque(tmp_path: Path) -> None:
    # As a BMP whose spare byte is zero everywhere is (browsers read both so).
    pixels = blocky_rgb(16, 8, seed=10)
    path = tmp_path / "v4.bmp"
    path.write_bytes(bmp_v4_with_alpha_mask(pixels, np.zeros((8, 16), np.uint8)))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    alpha = np.zeros((8, 16), np.uint8)
    alpha[:, :8] = 255  # some alpha: the right half see-through
    path.write_bytes(bmp_v4_with_alpha_mask(pixels, alpha))
    expected = pixels.copy()
    expected[:, 8:] = 255
    np.testing.assert_array_equal(np.asarray(decode_image(path)), expected)


def test_16bit_grey_tga_whose_header_gives_no_alpha_bits_is_opaque(tmp_path: Path) -> None:
    grey = blocky_rgb(16, 8, seed=11)[..., 0]
    alpha = np.zeros((8, 16), np.uint8)
    alpha[:, :8] = 255
    tga = bytearray(encoded(Image.fromarray(np.dstack([grey, alpha]), "LA"), "TGA"))
    path = tmp_path / "grey.tga"
    path.write_bytes(bytes(tga))
    assert (np.asarray(decode_image(path))[:, 8:] == 255).all()  # alpha bits: see-through
    tga[17] &= 0xF0  # no alpha bits: the second byte of each pixel is no alpha
    path.write_bytes(bytes(tga))
    np.testing.assert_array_equal(np.asarray(decode_image(path))[..., 0], grey)


# Palettes of BGR0 entries: colours 0, 1 and 2 red, green and blue; grey levels, which
# Pillow reads as a greyscale image ("L"); black and white, which it reads as a bitmap ("1").
RGB_PALETTE = bytes([0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 0])
GREY_PALETTE = bytes(value for level in range(16) for value in (level, level, level, 0))
BLACK_AND_WHITE_PALETTE = bytes([0, 0, 0, 0, 255, 255, 255, 0])


def rle8_bmp(width: int, height: int, codes: bytes) -> bytes:
    """An 8-bit run-length coded BMP (BI_RLE8) whose colours 0, 1 and 2 are red, green and blue."""
    return rle_bmp(width, height, codes, 8, RGB_PALETTE)


def rle_bmp(width: int, height: int, codes: bytes, bits: int, palette: bytes) -> bytes:
    """A run-length coded BMP of 8 (BI_RLE8) or 4 (BI_RLE4) bits a pixel."""
    compression, colours = {8: 1, 4: 2}[bits], len(palette) // 4
    header = struct.pack(
        "<IiiHHIIiiII", 40, width, height, 1, bits, compression, len(codes), 0, 0, colours, 0
    )
    start = 14 + len(header) + len(palette)
    return b"BM" + struct.pack("<IHHI", start + len(codes), 0, 0, start) + header + palette + codes


def test_rle_bmp_its_end_of_bitmap_code_ends_early_decodes(tmp_path: Path) -> None:
    # The format lets that code end the pixels early; Pillow said the data ran out.
    # Bottom row (first): four green pixels, end of line; top row: two blue, end of bitmap.
    codes = bytes([4, 1, 0, 0, 2, 2, 0, 1])
    path = tmp_path / "early_end.bmp"
    path.write_bytes(rle8_bmp(4, 2, codes))
    red, green, blue = [255, 0, 0], [0, 255, 0], [0, 0, 255]
    # The pixels left out take colour 0, opaque: browsers differ (Firefox paints them black,
    # Chrome leaves them see-through).
    expected = [[blue, blue, red, red], [green, green, green, green]]
    assert np.asarray(decode_image(path)).tolist() == expected
    path.write_bytes(rle8_bmp(4, 2, codes)[:-3])  # cut inside the top row's run
    assert failure_of(path).status == "truncated"


def test_rle_bmp_cut_inside_a_code_that_ends_in_the_bytes_of_one_is_truncated(
    tmp_path: Path,
) -> None:
    # The last two bytes, a run's colour 0 and the first byte of the next code, read as an
    # end-of-bitmap code only out of step with the codes: it decoded, its top row red.
    path = tmp_path / "cut.bmp"
    path.write_bytes(rle8_bmp(4, 2, bytes([4, 1, 0, 0, 2, 0, 1, 2, 0, 1]))[:-3])
    assert failure_of(path).status == "truncated"


GREEN, BLUE, WHITE = [0, 255, 0], [0, 0, 255], [255, 255, 255]


@pytest.mark.parametrize(
    ("bits", "palette", "runs", "colours"),
    [
        (8, RGB_PALETTE, (1, 2), (GREEN, BLUE)),
        (4, RGB_PALETTE, (0x11, 0x22), (GREEN, BLUE)),  # an RLE4 run holds two 4-bit pixels
        (8, GREY_PALETTE, (1, 2), ([1, 1, 1], [2, 2, 2])),
        (8, BLACK_AND_WHITE_PALETTE, (1, 0), (WHITE, [0, 0, 0])),
    ],
    ids=["rle8", "rle4", "rle8_grey", "rle8_black_and_white"],
)
def test_pixels_an_rle_bmp_skips_are_see_through(
    tmp_path: Path,
    bits: int,
    palette: bytes,
    runs: tuple[int, int],
    colours: tuple[list[int], list[int]],
) -> None:
    # Chrome and Firefox leave the pixels that a line's end or a jump (delta) passes over
    # see-through; Pillow gave them colour 0 (red or black here).
    codes = bytes(
        [2, runs[0], 0, 0]  # bottom row: two pixels, end of line
        + [0, 2, 1, 1]  # one to the right and one up: the middle row and a pixel skipped
        + [3, runs[1], 0, 1]  # three pixels, end of bitmap
    )
    path = tmp_path / "skips.bmp"
    path.write_bytes(rle_bmp(4, 3, codes, bits, palette))
    first, second = colours
    expected = [[WHITE, second, second, second], [WHITE] * 4, [first, first, WHITE, WHITE]]
    assert np.asarray(decode_image(path)).tolist() == expected


def test_rle_bmp_of_codes_that_pass_over_no_pixel_decodes_in_little_memory(
    tmp_path: Path,
) -> None:
    # A line's end at a line's start, and a jump of no pixels, pass over none: each was kept as
    # a run of see-through pixels all the same, some 70 bytes a code (a 40 MB file of them on a
    # 100x100 bitmap took 1.4 GB), where Pillow's decoder keeps nothing. (Past 200,000 such
    # codes the file is refused: see the next test.)
    codes = b"\0\0" * 60_000 + b"\0\2\0\0" * 30_000 + bytes([4, 1, 0, 1])
    path = tmp_path / "idle_codes.bmp"
    path.write_bytes(rle8_bmp(4, 2, codes))
    tracemalloc.start()
    try:
        decoded = decode_image(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    red, green = [255, 0, 0], [0, 255, 0]
    assert np.asarray(decoded).tolist() == [[red] * 4, [green] * 4]
    assert peak < 4 << 20


def grey_tiff_in_row_strips(rows: np.ndarray, one_offset: bool) -> bytes:
    """An uncompressed little-endian grey TIFF of a strip a row, its strips at their rows, or
    (`one_offset`) all at the first row's."""
    height, width = rows.shape
    data_at, offsets_at = 8, 8 + rows.size
    offsets = [data_at + (0 if one_offset else row * width) for row in range(height)]
    counts_at = offsets_at + 4 * height
    ifd_at = counts_at + 4 * height
    tags = [
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (273, 4, height, offsets_at),
        (277, 3, 1, 1),
        (278, 4, 1, 1),
        (279, 4, height, counts_at),
    ]
    ifd = struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", *tag) for tag in tags)
    return (
        b"II*\0"
        + struct.pack("<I", ifd_at)
        + rows.astype(np.uint8).tobytes()
        + struct.pack(f"<{height}I", *offsets)
        + struct.pack(f"<{height}I", *[width] * height)
        + ifd
        + bytes(4)
    )


def test_tiff_of_countless_strips_that_hold_next_to_nothing_is_not_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pillow sets up each strip of an uncompressed TIFF in Python, in Image.open, and reads each
    # on its own: a 14 MB file of 2.4 million one-pixel strips held a decode worker for 32-42 s,
    # each read of one at a shared offset bringing the read budget 64 KB. Here 10 strips are
    # free, then each must have 64 bytes of the file.
    monkeypatch.setattr(ReadBudget, "FREE_READS", 10)
    rows = np.arange(64 * 100).reshape(100, 64) % 251
    path = tmp_path / "strips.tif"
    path.write_bytes(grey_tiff_in_row_strips(rows, one_offset=False))
    np.testing.assert_array_equal(np.asarray(decode_image(path))[..., 0], rows)
    path.write_bytes(grey_tiff_in_row_strips(np.zeros((100, 1)), one_offset=True))
    error = failure_of(path)
    assert (error.status, "strips or tiles" in error.reason) == ("decode_error", True)


def test_bigtiff_whose_strips_follow_countless_entries_is_not_decoded(tmp_path: Path) -> None:
    # Pillow reads a directory an entry a read, so the read budget refuses a BigTIFF's only past
    # some 291,000 entries: a strip tag after entry 150,000 (where the strip check stopped
    # reading) went unseen, and 1.5 million one-byte strips held a decode worker for 19 s.
    junk, strips = 160_000, 400_000
    entries = [struct.pack("<HHQQ", 270, 2, 1, 0)] * junk  # an empty description, again and again
    entries += [
        struct.pack("<HHQQ", tag, 3, 1, value)  # SHORT values
        for tag, value in ((256, 1), (257, strips), (258, 8), (259, 1), (262, 1), (278, 1))
    ]
    ifd = 16
    offsets_at = ifd + 8 + 20 * (len(entries) + 2) + 8
    pixel_at = offsets_at + 16 * strips
    entries.append(struct.pack("<HHQQ", 273, 16, strips, offsets_at))  # LONG8 strip offsets
    entries.append(struct.pack("<HHQQ", 279, 16, strips, offsets_at + 8 * strips))
    path = tmp_path / "late_strips.tif"
    path.write_bytes(
        b"II"
        + struct.pack("<HHHQQ", 43, 8, 0, ifd, len(entries))
        + b"".join(entries)
        + bytes(8)
        + np.full(strips, pixel_at, "<u8").tobytes()
        + np.ones(strips, "<u8").tobytes()
        + b"\x80"
    )
    error = failure_of(path)
    assert (error.status, "strips or tiles" in error.reason) == ("decode_error", True)


def with_tiff_tag(tiff: bytes, tag: int, value: int) -> bytes:
    """A little-endian TIFF with the short value of `tag` in its first directory replaced."""
    data = bytearray(tiff)
    ifd = int.from_bytes(data[4:8], "little")
    for entry in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        at = ifd + 2 + 12 * entry
        if int.from_bytes(data[at : at + 2], "little") == tag:
            data[at + 8 : at + 10] = value.to_bytes(2, "little")
            return bytes(data)
    raise AssertionError(f"no tag {tag}")


@pytest.mark.parametrize("mode", ["L", "I;16", "F"])
def test_tiff_whose_zero_is_white_is_inverted_at_any_depth(tmp_path: Path, mode: str) -> None:
    # PhotometricInterpretation 0 (WhiteIsZero): Pillow inverts 1- and 8-bit grey as it reads
    # them, not 16-bit or float grey, which came out as a negative.
    levels = blocky_rgb(16, 8, seed=12)[..., 0]
    values = {"L": levels, "I;16": levels.astype(np.uint16) * 257, "F": levels / np.float32(255)}
    tiff = encoded(Image.fromarray(values[mode]), "TIFF")
    path = tmp_path / "white_is_zero.tif"
    path.write_bytes(with_tiff_tag(tiff, 262, 0))
    np.testing.assert_array_equal(np.asarray(decode_image(path))[..., 0], 255 - levels)


@NEEDS_PILLOW_13
def test_grey_tiff_with_premultiplied_alpha_is_composited_on_white(tmp_path: Path) -> None:
    # ExtraSamples 1 (associated alpha): Pillow's mode "La", which it converts to LA only; the
    # file failed as "cannot decode: ValueError: conversion from La to L not supported".
    levels = blocky_rgb(16, 8, seed=13)[..., 0]
    alpha = np.full_like(levels, 255)
    alpha[:, :5] = 0
    premultiplied = np.where(alpha == 0, 0, levels).astype(np.uint8)
    tiff = encoded(Image.fromarray(np.stack([premultiplied, alpha], -1), "LA"), "TIFF")
    path = tmp_path / "premultiplied.tif"
    path.write_bytes(with_tiff_tag(tiff, 338, 1))
    expected = np.where(alpha == 0, 255, levels)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), np.stack([expected] * 3, -1))


def test_rle_bmp_cut_where_its_pixels_start_is_truncated(tmp_path: Path) -> None:
    # The bytes before the pixels (here the palette's last entry) are no end-of-bitmap code.
    bmp = bytearray(rle8_bmp(4, 2, bytes([4, 1, 0, 0, 4, 2, 0, 1])))
    start = int.from_bytes(bmp[10:14], "little")
    bmp[start - 2 : start] = b"\0\1"
    path = tmp_path / "no_pixels.bmp"
    path.write_bytes(bytes(bmp[:start]))
    assert failure_of(path).status == "truncated"


def test_32bit_cursor_whose_alpha_is_zero_everywhere_takes_its_and_mask(tmp_path: Path) -> None:
    pixels = blocky_rgb(16, 16, seed=7, block=4)
    cursor = bytearray(ico_32bit_without_alpha(pixels, see_through_rows=4))
    cursor[2] = 2  # a cursor file (CUR), which Pillow reads with its own reader
    path = tmp_path / "old.cur"
    path.write_bytes(bytes(cursor))
    expected = pixels.copy()
    expected[:4] = 255
    np.testing.assert_array_equal(np.asarray(decode_image(path)), expected)


def icon_picture(image: Image.Image, see_through_rows: int) -> bytes:
    """The BMP picture of an ICO or cursor entry: `image` as Pillow writes a BMP, less its file
    header and with its height doubled (the AND mask's rows count too), then an AND mask that
    makes its first rows see-through."""
    dib = bytearray(encoded(image, "BMP")[14:])
    dib[8:12] = struct.pack("<i", 2 * image.height)
    stride = (image.width + 31) // 32 * 4
    mask = np.zeros((image.height, stride), np.uint8)
    mask[:see_through_rows] = 0xFF
    return bytes(dib) + mask[::-1].tobytes()  # rows bottom-up


@pytest.mark.parametrize(
    ("mode", "bits"), [("1", 1), ("L", 8), ("P", 8), ("RGB", 24)], ids=["1", "grey", "P", "RGB"]
)
def test_cursor_of_24_bits_or_fewer_takes_its_and_mask_as_an_ico_does(
    tmp_path: Path, mode: str, bits: int
) -> None:
    # Browsers show the pixels its AND mask marks see-through, in a cursor as in an ICO (Pillow
    # reads an ICO so); Pillow ignored a cursor's mask, but for black and white and grey ones,
    # whose mask it read as pixels of their depth: a grey 8-bit cursor ran out of data.
    image = Image.fromarray(blocky_rgb(16, 16, seed=7, block=4))
    image = image.quantize(16) if mode == "P" else image.convert(mode)
    expected = np.asarray(image.convert("RGB")).copy()
    expected[:4] = 255
    icon = bytearray(ico_holding(icon_picture(image, see_through_rows=4), bits=bits))
    for name, kind in (("masked.ico", 1), ("masked.cur", 2)):
        icon[2] = kind  # 2: a cursor file (CUR), which Pillow reads with its own reader
        path = tmp_path / name
        path.write_bytes(bytes(icon))
        np.testing.assert_array_equal(np.asarray(decode_image(path)), expected, err_msg=name)


def test_grey_run_length_coded_cursor_decodes(tmp_path: Path) -> None:
    # Pillow reads a grey cursor with its mask as one image of twice the height; zsl reads the
    # pixels alone, and a run-length coded one with zsl's decoder: those two steps in the wrong
    # order gave the decoder a grey image to fill with palette pixels ("unknown raw mode").
    dib = bytearray(rle_bmp(4, 2, bytes([4, 7, 0, 0, 4, 9, 0, 1]), 8, GREY_PALETTE)[14:])
    dib[8:12] = struct.pack("<i", 4)  # the AND mask's rows count too
    cursor = bytearray(ico_holding(bytes(dib), bits=8))
    cursor[2] = 2  # a cursor file (CUR)
    path = tmp_path / "grey_rle.cur"
    path.write_bytes(bytes(cursor))
    assert np.asarray(decode_image(path)).tolist() == [[[9] * 3] * 4, [[7] * 3] * 4]


@pytest.mark.parametrize("default_in_animation", [False, True])
def test_apng_whose_default_image_is_outside_its_animation_shows_its_first_frame(
    tmp_path: Path, default_in_animation: bool
) -> None:
    # Browsers, which all read APNG, show its animation's first frame, on a see-through canvas;
    # Pillow's first frame is the default image (IDAT), meant for readers that know no APNG.
    red, blue, white = [255, 0, 0], [0, 0, 255], [255, 255, 255]
    default = np.full((2, 4, 4), 255, np.uint8)
    default[..., 1:3] = 0  # opaque red
    frame = np.zeros((2, 2, 4), np.uint8)
    frame[:, 0] = [0, 0, 255, 255]  # its left column opaque blue, its right one see-through
    path = tmp_path / "animated.png"
    path.write_bytes(apng(default, frame, left=1, default_in_animation=default_in_animation))
    expected = [red] * 4 if default_in_animation else [white, blue, white, white]
    assert np.asarray(decode_image(path)).tolist() == [expected, expected]


def test_16bit_apng_transparency_is_matched_on_the_frame_shown(tmp_path: Path) -> None:
    # Its tRNS colour is matched on all 16 bits (test_16bit_rgb_transparency_is_composited_on_
    # white) of the animation frame shown, not with the low bytes of the default image.
    see_through, near = (0x1234, 0x5678, 0x9ABC), (0x1234, 0x5678, 0x9ABD)  # one low byte apart
    default = np.full((2, 4, 3), 0x8000, ">u2")
    frame = np.array([[see_through, near]] * 2, ">u2")
    path = tmp_path / "animated16.png"
    trns = struct.pack(">HHH", *see_through)
    path.write_bytes(apng(default, frame, left=1, default_in_animation=False, trns=trns))
    white = [255, 255, 255]
    expected = [white, white, [0x12, 0x56, 0x9A], white]
    assert np.asarray(decode_image(path)).tolist() == [expected, expected]


def _without_frames(data: bytes) -> bytes:
    """`data` without its fcTL and fdAT chunks: an acTL, but no frame."""
    for kind in (b"fcTL", b"fdAT"):
        start = data.index(kind) - 4
        end = start + 12 + struct.unpack(">I", data[start : start + 4])[0]
        data = data[:start] + data[end:]
    return data


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: data.index(b"fcTL") - 4],  # cut before the animation's first frame
        lambda data: data[: data.index(b"fdAT") + 12],  # cut inside it
        lambda data: data.replace(b"fcTL\0\0\0\0", b"fcTL\0\0\0\5"),  # out of sequence
        _without_frames,
    ],
    ids=["cut_before_frame", "cut_in_frame", "out_of_sequence", "no_frames"],
)
def test_apng_whose_animation_fails_before_its_first_frame_shows_its_default_image(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    # The APNG spec: "A decoder which detects an error before the animation has started should
    # display the default image". These were truncated or decode_error.
    default = np.full((2, 4, 4), 255, np.uint8)
    default[..., 1:3] = 0  # opaque red
    frame = np.full((2, 2, 4), 255, np.uint8)
    path = tmp_path / "damaged.png"
    path.write_bytes(damage(apng(default, frame, left=1, default_in_animation=False)))
    assert np.asarray(decode_image(path)).tolist() == [[[255, 0, 0]] * 4] * 2


def png_in_chunks(png: bytes, chunk_size: int) -> bytes:
    """`png` with its pixel data (one IDAT chunk) split into chunks of `chunk_size` bytes."""
    start = png.index(b"IDAT") - 4
    length = int.from_bytes(png[start : start + 4], "big")
    data = png[start + 8 : start + 8 + length]
    chunks = [png_chunk(b"IDAT", data[at : at + chunk_size]) for at in range(0, length, chunk_size)]
    return png[:start] + b"".join(chunks) + png[start + 12 + length :]


@pytest.mark.parametrize("chunk_size", [None, 100], ids=["one_chunk", "many_chunks"])
def test_png_whose_pixel_data_fails_its_checksum_is_a_decode_error(
    tmp_path: Path, chunk_size: int | None
) -> None:
    # A stretch of zeros inside the compressed pixels inflates, to other pixels; Pillow does
    # not check the chunks' checksums, and would label it.
    pixels = np.repeat(np.tile(np.arange(256, dtype=np.uint8), (192, 1))[..., None], 3, axis=2)
    png = encoded(Image.fromarray(pixels), "PNG")
    if chunk_size is not None:
        png = png_in_chunks(png, chunk_size)
    damaged = bytearray(png)
    start = png.index(b"IDAT", png.index(b"IDAT") + 4 * bool(chunk_size)) + 4 + 40
    damaged[start : start + 32] = bytes(32)
    with Image.open(io.BytesIO(bytes(damaged))) as unchecked:
        assert not np.array_equal(np.asarray(unchecked.convert("RGB")), pixels)
    path = tmp_path / "damaged.png"
    path.write_bytes(bytes(damaged))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "IDAT" in error.reason and "checksum" in error.reason
    path.write_bytes(png)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


@pytest.mark.parametrize("compression", ["tiff_adobe_deflate", "tiff_lzw"])
def test_tiff_whose_compressed_pixels_are_damaged_says_so_in_words(
    tmp_path: Path, compression: str
) -> None:
    # Pillow's libtiff reader gives the decoder's status as a number ("decoder error -2").
    pixels = np.random.default_rng(7).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    tiff = bytearray(encoded(Image.fromarray(pixels), "TIFF", compression=compression))
    start = len(tiff) * 3 // 10
    tiff[start : start + 64] = bytes(64)
    path = tmp_path / "damaged.tif"
    path.write_bytes(bytes(tiff))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "broken data stream" in error.reason and "-2" not in error.reason


def noisy_jpeg(width: int, height: int, mode: str = "RGB", **settings: object) -> bytes:
    pixels = np.random.default_rng(8).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return encoded(Image.fromarray(pixels).convert(mode), "JPEG", quality=90, **settings)


def pillow_decodes(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image)


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_jpeg_whose_coded_data_runs_out_before_its_end_marker_is_a_decode_error(
    tmp_path: Path, mode: str
) -> None:
    # libjpeg fills the blocks it has no data for with grey and only warns, which Pillow does
    # not pass on: a JPEG cut and given its end marker back, or whose data zeros shifted out of
    # step, was labelled from a picture whose lower part is grey.
    jpeg = noisy_jpeg(256, 192, mode)
    damaged = {"cut": jpeg[: len(jpeg) // 2] + b"\xff\xd9"}
    if mode == "L":  # where zeros put libjpeg out of step, it may as well end with data to spare
        zeroed = bytearray(
            encoded(Image.fromarray(smooth_rgb(256, 192, seed=3)).convert("L"), "JPEG")
        )
        zeroed[len(zeroed) * 3 // 10 : len(zeroed) * 3 // 10 + 64] = bytes(64)
        damaged["zeroed"] = bytes(zeroed)
    for name, data in damaged.items():
        assert set(pillow_decodes(data)[-1, -8:].ravel().tolist()) <= {127, 128}, name  # grey
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(data)
        for options in (DecodeOptions(), DecodeOptions(draft=(64, 48))):
            error = failure_of(path, options)
            assert error.status == "decode_error", (name, options)
            assert "runs out" in error.reason and "not cut short" in error.reason


@pytest.mark.parametrize("settings", [{}, {"progressive": True}], ids=["baseline", "progressive"])
def test_whole_jpeg_whose_last_block_is_grey_decodes(
    tmp_path: Path, settings: dict[str, object]
) -> None:
    # What a JPEG whose data ran out ends in, a grey last block, some whole ones end in too.
    pixels = np.random.default_rng(9).integers(0, 256, (192, 256, 3), dtype=np.uint8)
    pixels[-64:, -64:] = 128
    jpeg = encoded(Image.fromarray(pixels), "JPEG", quality=90, **settings)
    assert pillow_decodes(jpeg)[-1, -1].tolist() == [128, 128, 128]
    path = tmp_path / "grey_corner.jpg"
    path.write_bytes(jpeg + b"camera trailer")
    for options in (DecodeOptions(), DecodeOptions(draft=(64, 48))):
        np.testing.assert_array_equal(
            np.asarray(decode_image(path, options)), pillow_decodes_at(jpeg, options)
        )


def test_jpeg_that_ends_before_its_frame_header_holds_no_image_not_a_cut_one(
    tmp_path: Path,
) -> None:
    # Pillow reads on past the end marker and meets the file's end, as in a cut header.
    jpeg = noisy_jpeg(32, 24)
    frame = jpeg.index(b"\xff\xc0")
    for name, data in [("bare", b"\xff\xd8\xff\xd9"), ("tables", jpeg[:frame] + b"\xff\xd9")]:
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(data)
        error = failure_of(path)
        assert error.status == "not_an_image", name
        assert "end marker" in error.reason
    # A header cut right after an end marker inside a segment (an EXIF thumbnail's) is cut.
    thumbnail = noisy_jpeg(8, 8)
    with_exif = encoded(Image.open(io.BytesIO(jpeg)), "JPEG", exif=b"Exif\0\0" + thumbnail)
    path = tmp_path / "cut_after_thumbnail.jpg"
    path.write_bytes(with_exif[: with_exif.index(b"\xff\xd9") + 2])
    assert failure_of(path).status == "truncated"


def with_tiff_array_value(tiff: bytes, tag: int, index: int, value: int) -> bytes:
    """A little-endian TIFF with item `index` of the LONG array `tag` (of more than one item,
    so stored outside the directory) in its first directory replaced."""
    data = bytearray(tiff)
    ifd = int.from_bytes(data[4:8], "little")
    for entry in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        at = ifd + 2 + 12 * entry
        if int.from_bytes(data[at : at + 2], "little") == tag:
            array = int.from_bytes(data[at + 8 : at + 12], "little") + 4 * index
            data[array : array + 4] = value.to_bytes(4, "little")
            return bytes(data)
    raise AssertionError(f"no tag {tag}")


@pytest.mark.parametrize("tag", [273, 279], ids=["strip_offset", "strip_byte_count"])
def test_whole_tiff_whose_strip_runs_past_its_end_is_damaged_not_cut(
    tmp_path: Path, tag: int
) -> None:
    # libtiff writes the directory last: a file that still ends with it was not cut short,
    # whatever one damaged strip offset or byte count now says.
    pixels = np.random.default_rng(6).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    tiff = encoded(
        Image.fromarray(pixels), "TIFF", compression="tiff_adobe_deflate", strip_size=1536
    )
    offsets, _ = tiff_strips(tiff)
    assert len(offsets) > 2 and int.from_bytes(tiff[4:8], "little") > offsets[-1]
    path = tmp_path / "damaged.tif"
    path.write_bytes(with_tiff_array_value(tiff, tag, 2, len(tiff) + 50_000))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "not cut short" in error.reason
    # Cut inside its pixels (the directory lost), or with its directory cut, it is cut short.
    for cut in (offsets[2] + 100, len(tiff) - 4):
        path.write_bytes(tiff[:cut])
        assert failure_of(path).status == "truncated", cut


def test_whole_tiff_whose_size_asks_more_data_than_its_strips_hold_is_damaged_not_cut(
    tmp_path: Path,
) -> None:
    # Pillow's raw decoder runs out of data ("image file is truncated") where a damaged width
    # asks more than the strip holds; the strips its directory lists are all in the file.
    pixels = np.random.default_rng(6).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    tiff = encoded(Image.fromarray(pixels), "TIFF")  # directory first, one strip to the end
    path = tmp_path / "damaged.tif"
    path.write_bytes(with_tiff_tag(tiff, 256, 640))  # ImageWidth, a LONG read as its low half
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "runs out" in error.reason and "not cut short" in error.reason
    offsets, counts = tiff_strips(tiff)
    assert offsets[0] + counts[0] == len(tiff)
    path.write_bytes(tiff[: len(tiff) - 1000])
    assert failure_of(path).status == "truncated"


def test_whole_256_colour_pcx_damaged_inside_is_a_decode_error_not_truncated(
    tmp_path: Path,
) -> None:
    # Zeros in its run-length coded pixels are a pixel a byte: Pillow's decoder reads through
    # the palette at the end and runs out ("image file is truncated"), yet the file is whole.
    pcx = encoded(Image.fromarray(smooth_rgb(160, 120, seed=2)).quantize(256), "PCX")
    damaged = bytearray(pcx)
    damaged[2000:4000] = bytes(2000)
    path = tmp_path / "damaged.pcx"
    path.write_bytes(bytes(damaged))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "runs out" in error.reason and "not cut short" in error.reason
    path.write_bytes(pcx[: len(pcx) // 2])
    assert failure_of(path).status == "truncated"


def zlib_of_zeros(megabytes: int) -> bytes:
    compressor = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    return b"".join(compressor.compress(block) for _ in range(megabytes)) + compressor.flush()


def text_chunk(kind: bytes, text: bytes, compressed: bytes | None = None) -> bytes:
    if kind == b"tEXt":
        return png_chunk(kind, b"Comment\0" + text)
    if kind == b"zTXt":
        return png_chunk(kind, b"Comment\0\0" + (compressed or zlib.compress(text)))
    flag = b"\1\0" if compressed else b"\0\0"
    return png_chunk(kind, b"Comment\0" + flag + b"\0\0" + (compressed or text))


@pytest.mark.parametrize("where", ["before_pixels", "after_pixels"])
@pytest.mark.parametrize("kind", [b"tEXt", b"zTXt", b"iTXt"], ids=["tEXt", "zTXt", "iTXt"])
def test_png_whose_text_is_over_pillows_limit_decodes_without_it(
    tmp_path: Path, kind: bytes, where: str
) -> None:
    # Pillow refuses the image, pixels and all, for over 64 MB of text ("Too much memory used
    # in text chunks") or a text chunk that inflates past that ("Decompressed data too large").
    pixels = blocky_rgb(64, 48, seed=4)
    png = encoded(Image.fromarray(pixels), "PNG")
    at = png.index(b"IDAT" if where == "before_pixels" else b"IEND") - 4
    text = b"x" * (64 * 1024 * 1024 + 1)
    path = tmp_path / "long_text.png"
    path.write_bytes(png[:at] + text_chunk(kind, text) + png[at:])
    with pillow_settings(DecodeOptions().max_pixels):
        np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


@pytest.mark.parametrize("kind", [b"zTXt", b"iTXt"], ids=["zTXt", "iTXt"])
def test_png_text_that_would_inflate_without_end_is_not_inflated(
    tmp_path: Path, kind: bytes
) -> None:
    pixels = blocky_rgb(64, 48, seed=4)
    png = encoded(Image.fromarray(pixels), "PNG")
    at = png.index(b"IDAT") - 4
    bomb = text_chunk(kind, b"", compressed=zlib_of_zeros(512))  # 512 MB in 0.5 MB
    path = tmp_path / "text_bomb.png"
    path.write_bytes(png[:at] + bomb + png[at:])
    tracemalloc.start()
    try:
        with pillow_settings(DecodeOptions().max_pixels):
            decoded = np.asarray(decode_image(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(decoded, pixels)
    # Pillow inflates it up to its 64 MB limit once (in a buffer it grows), never the 512 MB.
    assert peak < 256 * 1024 * 1024


def scan_starts(jpeg: bytes) -> list[int]:
    """Where a JPEG's scan markers (SOS) are, found as in a file Pillow writes: no segment of
    its holds the bytes of one, and coded data holds none."""
    return [at for at in range(len(jpeg) - 1) if jpeg[at : at + 2] == b"\xff\xda"]


@pytest.mark.parametrize("kept", [0.3, 0.6])
@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_progressive_jpeg_cut_and_given_an_end_marker_is_a_decode_error(
    tmp_path: Path, mode: str, kept: float
) -> None:
    # Its later scans (those that refine what the first ones coded roughly) are missing, and
    # libjpeg leaves the blocks its cut scan did not reach as they were: a blurred picture,
    # with no grey block, of which Pillow says nothing.
    jpeg = noisy_jpeg(256, 192, mode, progressive=True)
    cut = int(len(jpeg) * kept)
    assert cut < scan_starts(jpeg)[-1]
    damaged = jpeg[:cut] + b"\xff\xd9"
    assert set(pillow_decodes(damaged)[-1, -8:].ravel().tolist()) - {127, 128}  # not grey
    path = tmp_path / "cut.jpg"
    path.write_bytes(damaged)
    for options in (DecodeOptions(), DecodeOptions(draft=(64, 48))):
        error = failure_of(path, options)
        assert error.status == "decode_error", options
        assert "later scans" in error.reason


@pytest.mark.parametrize("dropped", [1, 3])
def test_progressive_jpeg_whose_scans_leave_bits_uncoded_yet_end_whole_decodes(
    tmp_path: Path, dropped: int
) -> None:
    # Scans that code some coefficients only roughly, each of them whole: what an encoder may
    # write, which the end marker put after the last whole scan makes of a cut file too.
    jpeg = noisy_jpeg(256, 192, progressive=True)
    whole_scans = jpeg[: scan_starts(jpeg)[-dropped]] + b"\xff\xd9"
    path = tmp_path / "fewer_scans.jpg"
    path.write_bytes(whole_scans)
    for options in (DecodeOptions(), DecodeOptions(draft=(64, 48))):
        np.testing.assert_array_equal(
            np.asarray(decode_image(path, options)), pillow_decodes_at(whole_scans, options)
        )


@pytest.mark.parametrize("strip_rows", [None, 16], ids=["few_strips", "many_strips"])
def test_deflate_tiff_whose_strip_was_zeroed_inside_is_a_decode_error(
    tmp_path: Path, strip_rows: int | None
) -> None:
    # Zeros inflate to long repeats: libtiff has the strip's rows before the stream's end and
    # stops there, unchecked, with wrong pixels and nothing said.
    pixels = smooth_rgb(320, 240, seed=2)
    settings = {"strip_size": 320 * 3 * strip_rows} if strip_rows else {}
    tiff = encoded(Image.fromarray(pixels), "TIFF", compression="tiff_adobe_deflate", **settings)
    offsets, counts = tiff_strips(tiff)
    middle = len(offsets) // 2
    damaged = bytearray(tiff)
    start = offsets[middle] + counts[middle] // 2
    damaged[start : start + 16] = bytes(16)
    with Image.open(io.BytesIO(bytes(damaged))) as unchecked:
        assert not np.array_equal(np.asarray(unchecked.convert("RGB")), pixels)
    path = tmp_path / "zeroed.tif"
    path.write_bytes(bytes(damaged))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "zlib" in error.reason and f"{middle + 1} of {len(offsets)}" in error.reason
    path.write_bytes(tiff)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


@pytest.mark.parametrize(
    "segment",
    [b"\xff\xe4\x00\x08", b"\xff\xe4\x7f\xff"],
    ids=["segment_inside_the_file", "segment_past_its_end"],
)
def test_baseline_jpeg_whose_scan_damage_makes_a_marker_is_a_decode_error(
    tmp_path: Path, segment: bytes
) -> None:
    # Bytes overwritten inside its one scan read as a marker (an APP4 segment here): libjpeg
    # stops the scan there and fills the rest with grey, then skips the "segment" and reads on
    # to the end marker, with warnings alone. Bytes put before the end marker change nothing.
    jpeg = encoded(Image.fromarray(smooth_rgb(320, 240, seed=2)), "JPEG", quality=90)
    damaged = bytearray(jpeg)
    middle = len(jpeg) // 2
    damaged[middle : middle + len(segment)] = segment
    assert pillow_decodes(bytes(damaged))[-1, -1].tolist() == [128, 128, 128]
    path = tmp_path / "marker_inside.jpg"
    path.write_bytes(bytes(damaged))
    for options in (DecodeOptions(), DecodeOptions(draft=(80, 60))):
        error = failure_of(path, options)
        assert error.status == "decode_error", options
        assert "runs out" in error.reason


# -- a JPEG that lacks only its end marker, a drafted JPEG's resize check, an animated WebP's EXIF


def jpeg_bytes(progressive: bool, size: tuple[int, int] = (301, 203), seed: int = 1) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(*size, seed)).save(
        buffer, "JPEG", quality=90, progressive=progressive
    )
    data = buffer.getvalue()
    assert data.endswith(b"\xff\xd9")
    return data


@pytest.mark.parametrize("draft", [None, (64, 64)])
@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("size", [(64, 48), (301, 203)])
def test_a_jpeg_that_lacks_only_its_end_marker_decodes_as_the_whole_file(
    tmp_path: Path, progressive: bool, size: tuple[int, int], draft: tuple[int, int] | None
) -> None:
    # libjpeg's own reader (djpeg: "Premature end of JPEG file") and browsers show it whole;
    # Pillow asks for the marker after the last block and said it was truncated.
    data = jpeg_bytes(progressive, size)
    (tmp_path / "whole.jpg").write_bytes(data)
    (tmp_path / "no_end.jpg").write_bytes(data[:-2])
    options = DecodeOptions(draft=draft)
    whole = decode_image(tmp_path / "whole.jpg", options)
    ended = decode_image(tmp_path / "no_end.jpg", options)
    assert ended.size == whole.size and ended.format == "JPEG"
    assert ended.info[FULL_SIZE_INFO] == whole.info[FULL_SIZE_INFO]
    assert np.array_equal(np.asarray(ended), np.asarray(whole))


def _decodes_as_whole(data: bytes, whole: np.ndarray) -> bool:
    """Whether libjpeg, given `data` and an end marker, decodes the whole file's pixels."""
    try:
        with Image.open(io.BytesIO(data + b"\xff\xd9")) as image:
            return np.array_equal(np.asarray(image.convert("RGB")), whole)
    except OSError:
        return False


@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_cut_inside_its_coded_data_is_still_truncated(
    tmp_path: Path, progressive: bool
) -> None:
    # Truncated unless what is left decodes to the whole file's pixels (a progressive file's
    # last refinement scan may hold a byte or two that change none).
    data = jpeg_bytes(progressive)
    whole = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    scans = [at for at in range(len(data)) if data[at : at + 2] == b"\xff\xda"]
    last_scan_data = scans[-1] + 2 + int.from_bytes(data[scans[-1] + 2 : scans[-1] + 4], "big")
    cut_short = [len(data) - 10, len(data) - 100]
    if progressive:  # cut where a later scan would begin: its scans leave coefficients uncoded
        cut_short += [scans[-1], scans[-2], scans[len(scans) // 2]]
    near_end = [len(data) - 3, len(data) - 4, len(data) - 5, last_scan_data, last_scan_data + 1]
    near_end.append((last_scan_data + len(data) - 2) // 2)  # inside the last scan's data
    for cut in cut_short + near_end:
        as_whole = _decodes_as_whole(data[:cut], whole)
        assert not as_whole or cut in near_end, cut
        (tmp_path / "cut.jpg").write_bytes(data[:cut])
        for draft in (None, (64, 64)):
            options = DecodeOptions(draft=draft)
            if as_whole:
                (tmp_path / "whole.jpg").write_bytes(data)
                expected = np.asarray(decode_image(tmp_path / "whole.jpg", options))
                decoded = np.asarray(decode_image(tmp_path / "cut.jpg", options))
                assert np.array_equal(decoded, expected), (cut, draft)
                continue
            with pytest.raises(DecodeError) as caught:
                decode_image(tmp_path / "cut.jpg", options)
            assert caught.value.status == "truncated", (cut, draft, caught.value.reason)
    if not progressive:  # a sequential file's last bytes are its last blocks'
        assert not any(_decodes_as_whole(data[:cut], whole) for cut in near_end)


@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_with_restart_markers_cut_where_an_interval_ends_is_truncated(
    tmp_path: Path, progressive: bool
) -> None:
    # libjpeg skips the bytes put after such a cut as it looks for the next restart marker, and
    # leaves the rest grey with them or without: the two decodes agree, the pixels are not whole.
    data = jpeg_bytes(progressive, (301, 203))
    with Image.open(io.BytesIO(data)) as image:
        image.save(buffer := io.BytesIO(), "JPEG", progressive=progressive, restart_marker_rows=1)
    data = buffer.getvalue()
    restarts = [
        at for at in range(len(data) - 1) if data[at] == 0xFF and 0xD0 <= data[at + 1] <= 0xD7
    ]
    assert len(restarts) > 3
    # Lacking only its end marker, its last scan holds every restart marker: that one is whole.
    for cut in (restarts[-1], restarts[-2]):
        (tmp_path / "cut.jpg").write_bytes(data[:cut])
        with pytest.raises(DecodeError) as caught:
            decode_image(tmp_path / "cut.jpg", DecodeOptions())
        assert caught.value.status == "truncated", cut


def test_a_jpeg_that_lacks_only_its_end_marker_is_labelled_among_others(tmp_path: Path) -> None:
    data = (SAMPLES / "red circle" / "red_circle_0000.png").read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        image.convert("RGB").save(tmp_path / "a_whole.jpg", quality=95)
    whole = (tmp_path / "a_whole.jpg").read_bytes()
    (tmp_path / "b_no_end.jpg").write_bytes(whole[:-2])
    (tmp_path / "c_cut.jpg").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "d_whole.jpg").write_bytes(whole)
    args = ["label", str(tmp_path), "-c", str(SAMPLES / "classes.txt"), "-m", "shapes-demo"]
    result = CliRunner().invoke(app, [*args, "-f", "jsonl", "-q"])
    assert result.exit_code == 0, result.output
    rows = {Path(row["path"]).name: row for row in map(json.loads, result.stdout.splitlines())}
    assert [rows[name]["status"] for name in sorted(rows)] == ["ok", "ok", "truncated", "ok"]
    for name in ("b_no_end.jpg", "d_whole.jpg"):
        assert rows[name]["top_k"] == rows["a_whole.jpg"]["top_k"]


def test_the_resize_check_of_a_drafted_jpeg_is_made_on_its_full_size(tmp_path: Path) -> None:
    # The preprocessor resizes from the full size (FULL_SIZE_INFO); the check took the draft's,
    # whose sides, rounded up at 1/8 scale, are of another aspect ratio (17x125 for 129x1000),
    # and let through a resize over the limit. zsl's own draft (4 times the model's input)
    # leaves too much room for that to happen; a library caller's smaller one does not.
    Image.fromarray(blocky_rgb(129, 1000, 2)).save(tmp_path / "strip.jpg", quality=90)
    preprocessor = FastPreprocessor(
        shortest_edge=224, resize_to=None, crop=(224, 224), resample=Image.Resampling.BICUBIC
    )
    full, drafted = preprocessor.resized_pixels(129, 1000), preprocessor.resized_pixels(17, 125)
    assert drafted < full
    limit = (full + drafted) // 2
    draft = DecodeOptions(draft=(16, 16))
    assert decode_image(tmp_path / "strip.jpg", draft).size == (17, 125)
    for options in (DecodeOptions(), draft):
        with pytest.raises(DecodeError) as caught:
            ImagePreparation(options, preprocessor, limit)(tmp_path / "strip.jpg")
        assert caught.value.status == "too_large"
        assert caught.value.reason.startswith("129x1000 is so elongated")
    assert ImagePreparation(draft, preprocessor, full)(tmp_path / "strip.jpg").shape == (
        224,
        224,
        3,
    )


def _riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """A WebP's chunks, (fourcc, the chunk whole with its padding), in file order."""
    found, offset = [], 12
    while offset + 8 <= len(data):
        (length,) = struct.unpack("<I", data[offset + 4 : offset + 8])
        end = offset + 8 + length + length % 2
        found.append((data[offset : offset + 4], data[offset:end]))
        offset = end
    return found


def _riff(chunks: list[bytes]) -> bytes:
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.skipif(not features.check("webp"), reason="this Pillow has no WebP")
def test_an_animated_webp_cut_after_its_first_frame_keeps_an_exif_turn_only_it_still_holds(
    tmp_path: Path,
) -> None:
    # The container spec puts EXIF after the frames, and libwebp's muxer (Pillow's writer)
    # does: a file cut in a later frame has lost it, and nothing tells its orientation (no
    # fix to make). An EXIF placed before the frames is kept with the first frame.
    frames = [Image.fromarray(blocky_rgb(50, 30, seed)) for seed in range(3)]
    exif = Image.Exif()
    exif[0x0112] = 6  # turn a quarter: shown 30 x 50
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "WEBP", save_all=True, append_images=frames[1:], lossless=True, exif=exif
    )
    chunks = _riff_chunks(buffer.getvalue())
    kinds = [kind for kind, _ in chunks]
    assert kinds == [b"VP8X", b"ANIM", b"ANMF", b"ANMF", b"ANMF", b"EXIF"]
    exif_before = _riff([chunks[0][1], chunks[1][1], chunks[5][1], *(c for _, c in chunks[2:5])])
    for name, data in (("spec.webp", buffer.getvalue()), ("exif_first.webp", exif_before)):
        (tmp_path / name).write_bytes(data)
        assert decode_image(tmp_path / name).size == (30, 50)
        second_frame = data.index(b"ANMF", data.index(b"ANMF") + 8)
        (tmp_path / f"cut_{name}").write_bytes(data[: second_frame + 20])
    assert b"EXIF" not in (tmp_path / "cut_spec.webp").read_bytes()
    assert decode_image(tmp_path / "cut_spec.webp").size == (50, 30)
    assert decode_image(tmp_path / "cut_exif_first.webp").size == (30, 50)
