"""A sigmoid head's score of a logit far below zero (SigLIP's scale times a low similarity, plus
its negative bias, reaches -100) is the small positive number it is, not 0, and computing it
overflows nothing: exp is only ever taken of minus the logit's size."""

from __future__ import annotations

import warnings

import numpy as np

from zsl_cli.encoders.base import ScoreHead
from zsl_cli.scoring import rank


def test_a_logit_of_minus_100_scores_about_exp_of_it_without_overflow() -> None:
    sims = np.array([[0.0, -1.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        indices, values = rank(sims, ScoreHead("sigmoid", 100.0, 0.0), 0)
    assert indices.tolist() == [[0, 1]]
    assert values.dtype == np.float32
    assert values[0, 0] == np.float32(0.5)
    assert 0.0 < values[0, 1] <= np.float32(np.exp(-99.0))
