"""The accuracy `zsl hubness` reports per method, and the advice it draws from it, against a
plain-Python reference written from the published formulas (/work/shared/REFERENCES.md), on
random cases; and `metrics.mean_per_class`, which both `hubness` and `evaluate` use.

Average per-class top-1 accuracy: acc_c = (images of c whose best-scored class is c) / n_c, over
the classes present in the truth; overall = plain mean over images. GZSL (Xian et al.): acc_seen
/ acc_unseen = that mean over the seen / unseen truth classes, H = 2 s u / (s + u). Conventions
beside the formulas, as `hubness.compare` documents them: an image whose truth is unknown (-1) is
left out, a truth class outside the class list is never predicted (so always wrong), an image
that could not be read is wrong, and of classes tied for an image's best score the lowest index
is its label, as labelling ranks them.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from tests.hubness_helpers import reduce_whole
from zsl_cli import hubness
from zsl_cli.metrics import mean_per_class

# --- the reference -------------------------------------------------------------------------------


def mean(values):
    values = list(values)
    return sum(values, Fraction(0)) / len(values)


def best_class(row) -> int:
    """The label of a row of scores: the highest, the first written of equals."""
    top = max(row)
    return next(c for c, value in enumerate(row) if value == top)


def reference_accuracy(labels, truth, failed, unseen):
    """The "accuracy" entry of one method, as Fractions; None without an image of known class."""
    items = [(t, label == t) for t, label in zip(truth, labels, strict=True) if t >= 0]
    items += [(t, False) for t in failed if t >= 0]
    if not items:
        return None
    per_class = {}
    for c in sorted({t for t, _ in items}):
        hits = [hit for t, hit in items if t == c]
        per_class[c] = Fraction(sum(hits), len(hits))
    out = {
        "mean_per_class": mean(per_class.values()),
        "overall": Fraction(sum(hit for _, hit in items), len(items)),
    }
    if unseen is not None:
        seen_accs = [a for c, a in per_class.items() if not unseen[c]]
        unseen_accs = [a for c, a in per_class.items() if unseen[c]]
        if seen_accs:
            out["seen_mean_per_class"] = s = mean(seen_accs)
        if unseen_accs:
            out["unseen_mean_per_class"] = u = mean(unseen_accs)
        if seen_accs and unseen_accs:
            out["harmonic_mean"] = 2 * s * u / (s + u) if s + u else Fraction(0)
    return out


def reference_noise(truth, failed, unseen, accuracy, key):
    """The most that two truth images turned from wrong to right could add to `key` of the raw
    similarities' `accuracy`: each image of class c weighs 1 / (classes x n_c) in its group's
    mean per-class accuracy; for H the two may fall to either group."""
    classes = [t for t in truth if t >= 0] + [t for t in failed if t >= 0]

    def largest_two(group):
        present = {c for c in classes if group(c)}
        shares = [Fraction(1, len(present) * classes.count(c)) for c in classes if group(c)]
        return sorted(shares, reverse=True)[:2]

    if key == "mean_per_class":
        return sum(largest_two(lambda c: True))
    seen, unseen_shares = largest_two(lambda c: not unseen[c]), largest_two(lambda c: unseen[c])
    s, u = accuracy["seen_mean_per_class"], accuracy["unseen_mean_per_class"]

    def h(s, u):
        return 2 * s * u / (s + u) if s + u else Fraction(0)

    return max(
        h(min(1, s + sum(seen[:n])), min(1, u + sum(unseen_shares[: 2 - n]))) for n in range(3)
    ) - h(s, u)


def reference_advice(accuracies, methods, noise_of):
    """The method advised on accuracy: of the reductions, the first listed of the best, if it
    gains half a point or more over none, and more than two truth images could add
    (`noise_of(key)`; else no verdict); H where known, else mean per-class accuracy."""
    key = "harmonic_mean" if "harmonic_mean" in accuracies["none"] else "mean_per_class"
    reductions = [m for m in methods if m != "none"]
    if not reductions:
        return None
    top = max(accuracies[m][key] for m in reductions)
    best = next(m for m in reductions if accuracies[m][key] == top)
    gain = top - accuracies["none"][key]
    if gain < Fraction(1, 200):
        return "none"
    return best if gain > noise_of(key) else None


# --- random cases --------------------------------------------------------------------------------


def random_case(rng: random.Random):
    """Cosines on a 1/8 grid (exact in floats; many ties, whole rows of them), truth with unknown
    images, classes of the list with no image, truth classes outside the list, failed images,
    and a seen/unseen split that may leave a group without images or without classes."""
    n_classes = rng.randint(2, 6)
    n_unlisted = rng.choice([0, 0, 1, 2])
    n_truth_classes = n_classes + n_unlisted
    present = rng.sample(range(n_truth_classes), rng.randint(1, n_truth_classes))
    n = rng.randint(2, 30)
    truth, rows = [], []
    for _ in range(n):
        t = rng.choice(present) if rng.random() > 0.1 else -1
        row = [Fraction(rng.randint(0, 8), 8) for _ in range(n_classes)]
        if 0 <= t < n_classes and rng.random() < 0.5:
            row[t] = min(Fraction(1), row[t] + Fraction(rng.randint(0, 3), 8))
        if rng.random() < 0.1:
            row = [row[0]] * n_classes  # an image that scores every class alike
        truth.append(t)
        rows.append(row)
    failed = [rng.choice([*present, -1]) for _ in range(rng.choice([0, 0, 1, 3]))]
    unseen = [rng.random() < 0.4 for _ in range(n_truth_classes)] if rng.random() < 0.8 else None
    return n_classes, n_unlisted, truth, rows, failed, unseen


SEEDS = range(300)


@pytest.mark.parametrize("seed", SEEDS)
def test_compare_accuracy_and_advice_match_the_reference(seed):
    rng = random.Random(seed)
    n_classes, n_unlisted, truth, rows, failed, unseen = random_case(rng)
    sims = np.array([[float(v) for v in row] for row in rows], dtype=np.float32)
    methods = tuple(rng.sample(hubness.METHODS, rng.randint(1, len(hubness.METHODS))))
    if hubness.copies_of_one(sims):
        return  # labelling refuses such a folder; the reductions learn nothing from it
    result = hubness.compare(
        sims,
        [f"c{i}" for i in range(n_classes)],
        k=1,
        methods=methods,
        truth=np.array(truth),
        unseen_mask=None if unseen is None else np.array(unseen),
        unlisted_classes=n_unlisted,
        failed_truth=np.array(failed, dtype=np.int64) if failed else None,
    )
    measured = ("none",) + tuple(m for m in methods if m != "none")
    accuracies = {}
    for method in measured:
        # "none" on the exact grid, whose ties are its own; the reductions' own scores otherwise.
        scores = rows if method == "none" else reduce_whole(sims, method).tolist()
        labels = [best_class(row) for row in scores]
        want = reference_accuracy(labels, truth, failed, unseen)
        accuracies[method] = want
        if method not in result.methods:
            continue  # measured for the advice, not asked for
        got = result.methods[method].accuracy
        if want is None:
            assert got is None
            continue
        assert set(got) == set(want), method
        for key, value in want.items():
            assert got[key] == pytest.approx(float(value), abs=1e-12), (method, key)
    if accuracies["none"] is not None:

        def noise_of(key):
            return reference_noise(truth, failed, unseen, accuracies["none"], key)

        assert result.recommended_method == reference_advice(accuracies, measured, noise_of)
        named = "harmonic mean" if "harmonic_mean" in accuracies["none"] else "mean per-class"
        assert named in result.recommendation.lower()


@pytest.mark.parametrize("seed", range(200))
def test_mean_per_class_matches_the_reference(seed):
    rng = random.Random(seed)
    n_classes = rng.randint(1, 8)
    n = rng.randint(1, 40)
    classes = [rng.randrange(n_classes) for _ in range(n)]
    hits = [rng.random() < 0.6 for _ in range(n)]
    among = [rng.random() < 0.5 for _ in range(n_classes)] if rng.random() < 0.7 else None
    counted = [c for c in sorted(set(classes)) if among is None or among[c]]
    got = mean_per_class(
        np.array(hits),
        np.array(classes),
        n_classes,
        among=None if among is None else np.array(among),
    )
    if not counted:
        assert np.isnan(got)
        return
    rates = [
        Fraction(sum(h for h, k in zip(hits, classes, strict=True) if k == c), classes.count(c))
        for c in counted
    ]
    assert got == pytest.approx(float(mean(rates)), abs=1e-12)
