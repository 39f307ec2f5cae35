"""The pixels a preprocessor's resize makes of an image (what --max-pixels checks before the
resize), against the sizes transformers' own processors output, resized or not."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from transformers import CLIPImageProcessorPil

from zsl_cli.encoders.preprocess import FastPreprocessor, ReferencePreprocessor


@pytest.mark.parametrize("do_resize", [True, False])
@pytest.mark.parametrize("size", [(100, 50), (30, 75), (7, 7)])
def test_the_reference_path_counts_the_pixels_the_processor_outputs(do_resize, size):
    # Without a centre crop, the output is the resized image, whole.
    processor = CLIPImageProcessorPil(
        size={"shortest_edge": 32}, do_center_crop=False, do_resize=do_resize
    )
    image = Image.fromarray(np.zeros((size[1], size[0], 3), np.uint8))
    height, width = processor(images=[image], return_tensors="np")["pixel_values"][0].shape[1:]
    reference = ReferencePreprocessor(processor, (32, 32))
    assert reference.resized_pixels(*size) == height * width


@pytest.mark.parametrize("size", [(100, 50), (30, 75)])
def test_the_fast_path_counts_its_resize_before_the_crop(size):
    # Shortest edge 32, by hand: 100x50 -> 64x32, 30x75 -> 32x80; the crop comes after.
    geometry = FastPreprocessor(32, None, (32, 32), Image.BILINEAR)
    expected = {(100, 50): 64 * 32, (30, 75): 32 * 80}[size]
    assert geometry.resized_pixels(*size) == expected
    fixed = FastPreprocessor(None, (20, 30), None, Image.BILINEAR)
    assert fixed.resized_pixels(*size) == 600
