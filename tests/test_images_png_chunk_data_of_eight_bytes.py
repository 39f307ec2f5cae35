"""A PNG chunk whose data is 8 bytes, the last 4 of them letters (as a chunk type is), is read
as data, never taken for the header of a chunk: only the 8 bytes where a chunk starts are, so
these files decode to Pillow's own pixels."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, PngImagePlugin

from zsl_cli.image_formats import to_rgb
from zsl_cli.images import decode_image


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _palette_image() -> Image.Image:
    image = Image.fromarray((np.arange(64 * 80).reshape(64, 80) % 8).astype(np.uint8), "P")
    image.putpalette([i * 10 for i in range(24)])
    return image


def _assert_decoded_as_pillow_does(path: Path) -> None:
    with Image.open(path) as reference:
        reference.load()  # as Pillow reads it, alpha composited on white as the CLI shows it
        expected = np.asarray(to_rgb(reference))
    decoded = decode_image(path)
    assert decoded.size == (expected.shape[1], expected.shape[0])
    assert (np.asarray(decoded.convert("RGB")) == expected).all()


def test_palette_alphas_that_read_as_letters(tmp_path: Path) -> None:
    # Eight alphas, the first four a length over the metadata allowance, the last four 'defg'.
    alphas = bytes([255, 200, 150, 120, 100, 101, 102, 103])
    path = tmp_path / "alphas.png"
    _palette_image().save(path, transparency=alphas)
    assert _chunk(b"tRNS", alphas) in path.read_bytes()
    _assert_decoded_as_pillow_does(path)


def test_text_of_four_letters_after_a_short_keyword(tmp_path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("URL", "abcd")
    path = tmp_path / "text.png"
    _palette_image().convert("RGB").save(path, pnginfo=info)
    assert _chunk(b"tEXt", b"URL\0abcd") in path.read_bytes()
    _assert_decoded_as_pillow_does(path)


def test_image_data_chunk_of_eight_bytes(tmp_path: Path) -> None:
    width = height = 16
    rows = np.tile(np.frombuffer(b"pngtextabcdefghi", np.uint8), (height, 1))
    stored = zlib.compress(b"".join(b"\0" + row.tobytes() for row in rows), 0)
    cut = stored.index(b"pngtexta")  # an 8-byte chunk of it: 'pngt' then 'exta'
    parts = [stored[:cut], stored[cut : cut + 8], stored[cut + 8 :]]
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path = tmp_path / "split.png"
    path.write_bytes(
        PngImagePlugin._MAGIC
        + _chunk(b"IHDR", header)
        + b"".join(_chunk(b"IDAT", part) for part in parts)
        + _chunk(b"IEND", b"")
    )
    _assert_decoded_as_pillow_does(path)
    assert (np.asarray(decode_image(path).convert("L")) == rows).all()
