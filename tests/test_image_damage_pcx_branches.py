"""The PCX checks on files cut inside their header (Pillow reads its first 68 bytes alone, and
opens them), a small PCX of two colours damaged inside, a 256-colour one whose header gives
fewer bytes a row than its width, and a colour one whose writer lets runs go on from one
plane's row into the next (as the PCX specification allows): each is told cut short,
damaged inside or whole as it is."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded
from tests.helpers import failure_of
from zsl_cli.images import decode_image

RANDOM = np.random.default_rng(8)
PHOTO = Image.fromarray(RANDOM.integers(0, 256, (20, 30, 3), dtype=np.uint8))


def status_of(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "image.pcx"
    path.write_bytes(data)
    return failure_of(path).status


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB"])
@pytest.mark.parametrize("cut", [70, 100, 127])
def test_pcx_cut_inside_its_header_is_truncated(tmp_path: Path, mode: str, cut: int) -> None:
    data = encoded(PHOTO.convert(mode), "PCX")
    assert status_of(tmp_path, data[:cut]) == "truncated"


def two_colour_pcx() -> bytes:
    """A PCX of two colours, 40 x 16: too small for a 256-colour palette's room."""
    pixels = RANDOM.integers(0, 2, (16, 40), dtype=np.uint8) * 255
    data = encoded(Image.fromarray(pixels).convert("1"), "PCX")
    assert len(data) < 128 + 769
    return data


def test_small_two_colour_pcx_with_a_run_across_a_row_is_a_decode_error(tmp_path: Path) -> None:
    data = bytearray(two_colour_pcx())
    data[128:130] = bytes([0xC0 | 20, 0x55])  # a run of 20 bytes, in rows of 6
    assert status_of(tmp_path, bytes(data)) == "decode_error"
    assert status_of(tmp_path, two_colour_pcx()[:200]) == "truncated"


@pytest.mark.parametrize("stride", [0, 1, 29])
def test_256_colour_pcx_whose_header_gives_fewer_bytes_a_row_than_its_width_decodes(
    tmp_path: Path, stride: int
) -> None:
    # Pillow sizes rows by the width (it trusts no header's count): the pixels are whole.
    image = PHOTO.convert("P")
    data = bytearray(encoded(image, "PCX"))
    assert int.from_bytes(data[66:68], "little") == 30
    data[66:68] = stride.to_bytes(2, "little")
    path = tmp_path / "image.pcx"
    path.write_bytes(bytes(data))
    assert np.array_equal(np.asarray(decode_image(path)), np.asarray(image.convert("RGB")))


def runs_across_planes_pcx() -> tuple[bytes, np.ndarray]:
    """A colour PCX (3 planes) coded as the specification lets a writer code it: each row's
    planes in one go, a run going on from one plane's row into the next where the byte does
    (its first row is one grey: a single run across all three planes), never across rows."""
    pixels = RANDOM.integers(0, 256, (12, 20, 3), dtype=np.uint8) // 64 * 64
    pixels[0] = 100
    header = bytearray(encoded(Image.fromarray(pixels), "PCX")[:128])
    assert (header[65], int.from_bytes(header[66:68], "little")) == (3, 20)
    coded = bytearray()
    for row in pixels:
        planes = row.T.tobytes()  # R of every pixel, then G, then B
        at = 0
        while at < len(planes):
            length = 1
            while at + length < len(planes) and planes[at + length] == planes[at] and length < 63:
                length += 1
            coded += bytes([0xC0 | length, planes[at]])
            at += length
    return bytes(header + coded), pixels


def test_colour_pcx_with_runs_across_planes_decodes_and_cut_short_is_truncated(
    tmp_path: Path,
) -> None:
    data, pixels = runs_across_planes_pcx()
    with Image.open(io.BytesIO(data)) as image:
        assert np.array_equal(np.asarray(image.convert("RGB")), pixels)
    path = tmp_path / "image.pcx"
    path.write_bytes(data)
    assert np.array_equal(np.asarray(decode_image(path)), pixels)
    # Its first run lies across planes, with no plane's row ended alone before it: the
    # writer's own runs, not damage (a run across planes tells damage only in a file whose
    # writer breaks runs at each plane's row).
    assert status_of(tmp_path, data[: len(data) * 2 // 3]) == "truncated"
