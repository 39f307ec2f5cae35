"""NaFlex's patch grid against transformers' own get_image_size_for_max_num_patches, over many
image sizes, down to strips so long that the scale that fits them is far below 1/1000."""

from __future__ import annotations

import pytest
from PIL import Image
from transformers.models.siglip2.image_processing_pil_siglip2 import (
    get_image_size_for_max_num_patches,
)

from zsl_cli.encoders.preprocess import NaFlexPreprocessor

SIZES = [
    (1, 1),
    (640, 480),
    (480, 640),
    (1000, 999),
    (4032, 3024),
    (7, 3000),
    (1, 1_000_000),  # fits 256 patches of 16 only below a scale of 1/244
    (1_000_000, 1),
    (3, 5_000_000),
]


@pytest.mark.parametrize(("patch", "most"), [(16, 256), (8, 16), (14, 1024), (4, 17)])
@pytest.mark.parametrize("size", SIZES)
def test_the_grid_is_transformers(patch: int, most: int, size: tuple[int, int]) -> None:
    width, height = size
    theirs_height, theirs_width = get_image_size_for_max_num_patches(height, width, patch, most)
    grid = NaFlexPreprocessor(patch, most, Image.BILINEAR).grid(width, height)
    assert grid == (theirs_height // patch, theirs_width // patch)
