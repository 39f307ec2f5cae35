"""decode_image on files whose end tells whether they are whole: a JPEG 2000 codestream with bytes
after its end marker (EOC), and a 256-colour PCX cut at or inside the palette after its pixels."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import blocky_rgb, smooth_rgb
from tests.helpers import failure_of, needs_jpeg_2000
from zsl_cli.images import decode_image


def encoded(image: Image.Image, file_format: str, **settings: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, file_format, **settings)
    return buffer.getvalue()


def tile_parts(data: bytes) -> list[int]:
    """Where each tile-part's SOT marker starts (no 0xFF90 occurs in coded data)."""
    return [at for at in range(len(data) - 1) if data[at : at + 2] == b"\xff\x90"]


def jpeg_2000_file(pixels: np.ndarray, layout: str) -> bytes:
    """A bare codestream (.j2k), or a .jp2 whose codestream box has its length or runs (length
    0) to the end; in 32x32 tiles, a tile-part each, the last one's length (Psot) 0, "up to the
    end marker", as T.800 lets the last one be, where `layout` ends so."""
    data = encoded(
        Image.fromarray(pixels), "JPEG2000", tile_size=(32, 32), no_jp2=layout.startswith("j2k")
    )
    if layout.endswith("last_psot_0"):
        last = tile_parts(data)[-1]
        data = data[: last + 6] + bytes(4) + data[last + 10 :]
    if layout.startswith("jp2_to_the_end"):
        box = data.index(b"jp2c") - 4
        data = data[:box] + bytes(4) + data[box + 4 :]
    return data


JPEG_2000_LAYOUTS = [
    f"{container}{last}"
    for container in ("j2k", "jp2", "jp2_to_the_end")
    for last in ("", "_last_psot_0")
]


# Bytes no writer pads with: text, a marker's start, 0xFF runs (not padding: decoders stop at EOC,
# ITU-T T.800 A.4.4, whatever follows), what looks like another tile-part or end marker.
TRAILING_BYTES = [
    b"garbage",
    b"\xff\x00\x11",
    b"\xff",
    b"\xff" * 9,
    b"\xff\x90\x00\x0a",
    b"\xff\xd9\xff\xd9garbage",
    b"hello world\n",
    bytes(np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8)),
    # Padding too, which OpenJPEG read into a last tile-part of length 0 (decode_error), also
    # past a .jp2's codestream box.
    bytes(100),
    b"\r\n",
]


@needs_jpeg_2000
@pytest.mark.parametrize("layout", JPEG_2000_LAYOUTS)
def test_whole_jpeg_2000_with_other_bytes_after_its_end_marker_is_ok(
    tmp_path: Path, layout: str
) -> None:
    # A bare codestream was truncated where a .jp2 holding it was ok: its end marker is found by
    # walking its marker segments and tile-parts, whose lengths say where each ends; what follows
    # it is no part of the image, as for a JPEG after its end marker or a PNG after IEND.
    pixels = blocky_rgb(70, 50, seed=7)
    data = jpeg_2000_file(pixels, layout)
    path = tmp_path / ("picture.j2k" if layout.startswith("j2k") else "picture.jp2")
    path.write_bytes(data)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    for trailing in TRAILING_BYTES:
        path.write_bytes(data + trailing)
        np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels, err_msg=trailing[:9])


@needs_jpeg_2000
@pytest.mark.parametrize("layout", JPEG_2000_LAYOUTS)
def test_jpeg_2000_cut_short_with_bytes_after_the_cut_is_truncated(
    tmp_path: Path, layout: str
) -> None:
    # Bytes after a cut are no end marker where the tile-parts' lengths say one must be: just
    # inside a tile-part (OpenJPEG decodes the tiles after it black), in its middle, at its end
    # (the next tile-part missing), just before the end marker.
    data = jpeg_2000_file(blocky_rgb(70, 50, seed=8), layout)
    path = tmp_path / ("picture.j2k" if layout.startswith("j2k") else "picture.jp2")
    starts = tile_parts(data)
    assert len(starts) == 6
    ends = [*starts[1:], len(data) - 2]
    middles = [(at + end) // 2 for at, end in zip(starts, ends, strict=True)]
    cuts = [at + 2 for at in starts] + middles + ends
    for cut in cuts:
        for trailing in TRAILING_BYTES:
            if trailing.startswith(b"\xff\xd9") and (
                cut == len(data) - 2 or (layout.endswith("psot_0") and cut > starts[-1])
            ):
                # The end marker put back: the whole file and bytes after it, or (a last
                # tile-part of length 0 ends at the first end marker) one cut, then ended.
                continue
            path.write_bytes(data[:cut] + trailing)
            assert failure_of(path).status == "truncated", (cut, trailing[:9])


# Marker segments a tile-part's header may hold before its coded data (SOD), their bytes holding
# an end marker's: a comment (Rcom 0: binary) and packet lengths (7-bit groups, 0xFF a group
# that goes on).
HEADER_SEGMENTS_WITH_FF_D9 = {
    "COM": b"\xff\x64\x00\x08\x00\x00ab\xff\xd9",
    "PLT": b"\xff\x58\x00\x06\x00\xff\xd9\x05",
}


@needs_jpeg_2000
@pytest.mark.parametrize("segment", list(HEADER_SEGMENTS_WITH_FF_D9))
@pytest.mark.parametrize("layout", ["j2k_last_psot_0", "jp2_to_the_end_last_psot_0"])
def test_jpeg_2000_last_tile_part_of_length_0_whose_header_holds_ff_d9(
    tmp_path: Path, layout: str, segment: str
) -> None:
    # A last tile-part of length 0 runs up to the end marker, looked for from its SOT segment on:
    # an FF D9 in a segment of its header was taken for it, a file cut after that segment decoded
    # up to there (decode_error), and a whole one with bytes after it too. Its header's segments
    # are walked by their lengths up to its coded data, where the end marker is looked for.
    pixels = blocky_rgb(70, 50, seed=10)
    data = jpeg_2000_file(pixels, layout)
    sot = tile_parts(data)[-1]
    header_start = sot + 2 + int.from_bytes(data[sot + 2 : sot + 4], "big")
    inserted = HEADER_SEGMENTS_WITH_FF_D9[segment]
    data = data[:header_start] + inserted + data[header_start:]
    sod = data.index(b"\xff\x93", header_start)
    path = tmp_path / ("picture.j2k" if layout.startswith("j2k") else "picture.jp2")
    path.write_bytes(data)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    for trailing in (b"trailing text\n", b"\xff\xd9garbage", bytes(100)):
        path.write_bytes(data + trailing)
        np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels, err_msg=trailing[:9])
    # Cut inside the header (before, in, just after the segment), or in the coded data.
    in_segment = header_start + inserted.index(b"\xff\xd9")
    cuts = [header_start + 3, in_segment, in_segment + 2, sod + 1, sod + 20, len(data) - 2]
    for cut in cuts:
        for trailing in (b"", b"trailing text\n"):
            path.write_bytes(data[:cut] + trailing)
            error = failure_of(path)
            assert error.status == "truncated", (cut - header_start, trailing, error.reason)


@needs_jpeg_2000
@pytest.mark.parametrize("layout", ["j2k", "j2k_last_psot_0"])
def test_jpeg_2000_whose_size_counts_billions_of_tiles_is_told_at_once(
    tmp_path: Path, layout: str
) -> None:
    # A damaged SIZ segment: 60,000 x 60,000 in tiles of one pixel. The walk to the end marker
    # counts the tiles it meets against those, and built a set of them all (memory, minutes).
    data = bytearray(jpeg_2000_file(blocky_rgb(70, 50, seed=9), layout))
    siz = data.index(b"\xff\x51")
    data[siz + 6 : siz + 38] = struct.pack(">8I", 60_000, 60_000, 0, 0, 1, 1, 0, 0)
    path = tmp_path / "picture.j2k"
    path.write_bytes(bytes(data) + b"garbage")
    assert failure_of(path).status == "too_large"


def pcx_256(pixels: np.ndarray) -> bytes:
    """A 256-colour PCX (version 5, 8 bits in one plane, its palette after its pixels: a byte 12
    and 768 of colours) of the palette indices `pixels`, in a palette of colours by chance."""
    image = Image.fromarray(pixels, "P")
    image.putpalette([int(v) for v in np.random.default_rng(0).integers(0, 256, 768)])
    pcx = encoded(image, "PCX")
    assert pcx[1] == 5 and pcx[3] == 8 and pcx[65] == 1 and pcx[-769] == 12
    return pcx


def literal_pixels(width: int, height: int, seed: int) -> np.ndarray:
    """Indices below 0xC0, none like the one before it: each codes as one byte, no run."""
    rng = np.random.default_rng(seed)
    steps = rng.integers(1, 0xC0, (height, width))
    return (np.cumsum(steps, axis=1) % 0xC0).astype(np.uint8)


PCX_IMAGES = {
    "quantized": lambda: np.asarray(Image.fromarray(smooth_rgb(160, 120, seed=2)).quantize(256)),
    "noise": lambda: np.random.default_rng(4).integers(0, 256, (30, 40), dtype=np.uint8),
    "few colours": lambda: np.random.default_rng(5).integers(0, 16, (48, 64), dtype=np.uint8),
    # Shorter than a header and a palette once cut at the palette: Pillow seeks before the start.
    "small": lambda: np.random.default_rng(6).integers(0, 256, (12, 13), dtype=np.uint8),
    "flat": lambda: np.full((30, 40), 12, np.uint8),
    "2x2": lambda: np.array([[1, 200], [12, 7]], np.uint8),
}


@pytest.mark.parametrize("name", list(PCX_IMAGES))
def test_256_colour_pcx_cut_at_or_inside_its_palette_is_truncated(
    tmp_path: Path, name: str
) -> None:
    # Cut just where its palette starts (every pixel there, the marker and palette gone), Pillow
    # found no palette and decoded shades of grey ("ok"), or failed seeking one before the
    # file's start (decode_error).
    pcx = pcx_256(PCX_IMAGES[name]())
    path = tmp_path / "cut.pcx"
    path.write_bytes(pcx)
    decode_image(path)
    for left in (769, 768, 767, 500, 2, 1):
        path.write_bytes(pcx[:-left])
        error = failure_of(path)
        assert error.status == "truncated", (left, error.reason)


def test_256_colour_pcx_cut_at_its_palette_where_a_pixel_12_takes_its_marker_is_truncated(
    tmp_path: Path,
) -> None:
    # Its pixels' last 769 bytes start with a pixel's 12: Pillow reads them as the palette, and
    # the colours decoded are wrong.
    pixels = literal_pixels(40, 30, seed=3)
    # 1,200 bytes of pixels, one a pixel, after the 128 of the header: Pillow's marker is the
    # pixel 1,200 - 769 = 431 bytes in (row 10, column 31).
    pixels[10, 30:33] = (13, 12, 11)
    pcx = pcx_256(pixels)
    cut = len(pcx) - 769
    assert cut == 128 + 1200 and pcx[cut - 769] == 12
    path = tmp_path / "cut.pcx"
    path.write_bytes(pcx[:cut])
    error = failure_of(path)
    assert error.status == "truncated", error.reason


def test_256_colour_pcx_cut_at_or_inside_its_palette_says_where(tmp_path: Path) -> None:
    # Cut where the palette starts, none of it is left: its data does not end inside it.
    pcx = pcx_256(PCX_IMAGES["noise"]())
    path = tmp_path / "cut.pcx"
    for left, where in ((769, "where its palette should start"), (500, "inside the palette")):
        path.write_bytes(pcx[:-left])
        error = failure_of(path)
        assert error.status == "truncated"
        assert f"data ends after {len(pcx) - left} bytes, {where}" in error.reason, error.reason


@pytest.mark.parametrize("palette_info", [1, 2])
def test_8_bit_pcx_without_a_palette_is_grey_where_its_header_says_greyscale(
    tmp_path: Path, palette_info: int
) -> None:
    # Version 5, 8 bits in one plane, and no palette after its pixels: its header's PaletteInfo
    # (offset 68) 2 says greyscale, and grey is how it reads (ok, as before); 1 (colour or
    # black and white, what Pillow writes for every mode) leaves its colours to the palette that
    # is missing: truncated.
    pixels = (np.add.outer(np.arange(64), np.arange(64)) * 2).astype(np.uint8)
    data = bytearray(encoded(Image.fromarray(pixels, "L"), "PCX")[:-769])
    data[68:70] = palette_info.to_bytes(2, "little")
    path = tmp_path / "grey.pcx"
    path.write_bytes(bytes(data))
    if palette_info == 2:
        decoded = decode_image(path)
        np.testing.assert_array_equal(np.asarray(decoded), np.stack([pixels] * 3, -1))
    else:
        error = failure_of(path)
        assert error.status == "truncated"
        assert "where its palette should start" in error.reason, error.reason
