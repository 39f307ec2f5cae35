"""What a model sees of a panorama, as README says: a CLIP-style processor (shortest-edge resize,
centre crop) gives only the centre square, so the ends of a 20:1 panorama are never seen; a
fixed-size one (SigLIP's) squeezes it whole into its input; NaFlex keeps its aspect ratio."""

from __future__ import annotations

import numpy as np
from PIL import Image

from zsl_cli.encoders.preprocess import FastPreprocessor, NaFlexPreprocessor

RED, BLUE, GREEN = (220, 30, 30), (30, 30, 220), (30, 200, 30)


def _panorama() -> Image.Image:
    """640x32 (20:1): blue at its left end, red in its middle, green at its right end."""
    pixels = np.full((32, 640, 3), 255, np.uint8)
    pixels[:, :32] = BLUE
    pixels[:, 304:336] = RED
    pixels[:, -32:] = GREEN
    image = Image.fromarray(pixels)
    image.format = "PNG"  # Pillow's resize, as for every image that is no JPEG
    return image


def _colours(array: np.ndarray) -> set[tuple[int, ...]]:
    return {tuple(pixel) for pixel in array.reshape(-1, 3).tolist()}


def test_a_centre_crop_sees_only_the_middle_of_a_panorama() -> None:
    clip_like = FastPreprocessor(shortest_edge=32, resize_to=None, crop=(32, 32), resample=3)
    seen = clip_like(_panorama())
    assert seen.shape == (32, 32, 3)
    assert _colours(seen) == {RED}  # its middle twentieth: neither end


def test_a_fixed_size_resize_squeezes_the_whole_panorama() -> None:
    fixed = FastPreprocessor(shortest_edge=None, resize_to=(32, 32), crop=None, resample=0)
    seen = fixed(_panorama())
    assert seen.shape == (32, 32, 3)
    assert {BLUE, RED, GREEN} <= _colours(seen)


def test_naflex_keeps_the_panoramas_aspect_ratio() -> None:
    naflex = NaFlexPreprocessor(patch=16, max_patches=64, resample=0)
    seen = naflex(_panorama())
    height, width = seen.shape[:2]
    assert width >= 16 * height  # about 20:1 in whole patches
    assert {BLUE, RED, GREEN} <= _colours(seen)
