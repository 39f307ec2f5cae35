"""A checkpoint's logit_bias is SigLIP's sigmoid term alone: a softmax over classes takes no bias
(adding one constant to every logit changes no probability), so a CLIP-style model that happens
to carry one neither reports it nor is refused for it."""

from __future__ import annotations

import math

import pytest
import torch

from zsl_cli.encoders.base import ScoreHead
from zsl_cli.encoders.hf import _score_head


def model_with(log_scale: float, bias: float) -> torch.nn.Module:
    model = torch.nn.Module()
    model.logit_scale = torch.nn.Parameter(torch.tensor(log_scale))
    model.logit_bias = torch.nn.Parameter(torch.tensor(bias))
    return model


@pytest.mark.parametrize("model_type", ["siglip", "siglip2"])
def test_siglip_scores_with_exp_of_its_scale_and_its_bias(model_type):
    head = _score_head(model_with(math.log(50.0), -7.0), model_type, "m")
    assert head == ScoreHead("sigmoid", pytest.approx(50.0), -7.0)


@pytest.mark.parametrize("bias", [-7.0, math.nan])
def test_a_softmax_model_ignores_a_logit_bias(bias):
    head = _score_head(model_with(math.log(50.0), bias), "clip", "m")
    assert head == ScoreHead("softmax", pytest.approx(50.0), 0.0)
