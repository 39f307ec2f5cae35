"""zsl_cli.metrics: hand-computed cases and cross-checks against scikit-learn / direct formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import (
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    top_k_accuracy_score,
)

from zsl_cli.metrics import (
    FAILED,
    UNKNOWN,
    ClassStats,
    calibrated_stacking,
    classification_metrics,
    gzsl_accuracy,
    harmonic_mean,
    mean_per_class,
    worst_first,
)

# --- hand-computed -------------------------------------------------------------------------------


def tiny_case(ks=(1, 2, 3, 5)):
    """Six images: a class with one image (b), a class never predicted (c), a predicted class
    absent from the truth (d), an abstention and a failed image."""
    truth = ["a", "a", "a", "b", "c", "c"]
    labels = ["a", "b", UNKNOWN, "", "a", "d"]
    ranked = [
        ["a", "b", "c"],
        ["b", "a", "c"],
        ["a", "b", "c"],
        [],
        ["a", "c", "b"],
        ["d", "c", "a"],
    ]
    statuses = ["ok", "ok", "ok", "unreadable", "ok", "ok"]
    return classification_metrics(truth, labels, ranked, statuses, ks)


def test_tiny_case_top_k_by_hand():
    m = tiny_case()
    by_k = {t.k: t for t in m.top_k}
    # top-1: a 1/3, b 0, c 0 -> 1/9; overall 1/6
    assert by_k[1].mean_per_class == pytest.approx(1 / 9)
    assert by_k[1].overall == pytest.approx(1 / 6)
    # top-2: a hits images 1, 2 (the abstention is a miss although its ranking has a first),
    # b's only image failed, c hits both -> (2/3 + 0 + 1) / 3; overall 4/6
    assert by_k[2].mean_per_class == pytest.approx(5 / 9)
    assert by_k[2].overall == pytest.approx(4 / 6)
    assert by_k[3].overall == pytest.approx(4 / 6)
    # 4 candidate classes (a, b, c, d): k=5 is clipped to 4, which the 3-long rankings lack.
    assert by_k[5].k_used == 4
    assert by_k[5].mean_per_class is None and by_k[5].overall is None
    assert "clipped to 4" in by_k[5].note and "not computable" in by_k[5].note
    assert by_k[1].note == "" and by_k[1].overall is not None


def test_a_one_class_ranking_is_named_in_the_singular():
    m = classification_metrics(["a", "b"], ["a", "b"], [["a"], ["b"]], ["ok", "ok"], (2,), 2)
    assert "only 1 ranked class, fewer than 2" in m.top_k[0].note


def test_tiny_case_per_class_confusion_failures():
    m = tiny_case()
    stats = {s.name: s for s in m.per_class}
    assert (stats["a"].support, stats["a"].correct, stats["a"].predicted) == (3, 1, 2)
    assert stats["a"].precision == pytest.approx(0.5)
    assert stats["a"].recall == stats["a"].accuracy == pytest.approx(1 / 3)
    assert stats["a"].f1 == pytest.approx(0.4)
    assert (stats["b"].support, stats["b"].precision, stats["b"].f1) == (1, 0.0, 0.0)
    assert (stats["c"].predicted, stats["c"].precision, stats["c"].recall) == (0, 0.0, 0.0)
    assert m.macro_f1 == pytest.approx(0.4 / 3)
    assert m.classes == ("a", "b", "c")
    assert m.candidates == ("a", "b", "c", "d")
    assert m.confusion.columns == ("a", "b", "c", "d", UNKNOWN, FAILED)
    assert m.confusion.matrix.tolist() == [
        [1, 1, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 1],
        [1, 0, 0, 1, 0, 0],
    ]
    assert m.extra_predicted == {"d": 1}
    assert (m.abstained, m.failed, m.failed_by_status) == (1, 1, {"unreadable": 1})
    assert m.confusion.mistakes() == [
        ("a", "b", 1),
        ("a", UNKNOWN, 1),
        ("c", "a", 1),
        ("c", "d", 1),
    ]
    assert m.confusion.mistakes(limit=1) == [("a", "b", 1)]


def test_ties_follow_the_given_order():
    # Both images have a tie between their top two classes; the ranking order decides.
    m = classification_metrics(
        ["b", "a"], ["a", "a"], [["a", "b", "c"], ["a", "b", "c"]], ["ok", "ok"], ks=(1, 2)
    )
    top1, top2 = m.top_k
    assert top1.overall == pytest.approx(0.5)  # "b" image labelled "a" is a miss at k=1
    assert top2.overall == pytest.approx(1.0)
    assert top1.mean_per_class == pytest.approx(0.5)


def test_label_leads_the_ranking_and_truncated_rankings_are_not_computable():
    # The label comes first even when the labeller listed it elsewhere.
    m = classification_metrics(["b"], ["b"], [["a", "b"]], ["ok"], ks=(1,))
    assert m.top_k[0].overall == 1.0
    # Five candidates overall but every image carries two: top-3 cannot be computed.
    ranked = [["a", "b"], ["c", "d"], ["e", "a"]]
    m = classification_metrics(["a", "c", "e"], ["a", "c", "e"], ranked, ["ok"] * 3, ks=(1, 2, 3))
    by_k = {t.k: t for t in m.top_k}
    assert by_k[2].overall == 1.0
    assert by_k[3].overall is None and "--top-k 3" in by_k[3].note


def test_a_label_without_a_ranking_and_an_ok_row_without_a_label():
    # A hand-made predictions CSV may leave the top-k columns empty: the label alone is still a
    # candidate class. An ok row with an empty label gave no answer: an abstention, not a class.
    m = classification_metrics(["a", "b"], ["", "b"], [[], []], ["ok", "ok"], ks=(1,))
    assert m.candidates == ("b",)
    assert m.abstained == 1 and m.extra_predicted == {}
    assert m.confusion.columns == ("a", "b", UNKNOWN, FAILED)
    assert m.confusion.matrix.tolist() == [[0, 0, 1, 0], [0, 1, 0, 0]]
    assert m.top_k[0].overall == 0.5


def test_everything_failed_still_gives_numbers():
    m = classification_metrics(["a", "b"], ["", ""], [[], []], ["truncated", "too_large"], (1, 5))
    assert [t.overall for t in m.top_k] == [0.0, 0.0]
    assert m.macro_f1 == 0.0
    assert m.failed_by_status == {"too_large": 1, "truncated": 1}


def test_input_checks():
    with pytest.raises(ValueError):
        classification_metrics(["a"], ["a", "b"], [[], []], ["ok", "ok"])
    with pytest.raises(ValueError):
        classification_metrics([], [], [], [])
    with pytest.raises(ValueError):
        classification_metrics(["a"], ["a"], [["a"]], ["ok"], ks=(0,))


def test_top_k_is_clipped_to_the_labellers_class_count_when_given():
    # Rankings of 3 classes cut from 10: top-5 is not computable, not top-3 under another name.
    ranked = [["a", "b", "c"], ["b", "a", "c"]]
    ok = ["ok", "ok"]
    told = classification_metrics(["a", "b"], ["a", "b"], ranked, ok, ks=(5,), n_classes=10)
    assert told.top_k[0].k_used == 5 and told.top_k[0].overall is None
    guessed = classification_metrics(["a", "b"], ["a", "b"], ranked, ok, ks=(5,))
    assert guessed.top_k[0].k_used == 3 and guessed.top_k[0].overall == 1.0


def test_each_k_is_reported_once_in_ascending_order():
    m = classification_metrics(["a"], ["a"], [["a", "b"]], ["ok"], ks=(2, 1, 2))
    assert [t.k for t in m.top_k] == [1, 2]


def test_mean_per_class_counts_only_classes_with_images():
    # Class rates: 0 -> 1/2, 1 -> 1, 2 -> 1; class 3 has no image. Plain mean over images: 3/4.
    hits = np.array([1.0, 0.0, 1.0, 1.0])
    classes = np.array([0, 0, 1, 2])
    assert mean_per_class(hits, classes, 4) == pytest.approx(2.5 / 3)
    # Within a group, its classes without images are left out too: (1/2 + 1) / 2.
    assert mean_per_class(hits, classes, 4, among=np.array([True, True, False, True])) == 0.75
    # A group whose only class has no image has no mean.
    assert math.isnan(mean_per_class(hits, classes, 4, among=np.array([False, False, False, True])))


def test_mistakes_are_listed_most_frequent_first():
    m = classification_metrics(["a", "b", "b"], ["c", "a", "a"], [[], [], []], ["ok"] * 3, (1,))
    assert m.confusion.mistakes() == [("b", "a", 2), ("a", "c", 1)]


def test_worst_first_breaks_ties_by_f1_then_larger_support_then_name():
    def row(name: str, support: int, recall: float, f1: float) -> ClassStats:
        return ClassStats(name, support, 0, 0, 0.0, recall, f1)

    rows = [row("x", 2, 0.5, 0.5), row("y", 4, 0.5, 0.5), row("w", 9, 0.5, 0.4), row("z", 1, 0, 0)]
    assert [r.name for r in worst_first(rows)] == ["z", "w", "y", "x"]


def test_gzsl_by_hand():
    g = gzsl_accuracy({"a": 1.0, "b": 0.5, "c": 0.25}, seen_classes={"a", "b", "zzz"})
    assert g.seen == pytest.approx(0.75)
    assert g.unseen == pytest.approx(0.25)
    assert g.harmonic_mean == pytest.approx(2 * 0.75 * 0.25 / 1.0)
    only_seen = gzsl_accuracy({"a": 1.0}, seen_classes={"a"})
    assert only_seen.unseen is None and only_seen.harmonic_mean is None
    assert harmonic_mean(0.0, 0.0) == 0.0
    assert harmonic_mean(0.5, 0.0) == 0.0


def test_gzsl_counts_a_class_at_zero_accuracy():
    g = gzsl_accuracy({"a": 1.0, "b": 0.0, "c": 0.5}, seen_classes={"a"})
    assert g.unseen == pytest.approx(0.25)
    assert g.harmonic_mean == pytest.approx(2 * 1.0 * 0.25 / 1.25)
    # A group's accuracy is the mean of its classes' (not their median, nor the best class's).
    three = gzsl_accuracy({"a": 1.0, "b": 0.0, "c": 0.0, "u": 1.0}, seen_classes={"a", "b", "c"})
    assert three.seen == pytest.approx(1 / 3)


# --- calibrated stacking -------------------------------------------------------------------------

# Classes A, B seen; C unseen. Images: A, B, C, C. Switch points d = max seen - max unseen:
# 0.3, 0.2, 0.1, 0.25.
TINY_SCORES = np.array(
    [[0.6, 0.1, 0.3], [0.2, 0.5, 0.3], [0.5, 0.1, 0.4], [0.25, 0.5, 0.25]], dtype=np.float64
)
TINY_TRUTH = np.array([0, 1, 2, 2])
TINY_SEEN = np.array([True, True, False])


def test_calibrated_stacking_tiny_by_hand():
    plain = calibrated_stacking(TINY_SCORES, TINY_TRUTH, TINY_SEEN, gammas=[0.0])
    # gamma 0: both seen images right, both unseen images predicted as seen classes.
    assert (plain.seen, plain.unseen, plain.harmonic_mean) == (1.0, 0.0, 0.0)

    best = calibrated_stacking(TINY_SCORES, TINY_TRUTH, TINY_SEEN)
    # Curve (unseen, seen): (0,1) -> (.5,1) -> (.5,.5) -> (1,.5) -> (1,0); H = 2/3 at both
    # (.5, 1) and (1, .5): the gamma nearer 0 (0.15, between 0.1 and 0.2) wins.
    assert best.harmonic_mean == pytest.approx(2 / 3)
    assert best.gamma == pytest.approx(0.15)
    assert (best.seen, best.unseen) == (1.0, 0.5)
    assert best.harmonic_mean > plain.harmonic_mean
    assert best.ausuc == pytest.approx(0.5 * 1.0 + 0.5 * 0.5)
    assert best.seen_curve.tolist() == [1.0, 1.0, 0.5, 0.5, 0.0]
    assert best.unseen_curve.tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]
    assert np.all(np.diff(best.gammas) > 0)


def test_calibrated_stacking_keeps_gamma_zero_when_no_calibration_helps():
    # d = 0.8 (seen image) and -0.2 (unseen image): every gamma in [-0.2, 0.8) gives H = 1,
    # gamma 0 among them, so no calibration is needed and none is reported.
    scores = np.array([[0.9, 0.1], [0.3, 0.5]])
    result = calibrated_stacking(scores, np.array([0, 1]), np.array([True, False]))
    assert result.harmonic_mean == 1.0
    assert result.gamma == 0.0


def test_calibrated_stacking_ausuc_includes_end_points_for_given_gammas():
    # One gamma inside the sweep still gives the whole curve's area, ends included.
    one = calibrated_stacking(TINY_SCORES, TINY_TRUTH, TINY_SEEN, gammas=[0.15])
    assert one.ausuc == pytest.approx(0.5 * 1.0 + 0.5 * (1.0 + 0.0) / 2)  # (0,1) (.5,1) (1,0)


def test_calibrated_stacking_accuracies_are_exact_shares():
    # Six images of a seen class and six of an unseen one, all right at gamma 0: summing
    # 1/6 six times gives 0.9999999999999999, which the table shows as 99.9% where the plain
    # seen accuracy of the same predictions shows 100.0%.
    scores = np.array([[0.9, 0.1]] * 6 + [[0.1, 0.9]] * 6)
    truth = np.array([0] * 6 + [1] * 6)
    result = calibrated_stacking(scores, truth, np.array([True, False]))
    assert (result.seen, result.unseen, result.harmonic_mean) == (1.0, 1.0, 1.0)
    assert result.ausuc == 1.0
    # Columns a, b seen, c, d unseen; 2 images of a and c, 6 of b and d. H is 2/3 both for
    # gamma in [-0.1, 0.1) (a, b and d right) and in [0.3, 0.8) (a, c and d right): the tie
    # goes to gamma 0, where d's six images of 1/12 each must make exactly 0.5.
    a, b, c, d = [0.9, 0.0, 0.0, 0.1], [0.0, 0.5, 0.0, 0.4], [0.6, 0.0, 0.3, 0.0], [0.3, 0, 0, 0.4]
    scores = np.array([a] * 2 + [b] * 6 + [c] * 2 + [d] * 6)
    truth = np.array([0] * 2 + [1] * 6 + [2] * 2 + [3] * 6)
    result = calibrated_stacking(scores, truth, np.array([True, True, False, False]))
    assert (result.gamma, result.seen, result.unseen) == (0.0, 1.0, 0.5)


def test_calibrated_stacking_equal_h_in_floats_apart_keeps_gamma_zero():
    # Column 0 seen (4 images), column 1 unseen (10). Switch points d: seen -0.375 and 0.75 x3;
    # unseen -0.5 x5, -0.25 and 0.875 x4. At gamma 0 (seen 3/4, unseen 3/5) H is 2/3, as at
    # gamma in [-0.5, -0.375) (seen 1, unseen 1/2), but in floats 0.6666666666666665 against
    # 0.6666666666666666: a calibration that changes nothing was reported as the best.
    seen_rows = [[0.125, 0.5]] + [[1.0, 0.25]] * 3
    unseen_rows = [[0.25, 0.75]] * 5 + [[0.25, 0.5]] + [[1.0, 0.125]] * 4
    scores = np.array(seen_rows + unseen_rows)
    truth = np.array([0] * 4 + [1] * 10)
    result = calibrated_stacking(scores, truth, np.array([True, False]))
    assert (result.gamma, result.seen, result.unseen) == (0.0, 0.75, 0.6)
    assert result.harmonic_mean == pytest.approx(2 / 3)


def test_calibrated_stacking_exact_tie_goes_to_the_unseen_class():
    # Column 0 seen, column 1 unseen; dyadic scores keep the arithmetic exact.
    scores = np.array([[0.5, 0.25], [0.5, 0.0]])
    result = calibrated_stacking(scores, np.array([1, 0]), np.array([True, False]), gammas=[0.25])
    assert (result.seen, result.unseen) == (1.0, 1.0)  # 0.5 - 0.25 ties 0.25: unseen wins


def test_calibrated_stacking_equal_decimal_margins_switch_together():
    # Both images lead by exactly 0.1 (as written), so one gamma switches both: no gamma has
    # both right. In floats 0.3 - 0.2 < 0.2 - 0.1, and a gamma between them must not count.
    scores = np.array([[0.2, 0.1], [0.3, 0.2]])  # column 0 seen, column 1 unseen
    result = calibrated_stacking(scores, np.array([0, 1]), np.array([True, False]))
    assert result.harmonic_mean == 0.0 and result.gamma == 0.0
    assert result.ausuc == pytest.approx(0.5)  # (0, 1) straight to (1, 0)
    assert set(zip(result.unseen_curve, result.seen_curve, strict=True)) == {(0.0, 1.0), (1.0, 0.0)}
    # A margin that really differs, even by the written scores' last digit, is a point of its own.
    scores = np.array([[0.2, 0.1], [0.3000001, 0.2]])
    result = calibrated_stacking(scores, np.array([1, 0]), np.array([True, False]))
    assert (result.seen, result.unseen, result.harmonic_mean) == (1.0, 1.0, 1.0)


def test_calibrated_stacking_never_predicts_a_group_with_no_candidate():
    # The unseen class was never a candidate (-inf): no gamma makes its image right.
    only_seen = np.array([[0.3, -np.inf], [0.6, -np.inf]])
    result = calibrated_stacking(only_seen, np.array([0, 1]), np.array([True, False]))
    assert np.isfinite(result.gammas).all()
    assert result.unseen_curve.max() == 0.0 and result.ausuc == 0.0
    # The other way round, the seen class's image is never right.
    result = calibrated_stacking(only_seen[:, ::-1], np.array([1, 0]), np.array([True, False]))
    assert result.seen_curve.max() == 0.0 and result.ausuc == 0.0


def test_calibrated_stacking_keeps_margins_on_either_side_of_zero_apart():
    # Margins of +e and -e are within float rounding of each other, yet at gamma 0 the seen
    # image keeps its seen class and the unseen image its unseen class: H = 1 uncalibrated.
    e = 2.0**-53
    scores = np.array([[0.5, 0.5 - e], [0.5 - e, 0.5]])  # column 0 seen, column 1 unseen
    result = calibrated_stacking(scores, np.array([0, 1]), np.array([True, False]))
    assert (result.gamma, result.seen, result.unseen) == (0.0, 1.0, 1.0)


def test_calibrated_stacking_a_row_with_a_nan_is_wrong_at_every_gamma():
    # The image's own class leads its row, but another score is NaN: it was not scored. The
    # last image is the unseen class's second, so that class is right half the time at most.
    scores = np.array([[0.9, 0.1, np.nan], [0.1, 0.9, 0.0], [0.1, 0.9, np.nan]])
    seen = np.array([True, False, True])  # columns 0, 2 seen; 1 unseen
    result = calibrated_stacking(scores, np.array([0, 1, 1]), seen)
    assert result.seen_curve.max() == 0.0
    assert result.unseen_curve.max() == 0.5


def brute_force(scores, truth, seen_mask, gamma):
    """Mean per-class accuracy of the seen and unseen classes by a direct argmax."""
    adjusted = scores - gamma * seen_mask
    valid = ~np.isnan(scores).any(axis=1)
    predicted = np.where(valid, np.nan_to_num(adjusted, nan=-np.inf).argmax(axis=1), -1)
    groups = {True: [], False: []}
    for cls in np.unique(truth):
        rows = truth == cls
        groups[bool(seen_mask[cls])].append(np.mean(predicted[rows] == cls))
    return np.mean(groups[True]), np.mean(groups[False])


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_calibrated_stacking_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, c = 300, 9
    scores = rng.normal(size=(n, c)) + np.where(np.arange(c) < 5, 0.6, 0.0)  # seen bias
    seen_mask = np.arange(c) < 5
    truth = rng.integers(0, c - 1, size=n)  # class 8 has no images
    scores[:, 7] = -np.inf  # class 7 was never a candidate: its images are always wrong
    scores[rng.choice(n, 10, replace=False)] = np.nan  # images that failed
    result = calibrated_stacking(scores, truth, seen_mask)

    for gamma, s, u in zip(result.gammas, result.seen_curve, result.unseen_curve, strict=True):
        want_s, want_u = brute_force(scores, truth, seen_mask, gamma)
        assert s == pytest.approx(want_s) and u == pytest.approx(want_u)
    # The sweep is exact: no gamma on a dense grid does better.
    dense = np.linspace(result.gammas[0] - 1, result.gammas[-1] + 1, 401)
    dense_h = max(harmonic_mean(*brute_force(scores, truth, seen_mask, g)) for g in dense)
    assert result.harmonic_mean >= dense_h - 1e-12
    # The curve runs from all-seen to all-unseen predictions, and AUSUC is its trapezoid area.
    assert result.unseen_curve[0] == 0.0 and result.seen_curve[-1] == 0.0
    assert np.all(np.diff(result.seen_curve) <= 0) and np.all(np.diff(result.unseen_curve) >= 0)
    x, y = result.unseen_curve, result.seen_curve
    assert result.ausuc == pytest.approx(float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2)))
    at_zero = brute_force(scores, truth, seen_mask, 0.0)
    assert result.harmonic_mean >= harmonic_mean(*at_zero)


def test_calibrated_stacking_input_checks():
    # Named: without its check, each case still ends in a ValueError, numpy's, further on.
    with pytest.raises(ValueError, match="needs images of both seen and unseen classes"):
        calibrated_stacking(TINY_SCORES, TINY_TRUTH, np.array([True, True, True]))
    with pytest.raises(ValueError, match=r"truth_idx \[N\] and seen_mask \[C\]"):
        calibrated_stacking(TINY_SCORES, np.array([0, 1, 2]), TINY_SEEN)
    with pytest.raises(ValueError, match="truth_idx must hold column indices"):
        calibrated_stacking(TINY_SCORES, np.array([0, 1, 3, 2]), TINY_SEEN)
    with pytest.raises(ValueError, match="gammas must be finite numbers"):
        calibrated_stacking(TINY_SCORES, TINY_TRUTH, TINY_SEEN, gammas=[np.inf])


# --- cross-check against scikit-learn ------------------------------------------------------------

CANDIDATES = ["c0", "c1", "c2", "c3", "c4", "c5", "c6"]


def random_case(seed: int):
    """Predictions with tied scores, a truth class the model never predicts, predicted classes
    absent from the truth, abstentions and failed images."""
    rng = np.random.default_rng(seed)
    n = 400
    # c6 is a candidate but no image is of it; "t7" is a truth class nobody could predict.
    truth_pool = CANDIDATES[:6] + ["t7"]
    truth = list(rng.choice(truth_pool, size=n, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05]))
    scores = rng.integers(0, 6, size=(n, len(CANDIDATES))).astype(float) / 5  # many ties
    for i, name in enumerate(truth):  # make the model better than chance
        if name in CANDIDATES and rng.random() < 0.5:
            scores[i, CANDIDATES.index(name)] += 0.6
    statuses = ["ok"] * n
    for i in rng.choice(n, 25, replace=False):
        statuses[i] = str(rng.choice(["unreadable", "truncated"]))
    abstain = rng.random(n) < 0.05
    # scikit-learn's tie order: a stable ascending argsort, reversed (higher index first on ties).
    order = np.argsort(scores, axis=1, kind="mergesort")[:, ::-1]
    ranked = [[CANDIDATES[j] for j in row] for row in order]
    labels = []
    for i in range(n):
        if statuses[i] != "ok":
            labels.append("")
            ranked[i] = []
        elif abstain[i]:
            labels.append(UNKNOWN)
        else:
            labels.append(ranked[i][0])
    return truth, labels, ranked, statuses, scores


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_cross_check_against_scikit_learn(seed):
    truth, labels, ranked, statuses, scores = random_case(seed)
    m = classification_metrics(truth, labels, ranked, statuses, ks=(1, 3, 5))
    sentinel = {"": "__failed__"}
    y_pred = [
        "__failed__" if status != "ok" else sentinel.get(label, label)
        for label, status in zip(labels, statuses, strict=True)
    ]
    truth_classes = sorted(set(truth))
    assert list(m.classes) == truth_classes
    assert "c6" in m.extra_predicted  # predicted but absent from the truth

    by_k = {t.k: t for t in m.top_k}
    assert by_k[1].mean_per_class == pytest.approx(balanced_accuracy_score(truth, y_pred))

    # Overall top-k: scikit-learn on the images that got a label, misses for the rest.
    columns = CANDIDATES + ["t7"]
    full = np.hstack([scores, np.full((len(truth), 1), -1.0)])  # t7 always ranks last
    labelled = np.array([p not in ("__failed__", UNKNOWN) for p in y_pred])
    for k in (1, 3, 5):
        hits = top_k_accuracy_score(
            np.array(truth)[labelled], full[labelled], k=k, labels=columns, normalize=False
        )
        assert by_k[k].overall == pytest.approx(hits / len(truth))
        # Mean per class by the direct formula.
        rates = []
        for cls in truth_classes:
            rows = [i for i, name in enumerate(truth) if name == cls]
            rates.append(np.mean([labelled[i] and cls in ranked[i][:k] for i in rows]))
        assert by_k[k].mean_per_class == pytest.approx(np.mean(rates))

    all_columns = list(m.confusion.columns)
    sk_columns = [c if c != FAILED else "__failed__" for c in all_columns]
    expected = confusion_matrix(truth, y_pred, labels=sk_columns)
    assert m.confusion.matrix.tolist() == expected[: len(truth_classes)].tolist()
    assert expected[len(truth_classes) :].sum() == 0  # no truth outside the rows

    precision, recall, f1, support = precision_recall_fscore_support(
        truth, y_pred, labels=truth_classes, zero_division=0
    )
    ours = m.per_class
    assert [s.support for s in ours] == support.tolist()
    assert [s.precision for s in ours] == pytest.approx(precision.tolist())
    assert [s.recall for s in ours] == pytest.approx(recall.tolist())
    assert [s.f1 for s in ours] == pytest.approx(f1.tolist())
    assert m.macro_f1 == pytest.approx(
        f1_score(truth, y_pred, labels=truth_classes, average="macro", zero_division=0)
    )
    assert m.failed == sum(s != "ok" for s in statuses)
    assert m.abstained == sum(p == UNKNOWN for p in y_pred)


def test_confusion_of_many_classes_is_kept_sparse():
    # 3,000 classes, one image each: a dense confusion matrix would be 3,000 x 3,002 int64
    # (72 MB); the sparse one holds a cell per image.
    import tracemalloc

    names = [f"class {i:04d}" for i in range(3000)]
    predicted = names[1:] + names[:1]
    tracemalloc.start()
    m = classification_metrics(names, predicted, [[p] for p in predicted], ["ok"] * 3000, ks=(1,))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 2**20
    assert len(m.confusion.counts) == 3000
    assert m.confusion.mistakes(limit=1) == [("class 0000", "class 0001", 1)]
    assert m.confusion.dense_rows([2999]).tolist()[0][:1] == [1]
    stats = m.per_class[0]
    assert (stats.support, stats.correct, stats.predicted) == (1, 0, 1)


def test_a_ranking_that_repeats_a_class_or_leaves_cells_empty_counts_its_distinct_classes():
    # Hand-edited rankings: the label repeated, or emptied cells, take no place in the ranking;
    # five distinct classes make a top-5 however many repeats come first.
    second = ["b", "a", "c", "d", "e"]
    for ranking in (["a", "a", "b", "c", "d", "e"], ["a", "a", "a", "b", "c", "d", "e"]):
        for edited in (ranking, ["a", "", "", "b", "c", "d", "e"]):
            metrics = classification_metrics(
                ["a", "b"], ["a", "b"], [edited, second], ["ok", "ok"], ks=(1, 5), n_classes=5
            )
            assert [(t.k, t.overall) for t in metrics.top_k] == [(1, 1.0), (5, 1.0)], edited
