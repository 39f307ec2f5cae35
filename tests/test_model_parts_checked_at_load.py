"""What the load reads off a model's parts before it trusts them: a vision tower that resizes its
positions only where that is its default, and the prefix a task checkpoint left on its base
model's weights."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from zsl_cli.encoders.loading import _interpolates_positions, _prefix_left_on


@pytest.mark.parametrize(("default", "resizes"), [(None, False), (False, False), (True, True)])
def test_positions_are_resized_by_default_only_where_the_option_defaults_to_true(default, resizes):
    def get_image_features(pixel_values, interpolate_pos_encoding=default):
        return pixel_values

    model = SimpleNamespace(
        get_image_features=get_image_features, config=SimpleNamespace(model_type="clip")
    )
    assert _interpolates_positions(model) is resizes


def test_the_prefix_left_on_is_the_one_under_which_missing_weights_are():
    loading = {
        "missing_keys": ["vision_model.a.weight", "text_model.b.weight"],
        "unexpected_keys": [
            "ema.text_model.b.weight",  # one missing weight's copy under another name first
            "clip.vision_model.a.weight",
            "clip.text_model.b.weight",
            "decoder.layers.0.weight",
            "decoder.layers.1.weight",
            "decoder.layers.2.weight",
        ],
    }
    assert _prefix_left_on(loading) == "clip"


def test_no_prefix_where_the_unexpected_weights_are_not_the_missing_ones():
    loading = {
        "missing_keys": [],
        "unexpected_keys": ["decoder.layers.0.weight", "decoder.head.bias"],
    }
    assert _prefix_left_on(loading) is None
