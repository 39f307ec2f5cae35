"""The score scale at its edges: a logit_scale of minus infinity makes a scale of 0, which ranks
every class alike and is refused; AIMv2's max_log_logit_scale clamps the logarithm to
[0, ceiling], so a scale never falls below 1 nor rises above exp(ceiling)."""

from __future__ import annotations

import math

import pytest
import torch

from zsl_cli.encoders.hf import _score_head
from zsl_cli.errors import ZslError


def model_with(log_scale: float, ceiling: float | None = None) -> torch.nn.Module:
    model = torch.nn.Module()
    model.logit_scale = torch.nn.Parameter(torch.tensor(log_scale))
    if ceiling is not None:
        model.max_log_logit_scale = ceiling
    return model


def test_a_logit_scale_of_minus_infinity_is_refused():
    with pytest.raises(ZslError) as info:
        _score_head(model_with(-math.inf), "clip", "m")
    assert info.value.message.startswith(
        "model m: its logit_scale of -inf makes a score scale of 0 (bias 0)"
    )


@pytest.mark.parametrize(("log_scale", "scale"), [(-2.0, 1.0), (2.0, math.exp(2.0)), (9.0, 100.0)])
def test_a_ceiling_on_the_log_scale_clamps_it_to_zero_and_the_ceiling(log_scale, scale):
    head = _score_head(model_with(log_scale, ceiling=math.log(100.0)), "aimv2", "m")
    assert head.scale == pytest.approx(scale)
