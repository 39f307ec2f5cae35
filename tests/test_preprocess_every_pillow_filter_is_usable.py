"""Every one of Pillow's six resampling filters is a usable `resample` setting, whatever filter
the fast path then resizes with; only numbers past them fail every image."""

from __future__ import annotations

import pytest

from tests.tiny_models import CLIP_LIKE
from zsl_cli.encoders.preprocess import settings_problem


@pytest.mark.parametrize("resample", [0, 1, 2, 3, 4, 5])
def test_each_of_pillows_filters_is_no_problem(resample):
    assert settings_problem({**CLIP_LIKE, "resample": resample}) is None


@pytest.mark.parametrize("resample", [-1, 6])
def test_a_number_past_pillows_filters_is_a_problem(resample):
    found = settings_problem({**CLIP_LIKE, "resample": resample})
    assert found is not None and found[0] == f"resample {resample}"
