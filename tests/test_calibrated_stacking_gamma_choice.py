"""Calibrated stacking's reported gamma and sweep: which of two equally good gammas is reported,
and where the default sweep ends when the largest switch point is exactly 0."""

from __future__ import annotations

import numpy as np

from zsl_cli.metrics import calibrated_stacking

# Columns: seen S1, S2, unseen U1, U2; one image of each class. Switch points d = best seen -
# best unseen: S1's image 2, S2's 0, U1's -2, U2's 0.
SCORES = np.array(
    [
        [3.0, 0.0, 1.0, 0.0],  # S1: right while gamma < 2
        [0.0, 1.0, 1.0, 0.0],  # S2: right while gamma < 0
        [1.0, 0.0, 3.0, 0.0],  # U1: right once gamma >= -2
        [1.0, 0.0, 0.0, 1.0],  # U2: right once gamma >= 0
    ]
)
TRUTH = np.array([0, 1, 2, 3])
SEEN = np.array([True, True, False, False])


def test_of_two_gammas_equally_near_zero_with_equal_h_the_lower_is_reported():
    # gamma -1: seen (1 + 1) / 2 = 1, unseen (1 + 0) / 2 = 0.5; gamma 1: seen 0.5, unseen 1.
    # H = 2/3 at both, and both are 1 away from 0: the lower one, as the sweep ascends.
    result = calibrated_stacking(SCORES, TRUTH, SEEN, gammas=[1.0, -1.0])
    assert result.gammas.tolist() == [-1.0, 1.0]
    assert result.seen_curve.tolist() == [1.0, 0.5]
    assert result.unseen_curve.tolist() == [0.5, 1.0]
    assert result.gamma == -1.0
    assert (result.seen, result.unseen) == (1.0, 0.5)


def test_the_default_sweep_ends_at_zero_when_the_largest_switch_point_is_zero():
    # d = -0.5 (U1's image) and 0 (S1's, a tie): at gamma 0 every image predicts an unseen
    # class already, so 0 is the sweep's top end and no gamma above it adds a point.
    scores = np.array([[0.5, 0.5], [0.25, 0.75]])
    result = calibrated_stacking(scores, np.array([0, 1]), np.array([True, False]))
    low = result.gammas[0]
    assert low < -0.5
    assert result.gammas.tolist() == [low, -0.25, 0.0]
    assert result.seen_curve.tolist() == [1.0, 1.0, 0.0]
    assert result.unseen_curve.tolist() == [0.0, 1.0, 1.0]
    assert (result.gamma, result.seen, result.unseen) == (-0.25, 1.0, 1.0)


def test_one_switch_point_still_gets_a_gamma_below_it():
    # Both images switch at d = -0.5: the sweep must hold a gamma below it, where the seen
    # image is still right (the curve's all-seen point), and gamma 0, where both predict U.
    scores = np.array([[0.25, 0.75], [0.25, 0.75]])
    result = calibrated_stacking(scores, np.array([0, 1]), np.array([True, False]))
    assert result.gammas.size == 2
    assert result.gammas[0] < -0.5 and result.gammas[1] == 0.0
    assert result.seen_curve.tolist() == [1.0, 0.0]
    assert result.unseen_curve.tolist() == [0.0, 1.0]
    assert (result.gamma, result.harmonic_mean) == (0.0, 0.0)


def test_without_a_finite_switch_point_gamma_zero_is_reported():
    # Each image has scores of one group only (the other is no candidate: -inf), so no gamma
    # changes a prediction: the sweep is gamma 0 alone, the labels' own point.
    scores = np.array([[0.9, -np.inf], [-np.inf, 0.8]])
    result = calibrated_stacking(scores, np.array([0, 1]), np.array([True, False]))
    assert result.gammas.tolist() == [0.0]
    assert (result.gamma, result.seen, result.unseen, result.harmonic_mean) == (0.0, 1.0, 1.0, 1.0)
