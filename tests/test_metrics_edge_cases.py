"""zsl_cli.metrics at its edges, with expected values worked out by hand: no image labelled, an
"unknown" inside a ranking, a limit of no mistakes, and calibrated stacking's refusals, its sweep
when every image already predicts an unseen class, images that could not be scored, and equal
margins on scores of different sizes."""

from __future__ import annotations

import numpy as np
import pytest

from zsl_cli.metrics import UNKNOWN, calibrated_stacking, classification_metrics


def test_top_k_of_a_run_where_no_image_got_a_label_keeps_each_k() -> None:
    # One failed image and one abstention without a ranking: no class was offered, so there is
    # nothing to clip k to. Every image is a miss, and nothing is noted.
    m = classification_metrics(["a", "b"], ["", UNKNOWN], [[], []], ["unreadable", "ok"], ks=(1, 3))
    assert m.candidates == ()
    assert [(t.k, t.k_used, t.note) for t in m.top_k] == [(1, 1, ""), (3, 3, "")]
    assert [(t.overall, t.mean_per_class) for t in m.top_k] == [(0.0, 0.0), (0.0, 0.0)]


def test_an_unknown_inside_a_ranking_takes_no_place_in_it() -> None:
    # Image of class a labelled b, ranked b, unknown, a: its ranking is (b, a), a hit at k=2.
    # Image of class b labelled b. Candidates are a and b only.
    m = classification_metrics(
        ["a", "b"], ["b", "b"], [["b", UNKNOWN, "a"], ["b", "a"]], ["ok", "ok"], ks=(1, 2)
    )
    assert m.candidates == ("a", "b")
    top1, top2 = m.top_k
    assert (top1.overall, top1.mean_per_class) == (0.5, 0.5)
    assert (top2.k_used, top2.overall, top2.mean_per_class, top2.note) == (2, 1.0, 1.0, "")


def test_a_limit_of_no_mistakes_lists_none() -> None:
    m = classification_metrics(["a", "b"], ["b", "a"], [[], []], ["ok", "ok"], ks=(1,))
    assert m.confusion.mistakes() == [("a", "b", 1), ("b", "a", 1)]
    assert m.confusion.mistakes(limit=0) == []


SCORES = np.array([[0.6, 0.1, 0.3], [0.2, 0.5, 0.3], [0.5, 0.1, 0.4]])
SEEN = np.array([True, True, False])


def test_calibrated_stacking_refuses_a_truth_without_seen_images() -> None:
    with pytest.raises(ValueError, match="needs images of both seen and unseen classes"):
        calibrated_stacking(SCORES, np.array([2, 2, 2]), SEEN)


def test_calibrated_stacking_refuses_a_negative_truth_column() -> None:
    # numpy would take -1 as the last column, the unseen class here.
    with pytest.raises(ValueError, match="truth_idx must hold column indices"):
        calibrated_stacking(SCORES, np.array([0, 1, -1]), SEEN)


def test_the_sweep_ends_at_zero_when_every_image_predicts_an_unseen_class_there() -> None:
    # Column 0 seen, column 1 unseen. Switch points d = 0.25 - 0.5 = -0.25 (the seen class's
    # image) and 0 - 0.5 = -0.5 (the unseen class's). The sweep: below -0.5 by the pad
    # max(0.01 * 0.25, 1e-6) = 0.0025, the midpoint -0.375, and 0, beyond both: no other point.
    scores = np.array([[0.25, 0.5], [0.0, 0.5]])
    result = calibrated_stacking(scores, np.array([0, 1]), np.array([True, False]))
    assert result.gammas.tolist() == pytest.approx([-0.5025, -0.375, 0.0])
    # At -0.5025 both predict the seen class, at -0.375 each its own, at 0 both the unseen one.
    assert result.seen_curve.tolist() == [1.0, 1.0, 0.0]
    assert result.unseen_curve.tolist() == [0.0, 1.0, 1.0]
    assert (result.gamma, result.seen, result.unseen, result.harmonic_mean) == (
        pytest.approx(-0.375),
        1.0,
        1.0,
        1.0,
    )


def test_an_image_that_could_not_be_scored_does_not_move_the_best_gamma() -> None:
    # Classes A, B seen, C unseen. Switch points d = best seen - best unseen of the scored
    # images: A 0.3, B 0.2, C 0.1 and 0.25; a third image of C could not be scored (a NaN),
    # so it is wrong at every gamma and C's accuracy is out of 3.
    #   gamma in [0.1, 0.2):  seen (1 + 1) / 2 = 1,    unseen 1/3: H = 1/2
    #   gamma in [0.2, 0.25): seen 1/2,                unseen 1/3: H = 2/5
    #   gamma in [0.25, 0.3): seen 1/2,                unseen 2/3: H = 4/7, the best
    # The sweep's point there is the midpoint 0.275, whichever of the unscored image's scores
    # are NaN: those left are no scores it has, and lay no switch point of their own. (0 is the
    # low end, as every d is above it; the high end is 0.3 + 0.01 * 0.2.)
    scored = [[0.6, 0.1, 0.3], [0.2, 0.5, 0.3], [0.5, 0.1, 0.4], [0.25, 0.5, 0.25]]
    truth = np.array([0, 1, 2, 2, 2])
    seen = np.array([True, True, False])
    for unscored in ([np.nan, np.nan, np.nan], [0.56, np.nan, 0.3], [np.nan, 0.4, 0.3]):
        result = calibrated_stacking(np.array([*scored, unscored]), truth, seen)
        assert result.gamma == pytest.approx(0.275), unscored
        assert (result.seen, result.unseen) == pytest.approx((0.5, 2 / 3)), unscored
        assert result.harmonic_mean == pytest.approx(4 / 7), unscored
        assert result.gammas.tolist() == pytest.approx([0.0, 0.15, 0.225, 0.275, 0.302]), unscored


@pytest.mark.parametrize("large", [[100.1, 100.0], [100.2, 100.1]])
def test_equal_decimal_margins_switch_together_whatever_the_scores_size(large: list[float]) -> None:
    # Both images lead by 0.1 as written, one on scores near 0.3, the other near 100, where a
    # float step is some 300 times larger: 0.3 - 0.2 comes out 0.09999999999999998, and
    # 100.1 - 100.0 0.09999999999999432 below it, 100.2 - 100.1 0.10000000000000853 above it.
    # One gamma switches both, so none has both right.
    scores = np.array([[0.3, 0.2], large])  # column 0 seen, column 1 unseen
    result = calibrated_stacking(scores, np.array([0, 1]), np.array([True, False]))
    assert result.harmonic_mean == 0.0 and result.gamma == 0.0
    assert set(zip(result.unseen_curve, result.seen_curve, strict=True)) == {(0.0, 1.0), (1.0, 0.0)}
