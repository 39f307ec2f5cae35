"""A rescale_factor of 0 or below makes every image the same input (all zero, or the negatives of
what the model was trained on): it is refused as a setting no image gets through, as a std of 0
is; a rescale that is off never reads it. Saved settings without one rescale by transformers'
default, 1 / 255."""

from __future__ import annotations

import pytest
from transformers import CLIPImageProcessorPil

from tests.tiny_models import CLIP_LIKE
from zsl_cli.encoders.preprocess import fast_preprocessor_from, settings_problem

SETTINGS = CLIP_LIKE


@pytest.mark.parametrize(
    ("factor", "shown"),
    [(0, "0"), (0.0, "0.0"), (-0.5, "-0.5"), ("1/255", '"1/255"'), (True, "true")],
)
def test_a_rescale_factor_that_is_not_a_number_above_0_is_a_problem(factor, shown):
    assert settings_problem({**SETTINGS, "rescale_factor": factor}) == (
        f"rescale_factor {shown}",
        "is not a number above 0",
    )


@pytest.mark.parametrize("factor", [1 / 255, 1, 2.0])
def test_a_rescale_factor_above_0_is_no_problem(factor):
    assert settings_problem({**SETTINGS, "rescale_factor": factor}) is None


def test_a_rescale_factor_is_not_read_when_no_rescale_is_done():
    assert settings_problem({**SETTINGS, "do_rescale": False, "rescale_factor": 0}) is None


def test_saved_settings_without_a_rescale_factor_rescale_as_transformers_does():
    settings = {key: value for key, value in SETTINGS.items() if key != "rescale_factor"}
    _, norm = fast_preprocessor_from(settings)
    assert norm.rescale == CLIPImageProcessorPil().rescale_factor == 1 / 255
    _, norm = fast_preprocessor_from({**settings, "do_rescale": False})
    assert norm.rescale == 1.0
