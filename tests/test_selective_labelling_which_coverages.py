"""metrics.selective_labelling at the edges of what it gives: the coverages kept at exactly the
fewest images kept and left out, a coverage close to 100% that leaves too few out, a share whose
product with n is an integer only up to rounding, infinite scores, and the arguments refused."""

from __future__ import annotations

import pytest

from zsl_cli.metrics import SelectiveLabelling, selective_labelling


def sample(n: int):
    """n ok images, image i scored (n - i) / 1000 (best first), of class "ab"[i % 2], all right."""
    truth = ["ab"[i % 2] for i in range(n)]
    scores: list[float | None] = [(n - i) / 1000 for i in range(n)]
    return truth, list(truth), scores, ["ok"] * n


def test_a_coverage_keeping_nine_images_is_not_given():
    # 36 images: 25% keeps 9, one fewer than a coverage is given for; 95% and 90% leave 1 and 3
    # out.
    result = selective_labelling(*sample(36))
    assert [p.coverage for p in result.points] == [1.0, 0.8, 0.7, 0.5]


def test_a_coverage_leaving_exactly_five_images_out_is_given():
    # 50 images: 90% keeps 45 and leaves 5 out, the fewest that tell something; 95% leaves 2.
    result = selective_labelling(*sample(50))
    assert [p.coverage for p in result.points] == [1.0, 0.9, 0.8, 0.7, 0.5, 0.25]
    ninety = result.points[1]
    assert (ninety.kept, ninety.threshold) == (45, 0.006)


def test_a_coverage_near_100_percent_that_leaves_too_few_out_is_not_given():
    # 98% of 40 is 39.2: all 40 kept, none left out, so it says no more than 100% does.
    result = selective_labelling(*sample(40), coverages=(1.0, 0.98))
    assert [p.coverage for p in result.points] == [1.0]


def test_a_share_of_n_that_floats_write_just_above_an_integer_keeps_that_integer():
    # 0.55 * 100 is 55.00000000000001 in floating point: 55 images, not 56.
    result = selective_labelling(*sample(100), coverages=(0.55,))
    (point,) = result.points
    assert (point.kept, point.threshold, point.share) == (55, 0.046, 0.55)


@pytest.mark.parametrize("infinite", [float("inf"), float("-inf")])
def test_an_infinite_score_is_no_score(infinite):
    truth, labels, scores, statuses = sample(30)
    scores[0] = infinite
    result = selective_labelling(truth, labels, scores, statuses)
    assert (result.n, result.unscored) == (29, 1)
    assert result.points[0].threshold == 0.001


def test_too_few_scored_images_say_how_many_have_no_score():
    truth, labels, scores, statuses = sample(20)
    scores[0] = scores[1] = None
    result = selective_labelling(truth, labels, scores, statuses)
    assert "fewer than 20 scored images (18; 2 without a score)" in result.reason
    result = selective_labelling(*sample(19))
    assert "fewer than 20 scored images (19):" in result.reason


def test_no_scored_image_keeps_nothing():
    assert SelectiveLabelling(0, 0, 3, (), "the predictions hold no scores").most_kept == 0.0


def test_statuses_of_another_length_are_refused():
    truth, labels, scores, statuses = sample(20)
    with pytest.raises(ValueError, match="same length"):
        selective_labelling(truth, labels, scores, [*statuses, "ok"])


@pytest.mark.parametrize("coverage", [0.0, -0.5])
def test_a_coverage_of_nothing_is_refused(coverage):
    with pytest.raises(ValueError, match="above 0"):
        selective_labelling(*sample(20), coverages=(1.0, coverage))
