"""A file of several pictures that are no animation gives its first, as README says: a
multi-page TIFF its first page (compressed or not, turned by its own orientation), an MPO (a
stereo pair, a phone's photo with its gain map) its first picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.images import decode_image


def _pictures() -> tuple[Image.Image, Image.Image]:
    first = np.zeros((16, 24, 3), np.uint8)
    first[:, :12] = (200, 30, 30)  # left half red, the rest black: tells a turn apart too
    second = np.full((16, 24, 3), (30, 200, 30), np.uint8)
    return Image.fromarray(first), Image.fromarray(second)


@pytest.mark.parametrize("compression", ["raw", "tiff_lzw"])
def test_a_multi_page_tiff_gives_its_first_page(tmp_path: Path, compression: str) -> None:
    first, second = _pictures()
    path = tmp_path / "pages.tif"
    first.save(path, save_all=True, append_images=[second], compression=compression)
    assert np.array_equal(np.asarray(decode_image(path)), np.asarray(first))


def test_a_multi_page_tiffs_first_page_is_turned_by_its_orientation(tmp_path: Path) -> None:
    first, second = _pictures()
    path = tmp_path / "pages.tif"
    stored = first.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back
    stored.save(path, save_all=True, append_images=[second], tiffinfo={274: 6})
    assert np.array_equal(np.asarray(decode_image(path)), np.asarray(first))


def test_an_mpo_gives_its_first_picture(tmp_path: Path) -> None:
    first, second = _pictures()
    path = tmp_path / "pair.mpo"
    first.save(path, format="MPO", save_all=True, append_images=[second], quality=100)
    image = decode_image(path)
    assert image.format == "MPO"
    # JPEG is lossy: the first picture's red and black, nowhere the second one's green.
    pixels = np.asarray(image).astype(int)
    assert np.abs(pixels - np.asarray(first)).max() < 40
