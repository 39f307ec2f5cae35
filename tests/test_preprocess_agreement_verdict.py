"""agrees_with_processor on a fixed-size processor: the processor's own pixels decide, and one
that cannot process the test image gives no verdict (the real images will tell), rather than
sending the model to a reference path that would fail on every image."""

from __future__ import annotations

import numpy as np

from tests.tiny_models import FIXED_SIZE
from zsl_cli.encoders.preprocess import agrees_with_processor, fast_preprocessor_from


def test_a_processor_that_fails_on_the_test_image_gives_no_verdict():
    fast = fast_preprocessor_from(FIXED_SIZE, torch_resize=False)

    def failing(images, return_tensors):
        raise ValueError("cannot")

    assert agrees_with_processor(fast, failing)


def test_a_processor_of_the_same_shape_but_other_pixels_disagrees():
    fast = fast_preprocessor_from(FIXED_SIZE, torch_resize=False)

    def zeros(images, return_tensors):
        return {"pixel_values": np.zeros((1, 3, 16, 24), np.float32)}

    assert not agrees_with_processor(fast, zeros)
