"""`zsl hubness --truth` gives no verdict on an accuracy gain that a couple of truth images make,
and says how many images a gain rests on."""

from __future__ import annotations

import numpy as np

from zsl_cli import hubness


def _centred_away_hub(n_right: int) -> tuple[np.ndarray, np.ndarray]:
    """40 images over 4 classes: class 0 is every image's nearest (cosine 0.5); the first
    `n_right` images are nearer class 1 than the others are (0.45 to 0.1), which centering makes
    their top-1. Their truth is class 1; the others have none."""
    sims = np.zeros((40, 4), dtype=np.float32)
    sims[:, 0] = 0.5
    sims[:, 1] = 0.1
    sims[:n_right, 1] = 0.45
    truth = np.full(40, -1)
    truth[:n_right] = 1
    return sims, truth


def test_a_gain_that_one_truth_image_makes_gets_no_verdict_and_says_what_it_rests_on():
    names = ["hub", "b", "c", "d"]
    sims, truth = _centred_away_hub(1)
    one = hubness.compare(sims, names, truth=truth, methods=("none", "centering"))
    assert one.methods["centering"].accuracy["mean_per_class"] == 1.0
    assert one.methods["none"].accuracy["mean_per_class"] == 0.0
    assert one.recommended_method is None
    assert one.recommendation == (
        "No verdict from the truth: centering's mean per-class accuracy 100.0% vs 0.0% without "
        "reduction rests on 1 truth image it labels right that the raw similarities get wrong, "
        "0 the other way round: within the 100.00 points that 2 truth images turned right could "
        "add; give more truth images per class, or leave out --truth to judge by hubness."
    )
    # Ten images of the class: two of them are 20 points, the gain 100.
    sims, truth = _centred_away_hub(10)
    ten = hubness.compare(sims, names, truth=truth, methods=("none", "centering"))
    assert ten.recommended_method == "centering"
    assert ten.recommendation == (
        "Try --hubness-reduction centering: mean per-class accuracy 100.0% vs 0.0% without "
        "reduction (10 truth images it labels right that the raw similarities get wrong, 0 the "
        "other way round)."
    )
