"""Saved settings of a processor class with no normalisation settings at all leave the rescaled
pixels as they are (mean 0, std 1), and a processor whose pixels differ from the fast path's by
a hundredth (a quarter of a grey level at std 0.5) is told apart from one that agrees."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.tiny_models import CLIP_LIKE, FIXED_SIZE
from zsl_cli.encoders.preprocess import Normalisation, agrees_with_processor, fast_preprocessor_from


def test_settings_without_any_normalisation_leave_the_pixels_rescaled():
    settings = {k: v for k, v in CLIP_LIKE.items() if k not in ("image_mean", "image_std")}
    del settings["do_normalize"]
    _, norm = fast_preprocessor_from(settings)
    assert norm == Normalisation(1 / 255, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))


def _own_pixels(images, offset: float) -> dict[str, np.ndarray]:
    # The processor's steps by hand: Pillow's bilinear resize to 24x16, then (x / 255 - 0.5) / 0.5.
    image: Image.Image = images[0]
    pixels = np.asarray(image.resize((24, 16), Image.BILINEAR), np.float32) / 255
    normalised = ((pixels - 0.5) / 0.5).transpose(2, 0, 1)[None] + offset
    return {"pixel_values": normalised.astype(np.float32)}


def test_a_processor_a_hundredth_apart_disagrees():
    fast = fast_preprocessor_from(FIXED_SIZE, torch_resize=False)
    assert agrees_with_processor(fast, lambda images, return_tensors: _own_pixels(images, 0.0))
    assert not agrees_with_processor(fast, lambda images, return_tensors: _own_pixels(images, 0.01))
