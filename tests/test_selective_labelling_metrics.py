"""metrics.selective_labelling: the thresholds `zsl label --threshold` would need to keep a share
of a labelled sample, and the top-1 accuracy of what it keeps, computed by hand."""

from __future__ import annotations

import pytest

from zsl_cli.metrics import UNKNOWN, selective_labelling


def sample(n: int = 20, wrong: tuple[int, ...] = (), classes: str = "ab"):
    """n ok images, image i scored (n - i) / 100 (best first), its true class classes[i % 2],
    labelled with it but for the images in `wrong` (labelled with another)."""
    truth = [classes[i % len(classes)] for i in range(n)]
    labels = [("x" if i in wrong else truth[i]) for i in range(n)]
    scores: list[float | None] = [(n - i) / 100 for i in range(n)]
    return truth, labels, scores, ["ok"] * n


def test_coverages_thresholds_and_accuracy_by_hand():
    # 40 images scored 0.40, 0.39, ..., 0.01; the 4 lowest-scored and image 0 are wrong.
    truth, labels, scores, statuses = sample(40, wrong=(0, 36, 37, 38, 39))
    result = selective_labelling(truth, labels, scores, statuses)
    assert result.available and result.reason == ""
    assert (result.n, result.abstained, result.unscored) == (40, 0, 0)
    by_coverage = {p.coverage: p for p in result.points}
    # 95% would leave out 2 images, 90% 4: fewer than 5 tell nothing, so neither is given.
    assert sorted(by_coverage) == [0.25, 0.5, 0.7, 0.8, 1.0]
    full = by_coverage[1.0]
    assert (full.threshold, full.kept, full.correct, full.share) == (0.01, 40, 35, 1.0)
    assert full.accuracy == pytest.approx(35 / 40)
    # 80%: 32 images, the 32nd best scores 0.09; all of them right but image 0.
    eighty = by_coverage[0.8]
    assert (eighty.threshold, eighty.kept, eighty.correct) == (0.09, 32, 31)
    # 70%: ceil(28) = 28 images, down to 0.13
    assert (by_coverage[0.7].threshold, by_coverage[0.7].kept) == (0.13, 28)
    # 25%: 10 images, down to 0.31; image 0 (class a) is its one miss
    quarter = by_coverage[0.25]
    assert (quarter.threshold, quarter.kept, quarter.correct) == (0.31, 10, 9)
    # per class: a has images 0, 2, ..., 8 (4 of 5 right), b 1, ..., 9 (5 of 5)
    assert quarter.mean_per_class == pytest.approx((4 / 5 + 1) / 2)
    assert quarter.n_classes == 2


def test_ties_at_the_threshold_are_kept_as_label_keeps_them():
    truth, labels, scores, statuses = sample(40)
    # Images 25 to 34 tie at 0.1: 70% (28 images) needs the score of the 28th, and every image
    # at it is kept, as `zsl label --threshold 0.1` keeps score >= 0.1.
    for i in range(25, 35):
        scores[i] = 0.1
    result = selective_labelling(truth, labels, scores, statuses)
    seventy = next(p for p in result.points if p.coverage == 0.7)
    assert seventy.threshold == 0.1
    assert seventy.kept == 35
    assert seventy.share == pytest.approx(35 / 40)


def test_scores_are_compared_as_written():
    truth, labels, scores, statuses = sample(20)
    # Two scores that 7 significant digits write alike are one score: both kept at it.
    scores[9] = 0.1100000004
    scores[10] = 0.1099999996
    result = selective_labelling(truth, labels, scores, statuses)
    half = next(p for p in result.points if p.coverage == 0.5)
    assert half.threshold == 0.11
    assert half.kept == 11


def test_abstentions_are_never_kept_and_count_in_the_whole():
    truth, labels, scores, statuses = sample(40)
    # The 8 lowest-scored images were labelled unknown under a --threshold.
    for i in range(32, 40):
        labels[i] = UNKNOWN
    labels[31] = ""  # a label emptied since: no label to keep either
    result = selective_labelling(truth, labels, scores, statuses)
    assert (result.n, result.abstained) == (40, 9)
    assert result.most_kept == pytest.approx(31 / 40)
    # 100% and 80% (32 images) would need 9 or 1 of them; 70% keeps 28 of the 31 others.
    assert [p.coverage for p in result.points] == [0.7, 0.5, 0.25]
    assert result.points[0].kept == 28
    assert result.points[0].accuracy == 1.0


def test_an_abstention_scored_high_is_still_not_kept():
    truth, labels, scores, statuses = sample(40)
    labels[0] = UNKNOWN  # the best score, yet "unknown" (edited by hand)
    result = selective_labelling(truth, labels, scores, statuses)
    quarter = next(p for p in result.points if p.coverage == 0.25)
    # 10 images are kept: down to image 10's 0.30, image 0 aside
    assert (quarter.threshold, quarter.kept, quarter.correct) == (0.30, 10, 10)


def test_failed_and_unscored_images_are_left_out():
    truth, labels, scores, statuses = sample(30)
    statuses[0] = "not_an_image"
    labels[0] = ""
    scores[0] = None
    scores[1] = None  # ok, but its score cell emptied
    scores[2] = float("nan")
    result = selective_labelling(truth, labels, scores, statuses)
    assert (result.n, result.unscored) == (27, 2)
    full = result.points[0]
    assert (full.coverage, full.kept, full.threshold) == (1.0, 27, 0.01)


def test_one_class_sigmoid_scale_works_as_well():
    # SigLIP's sigmoids are often tiny: the thresholds are the sample's own scores.
    truth, labels, _, statuses = sample(20)
    scores: list[float | None] = [1e-5 * (20 - i) for i in range(20)]
    result = selective_labelling(truth, labels, scores, statuses)
    half = next(p for p in result.points if p.coverage == 0.5)
    assert half.threshold == pytest.approx(1.1e-4)
    assert half.kept == 10


@pytest.mark.parametrize(
    ("column", "start", "value", "reason"),
    [
        ("scores", 0, None, "the predictions hold no scores"),
        ("scores", 0, 0.5, "every labelled image has the same top score"),
        ("statuses", 1, "not_an_image", "fewer than 20 scored images (1)"),
        ("statuses", 0, "not_an_image", "no image was labelled"),
        ("labels", 0, UNKNOWN, "every scored image is labelled unknown"),
        # 9 labelled: no coverage keeps 10 of them
        ("labels", 9, UNKNOWN, "too few labelled images: 9 of 20"),
    ],
)
def test_unavailable_with_a_reason(column, start, value, reason):
    truth, labels, scores, statuses = sample(20)
    values = {"scores": scores, "statuses": statuses, "labels": labels}[column]
    values[start:] = [value] * (len(values) - start)
    result = selective_labelling(truth, labels, scores, statuses)
    assert not result.available
    assert result.points == ()
    assert reason in result.reason


def test_fewer_than_twenty_images_give_no_curve():
    truth, labels, scores, statuses = sample(19)
    result = selective_labelling(truth, labels, scores, statuses)
    assert not result.available and "fewer than 20 scored images (19)" in result.reason
    result = selective_labelling(*sample(20))
    # 20 images: 100% and what keeps 10 or more while leaving 5 or more out (70%, 50%)
    assert [p.coverage for p in result.points] == [1.0, 0.7, 0.5]


def test_bad_arguments_are_refused():
    truth, labels, scores, statuses = sample(20)
    with pytest.raises(ValueError, match="same length"):
        selective_labelling(truth, labels[:-1], scores, statuses)
    with pytest.raises(ValueError, match="coverage"):
        selective_labelling(truth, labels, scores, statuses, coverages=(1.5,))
