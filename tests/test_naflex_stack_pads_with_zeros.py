"""NaFlexPreprocessor.stack lays a batch out as transformers' processor does: each image's
patches row by row, then zeros up to max_patches, and the grid as (rows, columns)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from zsl_cli.encoders.preprocess import NaFlexPreprocessor


def test_the_patches_past_an_images_grid_are_zeros():
    naflex = NaFlexPreprocessor(2, 6, Image.BILINEAR)
    # A 2 x 3 grid of 2-pixel patches (4 x 6 pixels) and a 1 x 2 one, of pixels that are never 0.
    images = [np.full((4, 6, 3), 9, np.uint8), np.full((2, 4, 3), 5, np.uint8)]
    patches, grids = naflex.stack(images)
    assert patches.shape == (2, 6, 2 * 2 * 3)
    assert grids.tolist() == [[2, 3], [1, 2]]
    assert (patches[0] == 9).all()
    assert (patches[1, :2] == 5).all()
    assert (patches[1, 2:] == 0).all()
