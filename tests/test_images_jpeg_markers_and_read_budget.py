"""decode_image on JPEGs cut right after a coded 0xFF and given an end marker back, a tall PNG of
one IDAT chunk a row, and the read budget's count of chunks, markers and padding bytes."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import png_chunk, smooth_rgb
from tests.helpers import pillow_decodes_at
from zsl_cli.image_formats import ReadBudget
from zsl_cli.images import DecodeError, DecodeOptions, decode_image

END = b"\xff\xd9"
OPTIONS = [DecodeOptions(), DecodeOptions(draft=(80, 60))]


def jpeg_of(pixels: np.ndarray, mode: str = "RGB", **settings: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, "JPEG", quality=90, **settings)
    return buffer.getvalue()


def photo_like(width: int, height: int, seed: int) -> np.ndarray:
    """Gradients and discs with noise on top: coded data full of 0xFF 0 pairs, as a photo's."""
    noise = np.random.default_rng(seed).integers(-20, 21, (height, width, 3))
    return np.clip(smooth_rgb(width, height, seed).astype(int) + noise, 0, 255).astype(np.uint8)


def scan_starts(jpeg: bytes) -> list[int]:
    """Where each SOS marker starts (Pillow writes no segment holding its bytes)."""
    return [at for at in range(len(jpeg) - 1) if jpeg[at : at + 2] == b"\xff\xda"]


def status_of(path: Path, options: DecodeOptions) -> str:
    try:
        decode_image(path, options)
    except DecodeError as error:
        return error.status
    return "ok"


def test_baseline_jpeg_cut_either_side_of_a_coded_ff_and_given_an_end_marker_is_refused(
    tmp_path: Path,
) -> None:
    # libjpeg takes a 0xFF left before the end marker for a fill byte: the data runs out where
    # it does a byte earlier, and the rest is grey either way. The check of that put its filler
    # after the 0xFF, whose first byte made a marker with it: every cut after an 0xFF was ok.
    jpeg = jpeg_of(photo_like(320, 240, seed=4))
    pairs = [
        at
        for at in range(scan_starts(jpeg)[0] + 20, len(jpeg) - 200)
        if jpeg[at : at + 2] == b"\xff\x00"
    ]
    assert len(pairs) >= 6
    for pair in pairs[:: len(pairs) // 6][:6]:
        for cut in (pair, pair + 1):
            damaged = jpeg[:cut] + END
            grey = pillow_decodes_at(damaged, DecodeOptions())[-8:, -8:]
            assert (grey == 128).all(), cut  # what libjpeg shows: the rest grey
            path = tmp_path / f"cut_{cut}.jpg"
            path.write_bytes(damaged)
            for options in OPTIONS:
                assert status_of(path, options) in ("decode_error", "truncated"), (cut, options)


def whole_jpegs() -> dict[str, bytes]:
    pixels = photo_like(256, 192, seed=7)
    return {
        "baseline": jpeg_of(pixels),
        "progressive": jpeg_of(pixels, progressive=True),
        "progressive_grey": jpeg_of(pixels, "L", progressive=True),
        "progressive_cmyk": jpeg_of(pixels, "CMYK", progressive=True),
        "progressive_restarts": jpeg_of(pixels, progressive=True, restart_marker_blocks=4),
        "restarts": jpeg_of(pixels, restart_marker_blocks=4),
        "grey": jpeg_of(pixels, "L"),
        "cmyk": jpeg_of(pixels, "CMYK"),
        "optimized": jpeg_of(pixels, optimize=True),
        "no_subsampling_progressive": jpeg_of(pixels, progressive=True, subsampling=0),
    }


@pytest.mark.parametrize("name", sorted(whole_jpegs()))
def test_whole_jpegs_decode_as_pillow_decodes_them(tmp_path: Path, name: str) -> None:
    jpeg = whole_jpegs()[name]
    path = tmp_path / f"{name}.jpg"
    for data in (jpeg, jpeg + b"camera trailer"):
        path.write_bytes(data)
        for options in OPTIONS:
            np.testing.assert_array_equal(
                np.asarray(decode_image(path, options)), pillow_decodes_at(jpeg, options)
            )


def test_progressive_jpeg_of_whole_scans_only_decodes(tmp_path: Path) -> None:
    # An end marker after the last whole scan: bytes put there change nothing.
    jpeg = jpeg_of(photo_like(256, 192, seed=8), progressive=True)
    fewer = jpeg[: scan_starts(jpeg)[-1]] + END
    path = tmp_path / "fewer.jpg"
    path.write_bytes(fewer)
    for options in OPTIONS:
        np.testing.assert_array_equal(
            np.asarray(decode_image(path, options)), pillow_decodes_at(fewer, options)
        )


def png_of_a_chunk_a_row(width: int, height: int) -> bytes:
    """A grey PNG written as a streaming writer flushes it: one IDAT chunk a row."""
    deflate, chunks = zlib.compressobj(6), []
    for y in range(height):
        row = b"\0" + bytes([(y // 50) % 256]) * width
        chunks.append(deflate.compress(row) + deflate.flush(zlib.Z_SYNC_FLUSH))
    chunks[-1] += deflate.flush()
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    idat = b"".join(png_chunk(b"IDAT", chunk) for chunk in chunks)
    return b"\x89PNG\r\n\x1a\n" + header + idat + png_chunk(b"IEND", b"")


def test_tall_png_of_one_chunk_a_row_decodes(tmp_path: Path) -> None:
    # 80,002 chunks, under the 200,000 the README allows, were refused as "over 200,000":
    # the budget counted Pillow's reads, three a chunk.
    path = tmp_path / "tall.png"
    path.write_bytes(png_of_a_chunk_a_row(16, 80_000))  # the chunks count, not the width
    pixels = np.asarray(decode_image(path))
    assert pixels.shape == (80_000, 16, 3)
    assert pixels[::50, 0, 0].tolist() == [y % 256 for y in range(80_000 // 50)]


def padded(kind: str, count: int) -> bytes:
    """A 64x64 image and `count` pieces that hold nothing: empty PNG chunks before its pixels,
    empty JPEG comments, or JPEG padding bytes."""
    png = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(png, "PNG")
    jpeg = jpeg_of(np.full((64, 64, 3), 200, np.uint8))
    idat, frame = png.getvalue().index(b"IDAT") - 4, jpeg.index(b"\xff\xc0")
    return {
        "png_chunks": lambda: (
            png.getvalue()[:idat] + png_chunk(b"teXt", b"") * count + png.getvalue()[idat:]
        ),
        "jpeg_comments": lambda: jpeg[:2] + b"\xff\xfe\x00\x02" * count + jpeg[2:],
        "jpeg_padding": lambda: jpeg[:frame] + b"\xff" * count + jpeg[frame:],
    }[kind]()


@pytest.mark.parametrize("kind", ["png_chunks", "jpeg_comments", "jpeg_padding"])
def test_read_budget_counts_chunks_markers_and_padding_bytes_not_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # What the README and the refusal say: over FREE_READS such pieces (and one for each 64
    # bytes they bring), whatever number of reads Pillow makes of each. 2,000 as 200,000 would.
    monkeypatch.setattr(ReadBudget, "FREE_READS", 2000)
    path = tmp_path / "pieces.img"
    path.write_bytes(padded(kind, 1900))
    assert decode_image(path).size == (64, 64)
    path.write_bytes(padded(kind, 2600))
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "decode_error"
    assert "over 2,000 markers, chunks or padding bytes" in caught.value.reason
