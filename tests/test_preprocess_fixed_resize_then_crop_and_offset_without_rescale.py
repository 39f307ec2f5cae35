"""The fast path's input size when a fixed-size resize is followed by a centre crop, and
EfficientNet's rescale_offset, which transformers applies only as part of the rescale."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from zsl_cli.encoders.preprocess import FastPreprocessor, fast_preprocessor_from


def test_a_fixed_size_resize_then_a_crop_has_the_crops_input_size():
    # A 40 x 50 resize cut down to 24 x 30: the model is given the crop, not the resize.
    geometry = FastPreprocessor(None, (40, 50), (24, 30), Image.BILINEAR)
    assert geometry.input_size == (24, 30)
    image = Image.fromarray(np.zeros((70, 90, 3), dtype=np.uint8))
    assert geometry(image).shape == (24, 30, 3)


def test_saved_settings_of_a_fixed_size_resize_then_a_crop_have_the_crops_input_size():
    settings = {
        "do_resize": True,
        "size": {"height": 40, "width": 40},
        "do_center_crop": True,
        "crop_size": {"height": 32, "width": 32},
    }
    fast = fast_preprocessor_from(settings, torch_resize=False)
    assert fast is not None
    assert fast[0].input_size == (32, 32)


@pytest.mark.parametrize("do_normalize", [True, False])
def test_efficientnets_offset_is_not_applied_without_a_rescale(do_normalize):
    from transformers import EfficientNetImageProcessor

    processor = EfficientNetImageProcessor(
        size={"height": 40, "width": 40},
        crop_size={"height": 32, "width": 32},
        do_center_crop=True,
        do_rescale=False,
        rescale_offset=True,
        do_normalize=do_normalize,
        image_mean=[0.485, 0.456, 0.406],
        image_std=[0.229, 0.224, 0.225],
    )
    fast = fast_preprocessor_from(processor, torch_resize=False)
    assert fast is not None
    geometry, norm = fast
    assert norm.rescale == 1.0
    image = Image.fromarray(np.random.default_rng(3).integers(0, 256, (50, 70, 3), dtype=np.uint8))
    ours = geometry(image).astype(np.float32).transpose(2, 0, 1) * norm.rescale
    ours = (ours - np.array(norm.mean)[:, None, None]) / np.array(norm.std)[:, None, None]
    reference = processor(images=[image], return_tensors="np")["pixel_values"][0]
    np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-3)
