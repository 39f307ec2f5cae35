"""zsl_cli.metrics against a plain-Python reference written from the published formulas
(/work/shared/REFERENCES.md), on random cases, directly and through `zsl evaluate`.

Average per-class top-k accuracy: acc_c = (images of c whose true class is among the k
highest-ranked) / n_c, averaged over the classes present in the truth; overall = plain mean over
images. GZSL (Xian et al.): acc_seen / acc_unseen = that top-1 mean over the seen / unseen truth
classes, H = 2 s u / (s + u). Calibrated stacking (Chao et al.): predict
argmax_c [score(x, c) - gamma * 1(c seen)]. The conventions the reference follows beside the
formulas are those the metrics module documents: a failed or abstained image is wrong, the label
leads its ranking, k is clipped to the number of classes chosen from and a ranking shorter than
that k makes the metric not computable.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.metrics import (
    FAILED,
    UNKNOWN,
    calibrated_stacking,
    classification_metrics,
    gzsl_accuracy,
)
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer

# --- the reference -------------------------------------------------------------------------------


def answered(label, status):
    return status == "ok" and label not in ("", UNKNOWN)


def full_ranking(label, ranked):
    """The label first, then the rest in the order given, each class once."""
    out = []
    for name in [label, *ranked]:
        if name not in ("", UNKNOWN) and name not in out:
            out.append(name)
    return out


def mean(values):
    values = list(values)
    return sum(values, Fraction(0)) / len(values)


def reference_top_k(truth, labels, ranked, statuses, k, n_classes=None):
    """(k used, mean per class, overall), the last two None when not computable."""
    offered = set()
    for label, alternatives, status in zip(labels, ranked, statuses, strict=True):
        if status == "ok":
            offered.update([label, *alternatives])
    offered -= {"", UNKNOWN}
    n_choices = n_classes or len(offered)
    k_used = min(k, n_choices) if n_choices else k
    rankings = [
        full_ranking(label, alternatives) if answered(label, status) else None
        for label, alternatives, status in zip(labels, ranked, statuses, strict=True)
    ]
    if any(r is not None and len(r) < k_used for r in rankings):
        return k_used, None, None
    hit = [r is not None and t in r[:k_used] for t, r in zip(truth, rankings, strict=True)]
    per_class = {
        c: mean(h for t, h in zip(truth, hit, strict=True) if t == c) for c in sorted(set(truth))
    }
    return k_used, mean(per_class.values()), mean(hit)


def reference_decision(label, status):
    if status != "ok":
        return FAILED
    return label if label else UNKNOWN


def reference_class_stats(truth, labels, statuses):
    """{class: (support, correct, predicted, precision, recall, f1)} and macro F1."""
    decided = [reference_decision(lab, st) for lab, st in zip(labels, statuses, strict=True)]
    stats = {}
    for c in sorted(set(truth)):
        support = truth.count(c)
        correct = sum(t == c and d == c for t, d in zip(truth, decided, strict=True))
        predicted = decided.count(c)
        precision = Fraction(correct, predicted) if predicted else Fraction(0)
        recall = Fraction(correct, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else Fraction(0)
        stats[c] = (support, correct, predicted, precision, recall, f1)
    return stats, mean(s[5] for s in stats.values())


def reference_gzsl(truth, labels, statuses, seen):
    top1 = {
        c: mean(
            answered(lab, st) and lab == c
            for t, lab, st in zip(truth, labels, statuses, strict=True)
            if t == c
        )
        for c in set(truth)
    }
    seen_accs = [a for c, a in top1.items() if c in seen]
    unseen_accs = [a for c, a in top1.items() if c not in seen]
    s = mean(seen_accs) if seen_accs else None
    u = mean(unseen_accs) if unseen_accs else None
    h = None
    if s is not None and u is not None:
        h = 2 * s * u / (s + u) if s + u else Fraction(0)
    return s, u, h


def stacked_accuracy(rows, truth, seen, gamma):
    """Seen and unseen mean per-class accuracy at `gamma`. rows[i]: the image's (class, score)
    in the labeller's order, or None for an image that is wrong at every gamma. An exact tie
    after the shift goes to an unseen class, within a group to the class written first."""
    hits = []
    for row in rows:
        if row is None:
            hits.append(None)
            continue
        best = max(
            range(len(row)),
            key=lambda j: (
                row[j][1] - (gamma if row[j][0] in seen else 0),
                row[j][0] not in seen,
                -j,
            ),
        )
        hits.append(row[best][0])
    groups = {True: [], False: []}
    for c in set(truth):
        acc = mean(h == c for t, h in zip(truth, hits, strict=True) if t == c)
        groups[c in seen].append(acc)
    return mean(groups[True]), mean(groups[False])


def h_of(s, u):
    return 2 * s * u / (s + u) if s + u else Fraction(0)


def exact_gamma_grid(rows, seen):
    """Every distinct curve point: each image's switch d = best seen - best unseen, the
    midpoints between consecutive d, one gamma beyond each end, and 0."""
    switches = set()
    for row in rows:
        if row is None:
            continue
        s = [v for c, v in row if c in seen]
        u = [v for c, v in row if c not in seen]
        if s and u:
            switches.add(max(s) - max(u))
    d = sorted(switches)
    grid = {Fraction(0), *d}
    grid.update((a + b) / 2 for a, b in zip(d, d[1:], strict=False))
    if d:
        grid.update([d[0] - 1, d[-1] + 1])
    return sorted(grid)


# --- random cases --------------------------------------------------------------------------------


def random_case(rng: random.Random, edit_rate: float = 0.05):
    """Truth, labels, rankings and statuses with what makes averages go wrong: truth classes with
    no image, classes never predicted, ties, labels outside the truth and the class list, rankings
    cut short, abstentions and failures, and scores on a 1/16 grid (exact in floats) with ties.
    `edit_rate`: the share of labels edited by hand to one outside the class list."""
    n_pool = rng.randint(1, 7)
    pool = [f"c{i}" for i in range(n_pool)]  # the classes the labeller chose from
    outside = ["zz-not-a-class"] if rng.random() < 0.3 else []  # truth the labeller never had
    truth_pool = rng.sample(pool, rng.randint(1, n_pool)) + outside  # some classes get no image
    n = rng.randint(1, 40)
    cut = rng.choice([None, None, 1, 2, 3])  # --top-k N, None = all classes
    truth, labels, ranked, statuses, scores = [], [], [], [], []
    for _ in range(n):
        t = rng.choice(truth_pool)
        row = {c: Fraction(rng.randint(0, 16), 16) for c in pool}
        if t in row and rng.random() < 0.5:
            row[t] = min(Fraction(1), row[t] + Fraction(rng.randint(0, 8), 16))
        # The labeller's order: by score, ties in an order of its own.
        order = sorted(pool, key=lambda c: (-row[c], rng.random()))
        status = "ok" if rng.random() > 0.1 else rng.choice(["unreadable", "truncated"])
        if status != "ok":
            label, alternatives, written = "", [], []
        else:
            written = order if cut is None else order[:cut]
            alternatives = list(written)
            label = order[0]
            roll = rng.random()
            if roll < 0.1:
                label = UNKNOWN  # abstained under a threshold: the ranking is still written
            elif roll < 0.1 + edit_rate:
                label = "zz-label-outside"  # a hand-edited label, no class of the run
        truth.append(t)
        labels.append(label)
        ranked.append(alternatives)
        statuses.append(status)
        scores.append([(c, row[c]) for c in written])
    ks = sorted({rng.randint(1, 9) for _ in range(rng.randint(1, 3))})
    return pool, truth, labels, ranked, statuses, scores, ks


SEEDS = range(300)


@pytest.mark.parametrize("seed", SEEDS)
def test_classification_metrics_match_the_reference(seed):
    rng = random.Random(seed)
    pool, truth, labels, ranked, statuses, _, ks = random_case(rng)
    n_classes = rng.choice([None, len(pool)])
    m = classification_metrics(truth, labels, ranked, statuses, ks, n_classes)

    assert [t.k for t in m.top_k] == ks
    for top in m.top_k:
        k_used, per_class, overall = reference_top_k(
            truth, labels, ranked, statuses, top.k, n_classes
        )
        assert top.k_used == k_used
        if per_class is None:
            assert top.mean_per_class is None and top.overall is None
            assert "not computable" in top.note
        else:
            assert top.mean_per_class == pytest.approx(float(per_class), abs=1e-12)
            assert top.overall == pytest.approx(float(overall), abs=1e-12)
        assert ("clipped" in top.note) == (k_used < top.k)

    stats, macro_f1 = reference_class_stats(truth, labels, statuses)
    assert m.classes == tuple(stats)
    for row in m.per_class:
        support, correct, predicted, precision, recall, f1 = stats[row.name]
        assert (row.support, row.correct, row.predicted) == (support, correct, predicted)
        assert row.precision == pytest.approx(float(precision), abs=1e-12)
        assert row.recall == row.accuracy == pytest.approx(float(recall), abs=1e-12)
        assert row.f1 == pytest.approx(float(f1), abs=1e-12)
    assert m.macro_f1 == pytest.approx(float(macro_f1), abs=1e-12)

    decided = [reference_decision(lab, st) for lab, st in zip(labels, statuses, strict=True)]
    cells = {}
    for t, d in zip(truth, decided, strict=True):
        cells[t, d] = cells.get((t, d), 0) + 1
    shown = {
        (m.confusion.labels[r], m.confusion.columns[c]): count
        for r, c, count in m.confusion.cells()
    }
    assert shown == cells
    assert m.confusion.columns[-2:] == (UNKNOWN, FAILED)
    assert m.abstained == decided.count(UNKNOWN)
    assert m.failed == decided.count(FAILED)
    extra = {d for d in decided if d not in (UNKNOWN, FAILED) and d not in truth}
    assert m.extra_predicted == {d: decided.count(d) for d in sorted(extra)}


@pytest.mark.parametrize("seed", SEEDS)
def test_gzsl_accuracy_matches_the_reference(seed):
    rng = random.Random(seed)
    pool, truth, labels, ranked, statuses, _, _ = random_case(rng)
    # Seen lists that miss every truth class, hold them all, or name classes with no image.
    seen = set(rng.sample([*pool, "zz-not-a-class", "nobody"], rng.randint(0, len(pool) + 2)))
    m = classification_metrics(truth, labels, ranked, statuses, (1,))
    g = gzsl_accuracy({s.name: s.accuracy for s in m.per_class}, seen)
    for got, want in zip(
        (g.seen, g.unseen, g.harmonic_mean),
        reference_gzsl(truth, labels, statuses, seen),
        strict=True,
    ):
        if want is None:
            assert got is None
        else:
            assert got == pytest.approx(float(want), abs=1e-12)


def stacking_case(rng: random.Random):
    """Scores on a 1/16 grid for every class, both groups in the truth, with NaN rows."""
    n_classes = rng.randint(2, 6)
    seen = set(rng.sample(range(n_classes), rng.randint(1, n_classes - 1)))
    seen_classes, unseen_classes = sorted(seen), sorted(set(range(n_classes)) - seen)
    n = rng.randint(2, 30)
    truth = [rng.choice(seen_classes), rng.choice(unseen_classes)]
    truth += [rng.randrange(n_classes) for _ in range(n - 2)]
    rows = []
    for t in truth:
        scores = [Fraction(rng.randint(0, 16), 16) for _ in range(n_classes)]
        if rng.random() < 0.5:
            scores[t] += Fraction(rng.randint(0, 6), 16)
        rows.append(None if rng.random() < 0.1 else [(c, v) for c, v in enumerate(scores)])
    return n_classes, seen, truth, rows


def stacking_arrays(n_classes, seen, rows):
    """`calibrated_stacking`'s scores (a NaN row for a failed image) and seen-class mask."""
    scores = np.array(
        [[np.nan] * n_classes if r is None else [float(v) for _, v in r] for r in rows]
    )
    return scores, np.array([c in seen for c in range(n_classes)])


@pytest.mark.parametrize("seed", SEEDS)
def test_calibrated_stacking_is_best_on_its_grid_and_exact(seed):
    rng = random.Random(seed)
    n_classes, seen, truth, rows = stacking_case(rng)
    scores, seen_mask = stacking_arrays(n_classes, seen, rows)
    result = calibrated_stacking(scores, np.array(truth), seen_mask)

    # Every point of its sweep is what the argmax gives at that gamma.
    curve = [stacked_accuracy(rows, truth, seen, Fraction(g)) for g in result.gammas.tolist()]
    assert result.seen_curve.tolist() == pytest.approx([float(s) for s, _ in curve], abs=1e-12)
    assert result.unseen_curve.tolist() == pytest.approx([float(u) for _, u in curve], abs=1e-12)
    # Its answer is the best H of its own grid, the gamma nearest 0 among equals...
    hs = [h_of(s, u) for s, u in curve]
    best = max(hs)
    nearest = min(
        (g for g, h in zip(result.gammas.tolist(), hs, strict=True) if h == best),
        key=lambda g: (abs(g), g),
    )
    assert result.gamma == nearest
    assert result.harmonic_mean == pytest.approx(float(best), abs=1e-12)
    at = stacked_accuracy(rows, truth, seen, Fraction(result.gamma))
    assert (result.seen, result.unseen) == pytest.approx((float(at[0]), float(at[1])), abs=1e-12)
    # ... and no gamma at all does better: the sweep holds every point of the curve.
    grid = exact_gamma_grid(rows, seen)
    assert float(best) == pytest.approx(
        float(max(h_of(*stacked_accuracy(rows, truth, seen, g)) for g in grid)), abs=1e-12
    )
    # AUSUC: the trapezoid area under (unseen, seen) over every point, ends included.
    points = sorted({stacked_accuracy(rows, truth, seen, g)[::-1] for g in grid})
    points = sorted(points, key=lambda p: (p[0], -p[1]))
    area = sum((b[0] - a[0]) * (a[1] + b[1]) / 2 for a, b in zip(points, points[1:], strict=False))
    assert result.ausuc == pytest.approx(float(area), abs=1e-12)


@pytest.mark.parametrize("seed", range(50))
def test_calibrated_stacking_is_deterministic_and_ignores_row_order(seed):
    rng = random.Random(seed)
    n_classes, seen, truth, rows = stacking_case(rng)
    scores, seen_mask = stacking_arrays(n_classes, seen, rows)
    first = calibrated_stacking(scores, np.array(truth), seen_mask)
    again = calibrated_stacking(scores.copy(), np.array(truth), seen_mask.copy())
    order = list(range(len(truth)))
    rng.shuffle(order)
    shuffled = calibrated_stacking(scores[order], np.array(truth)[order], seen_mask)
    for other in (again, shuffled):
        assert (other.gamma, other.seen, other.unseen, other.harmonic_mean, other.ausuc) == (
            first.gamma,
            first.seen,
            first.unseen,
            first.harmonic_mean,
            first.ausuc,
        )
        assert other.gammas.tolist() == first.gammas.tolist()


# --- through the CLI -----------------------------------------------------------------------------


def write_case(tmp_path: Path, rng: random.Random, with_run_info: bool, edit_rate: float):
    pool, truth, labels, ranked, statuses, scores, ks = random_case(rng, edit_rate)
    folder = tmp_path / "images"
    predictions = []
    for i, (label, status, written) in enumerate(zip(labels, statuses, scores, strict=True)):
        path = str(folder / f"img{i:03d}.png")
        if status != "ok":
            predictions.append(Prediction(path, "", None, (), status, "broken"))
            continue
        top = tuple(LabelScore(c, float(v)) for c, v in written)
        score = float(written[0][1]) if written else None
        if label not in (written[0][0], UNKNOWN):
            score = None  # a hand-edited label: no score of its own
        predictions.append(Prediction(path, label, score, top))
    output = tmp_path / "predictions.jsonl"
    with open_writer(output, "jsonl") as writer:
        for p in predictions:
            writer.write(p)
        run_info = {"classes": {"n": len(pool), "names": pool}} if with_run_info else {}
        writer.close(run_info)
    truth_csv = tmp_path / "truth.csv"
    truth_csv.write_text(
        "path,label\n" + "".join(f"{p.path},{t}\n" for p, t in zip(predictions, truth, strict=True))
    )
    return pool, truth, labels, ranked, statuses, scores, ks, output, truth_csv


@pytest.mark.parametrize("seed", range(16))
def test_zsl_evaluate_reports_the_formulas(tmp_path, monkeypatch, seed):
    rng = random.Random(1000 + seed)
    with_run_info = seed % 2 == 0
    pool, truth, labels, ranked, statuses, scores, ks, output, truth_csv = write_case(
        # A quarter of the cases with hand-edited labels, under which stacking does not run.
        tmp_path,
        rng,
        with_run_info,
        edit_rate=0.05 if seed % 4 == 0 else 0.0,
    )
    seen = set(rng.sample(pool, rng.randint(0, len(pool))))
    seen_file = tmp_path / "seen.txt"
    seen_file.write_text("".join(f"{c}\n" for c in sorted(seen)) or "# none\nnobody\n")
    metrics_json = tmp_path / "metrics.json"
    monkeypatch.chdir(tmp_path)
    # In this process: the formulas are the point, and a process of its own costs half a second.
    done = CliRunner().invoke(
        app,
        [
            "evaluate",
            str(output),
            "--truth",
            str(truth_csv),
            "--seen",
            str(seen_file),
            "--top-k",
            ",".join(map(str, ks)),
            "--json",
            str(metrics_json),
            "-q",
        ],
    )
    assert done.exit_code == 0, done.stderr
    data = json.loads(metrics_json.read_text())
    n_classes = len(pool) if with_run_info else None
    for k in ks:
        k_used, per_class, overall = reference_top_k(truth, labels, ranked, statuses, k, n_classes)
        got = data["top_k"][str(k)]
        assert got["k_used"] == k_used
        if per_class is None:
            assert got["mean_per_class"] is None and got["overall"] is None
        else:
            assert got["mean_per_class"] == pytest.approx(float(per_class), abs=1e-12)
            assert got["overall"] == pytest.approx(float(overall), abs=1e-12)
    gzsl = data["gzsl"]
    s, u, h = reference_gzsl(truth, labels, statuses, seen)
    for key, want in (("seen", s), ("unseen", u), ("harmonic_mean", h)):
        assert gzsl[key] == (None if want is None else pytest.approx(float(want), abs=1e-12))

    stacking = gzsl["calibrated_stacking"]
    scored = [r for r, st in zip(ranked, statuses, strict=True) if st == "ok"]
    candidates = set().union(*scored) if scored else set()
    expected = (
        s is not None
        and u is not None
        and bool(scored)
        and all(len(r) == max(len(candidates), n_classes or 0) for r in scored)
        and bool(candidates & seen)
        and bool(candidates - seen)
        # A hand-edited label is not the point its scores give at gamma 0.
        and all(
            label in (UNKNOWN, r[0])
            for label, r, st in zip(labels, ranked, statuses, strict=True)
            if st == "ok"
        )
    )
    assert stacking["available"] == expected, stacking.get("reason")
    if not expected:
        return
    # The written order breaks exact ties; an abstained or failed image is always wrong.
    rows = [
        None if lab == UNKNOWN or st != "ok" else list(row)
        for row, lab, st in zip(scores, labels, statuses, strict=True)
    ]
    grid = exact_gamma_grid(rows, seen)
    best_h = max(h_of(*stacked_accuracy(rows, truth, seen, g)) for g in grid)
    assert stacking["harmonic_mean"] == pytest.approx(float(best_h), abs=1e-12)
    at = stacked_accuracy(rows, truth, seen, Fraction(stacking["gamma"]))
    assert (stacking["seen"], stacking["unseen"]) == pytest.approx(
        (float(at[0]), float(at[1])), abs=1e-12
    )
