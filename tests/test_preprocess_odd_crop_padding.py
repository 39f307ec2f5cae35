"""A centre crop larger than the resized image pads it with zeros, the odd pixel of padding going
first (top, left), as transformers' center_crop puts it; against CLIP's own processor."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from transformers import CLIPImageProcessorPil

from zsl_cli.encoders.preprocess import FastPreprocessor, fast_preprocessor_from


@pytest.mark.parametrize(
    ("size", "crop"),
    [
        ((30, 20), (31, 41)),  # resized to 36x24: 7 rows and 5 columns of padding
        ((20, 30), (25, 27)),  # resized to 24x36: cropped rows, 3 columns of padding
        ((24, 24), (27, 30)),  # 3 rows and 6 columns
    ],
)
def test_odd_padding_around_a_small_image_matches_the_processor(size, crop):
    height, width = crop
    processor = CLIPImageProcessorPil(
        size={"shortest_edge": 24}, crop_size={"height": height, "width": width}
    )
    fast = fast_preprocessor_from(processor, torch_resize=False)
    assert fast is not None
    geometry, norm = fast
    assert isinstance(geometry, FastPreprocessor)
    pixels = np.random.default_rng(sum(size)).integers(1, 256, (size[1], size[0], 3), np.uint8)
    image = Image.fromarray(pixels)
    ours = geometry(image).astype(np.float32).transpose(2, 0, 1) * norm.rescale
    ours = (ours - np.asarray(norm.mean)[:, None, None]) / np.asarray(norm.std)[:, None, None]
    theirs = processor(images=[image], return_tensors="np")["pixel_values"][0]
    assert ours.shape == theirs.shape == (3, height, width)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_the_odd_row_and_column_of_padding_go_above_and_left():
    # A 2 x 2 image of 255 centred in a 5 x 5 crop: 2 rows of zeros above it and 1 below,
    # 2 columns left of it and 1 right (ceil of 3 / 2 first), by hand.
    geometry = FastPreprocessor(None, (2, 2), (5, 5), Image.BILINEAR)
    cropped = geometry(Image.new("RGB", (2, 2), (255, 255, 255)))
    expected = np.zeros((5, 5), np.uint8)
    expected[2:4, 2:4] = 255
    np.testing.assert_array_equal(cropped[..., 0], expected)
