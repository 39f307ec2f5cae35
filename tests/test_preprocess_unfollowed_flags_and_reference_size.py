"""Processor switches the fast path does not follow send the model to the processor itself, and
the reference path's fixed input size is the shape the processor's own output has."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from transformers import CLIPImageProcessorPil

from tests.tiny_models import CLIP_LIKE
from zsl_cli.encoders.preprocess import fast_preprocessor_from, reference_input_size


@pytest.mark.parametrize(
    "flag", ["do_pad", "do_reduce_labels", "do_image_splitting", "do_flip_channel_order"]
)
def test_a_switch_the_fast_path_does_not_follow_leaves_it_none(flag):
    assert fast_preprocessor_from({**CLIP_LIKE, flag: False}) is not None
    assert fast_preprocessor_from({**CLIP_LIKE, flag: True}) is None


@pytest.mark.parametrize(
    "settings",
    [
        {"size": {"height": 20, "width": 30}, "do_center_crop": False, "crop_size": 16},
        {"size": {"height": 20, "width": 30}, "do_center_crop": True, "crop_size": 16},
        {
            "size": {"shortest_edge": 24},
            "do_center_crop": True,
            "crop_size": {"height": 12, "width": 18},
        },
    ],
)
def test_the_reference_input_size_is_the_processors_output_shape(settings):
    processor = CLIPImageProcessorPil(**settings)
    image = Image.fromarray(np.zeros((50, 70, 3), np.uint8))
    shape = processor(images=[image], return_tensors="np")["pixel_values"][0].shape
    assert reference_input_size(processor) == shape[1:]


def test_a_shortest_edge_resize_without_a_crop_has_no_reference_input_size():
    processor = CLIPImageProcessorPil(size={"shortest_edge": 24}, do_center_crop=False)
    assert reference_input_size(processor) is None
