"""The fast path's check against the model's processor uses a test image that the processor
must resize and crop, so that a processor which crops elsewhere than the centre is told apart."""

from __future__ import annotations

import numpy as np

from zsl_cli.encoders.preprocess import agrees_with_processor, fast_preprocessor_from

SETTINGS = {
    "do_resize": True,
    "size": {"shortest_edge": 32},
    "do_center_crop": True,
    "crop_size": {"height": 32, "width": 32},
    "do_rescale": True,
    "rescale_factor": 1 / 255,
    "do_normalize": False,
    "resample": 2,
}


class CropsAt:
    """A processor of SETTINGS' resize whose crop is taken `where`: "centre" or "top left"."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __call__(self, images, return_tensors):
        image = images[0].convert("RGB")
        width, height = image.size
        scale = 32 / min(width, height)
        resized = np.asarray(
            image.resize((max(32, int(width * scale)), max(32, int(height * scale))), 2)
        )
        top, left = (0, 0)
        if self.where == "centre":
            top, left = (resized.shape[0] - 32) // 2, (resized.shape[1] - 32) // 2
        crop = resized[top : top + 32, left : left + 32].astype(np.float32) / 255
        return {"pixel_values": np.stack([crop.transpose(2, 0, 1)])}


def test_a_processor_that_crops_the_centre_agrees():
    fast = fast_preprocessor_from(SETTINGS, torch_resize=False)
    assert fast is not None
    assert agrees_with_processor(fast, CropsAt("centre"))


def test_a_processor_that_crops_the_top_left_corner_disagrees():
    fast = fast_preprocessor_from(SETTINGS, torch_resize=False)
    assert fast is not None
    assert not agrees_with_processor(fast, CropsAt("top left"))
