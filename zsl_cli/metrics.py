"""Metrics for zero-shot labels: pure functions on lists and arrays (numpy only).

Conventions (the JSON result of `zsl evaluate` and its renderers rely on them):

- Classes are the ground-truth classes with at least one evaluated image. "Mean per class" is the
  unweighted mean over these classes, so large classes cannot hide failures on small ones.
- A failed image (status other than "ok") has no label: it is wrong for every metric, sits in the
  confusion matrix's "failed" column and is counted by status.
- The labels "unknown" and "failed" are reserved for these two cases.
- "unknown" means the model abstained: wrong for every metric (the ranking behind an abstention is
  not used), own "unknown" column, never a false positive of any class.
- A predicted class that no evaluated image belongs to gets a confusion column and a count in
  `extra_predicted`, but no row and no F1 of its own: macro F1 averages over the truth classes
  only (scikit-learn's default average='macro' over the union of labels would add an F1 of 0
  for it; evaluation notes that where it happens). Its predictions are still wrong, so they
  lower the recall of the true classes.
- Precision of a class that nothing was labelled as is 0.0 (scikit-learn's zero_division result);
  its recall and F1 are 0.0 as well because the class has images.
- Top-k: an image's ranking is its label followed by the rest of its top_k, in the order given
  (ties keep the labeller's order). k above the number of classes the labeller chose from is
  clipped to it and noted; that number comes from the run's settings when known, else it is the
  number of candidate classes (every class any image was labelled or ranked with). When some
  image carries fewer ranked classes than the clipped k, the metric is not computable and is
  reported as None.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np

from zsl_cli.records import FAILED_LABEL, STATUS_OK, UNKNOWN_LABEL, written_score

UNKNOWN = UNKNOWN_LABEL  # the label of an abstention
FAILED = FAILED_LABEL  # the confusion-matrix column of images that could not be labelled


@dataclass(frozen=True)
class TopKAccuracy:
    k: int  # as requested
    k_used: int  # k clipped to the number of candidate classes
    mean_per_class: float | None  # None when not computable (see `note`)
    overall: float | None
    note: str = ""  # why k was clipped or why the metric is not computable


@dataclass(frozen=True)
class ClassStats:
    name: str
    support: int  # evaluated images of this class
    correct: int  # of those, labelled with this class
    predicted: int  # images (of any class) labelled with this class
    precision: float
    recall: float
    f1: float

    @property
    def accuracy(self) -> float:
        """Per-class accuracy is the class's recall."""
        return self.recall


def worst_first(rows: Iterable[ClassStats]) -> list[ClassStats]:
    """By accuracy, then F1, then support (largest first), then name: what to look at first."""
    return sorted(rows, key=lambda row: (row.accuracy, row.f1, -row.support, row.name))


def _equal_values(
    one: Confusion | CalibratedStacking, other: Confusion | CalibratedStacking
) -> bool:
    """Whether two records of one class hold equal fields, numpy arrays by their values (a
    dataclass's generated == asks an array for one truth value, which numpy refuses)."""
    for field in fields(one):
        mine, theirs = getattr(one, field.name), getattr(other, field.name)
        if mine is theirs:  # a NaN equals itself, as in the tuples a dataclass compares
            continue
        if isinstance(mine, np.ndarray):
            if not np.array_equal(mine, theirs):
                return False
        elif mine != theirs:
            return False
    return True


# eq=False: == by value is the class's own, and it stays unhashable (its arrays can change).
@dataclass(frozen=True, eq=False)
class Confusion:
    """Counts of (true class, decision), kept sparse: its non-zero cells only. With 20,000
    classes a dense matrix would hold 400 million counts (3.2 GB) for at most one per image."""

    labels: tuple[str, ...]  # rows: truth classes
    columns: tuple[str, ...]  # truth classes, predicted-only classes, "unknown", "failed"
    rows: np.ndarray  # int64 [cells]: row of each non-zero cell, ordered by row, then column
    cols: np.ndarray  # int64 [cells]: its column
    counts: np.ndarray  # int64 [cells]: its count, > 0

    @classmethod
    def tally(
        cls,
        labels: tuple[str, ...],
        columns: tuple[str, ...],
        truth_rows: np.ndarray,
        decided_cols: np.ndarray,
    ) -> Confusion:
        """One count per item: item i in row truth_rows[i], column decided_cols[i]."""
        keys = np.asarray(truth_rows, dtype=np.int64) * len(columns)
        cells, counts = np.unique(keys + decided_cols, return_counts=True)
        rows, cols = np.divmod(cells, len(columns))
        return cls(labels, columns, rows, cols, counts.astype(np.int64))

    @classmethod
    def from_matrix(
        cls, labels: tuple[str, ...], columns: tuple[str, ...], matrix: np.ndarray
    ) -> Confusion:
        rows, cols = np.nonzero(matrix)
        return cls(labels, columns, rows, cols, np.asarray(matrix)[rows, cols].astype(np.int64))

    @property
    def matrix(self) -> np.ndarray:
        """The dense int64 [labels, columns] matrix: only for a few classes (it is C x C)."""
        return self.dense_rows(range(len(self.labels)))

    def dense_rows(self, rows: Iterable[int]) -> np.ndarray:
        """Rows `rows` (indices into `labels`) as a dense int64 [len(rows), columns] array."""
        wanted = np.fromiter(rows, dtype=np.int64)
        out = np.zeros((len(wanted), len(self.columns)), dtype=np.int64)
        position = np.full(len(self.labels), -1, dtype=np.int64)
        position[wanted] = np.arange(len(wanted))
        taken = position[self.rows] >= 0
        out[position[self.rows[taken]], self.cols[taken]] = self.counts[taken]
        return out

    def cells(self) -> list[list[int]]:
        """[row, column, count] of every non-zero cell, by row, then column."""
        return np.stack([self.rows, self.cols, self.counts], axis=1).tolist()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Confusion):
            return NotImplemented
        return _equal_values(self, other)

    def mistakes(self, limit: int | None = None) -> list[tuple[str, str, int]]:
        """(true, predicted, count) off the diagonal, most frequent first; failures left out."""
        found = []
        for row, col, count in zip(
            self.rows.tolist(), self.cols.tolist(), self.counts.tolist(), strict=True
        ):
            true_label, predicted = self.labels[row], self.columns[col]
            if predicted != true_label and predicted != FAILED:
                found.append((true_label, predicted, count))
        found.sort(key=lambda item: (-item[2], item[0], item[1]))
        return found if limit is None else found[:limit]


@dataclass(frozen=True)
class ClassificationMetrics:
    n: int  # evaluated images
    classes: tuple[str, ...]  # truth classes, sorted
    candidates: tuple[str, ...]  # every class any ok image was labelled or ranked with, sorted
    top_k: tuple[TopKAccuracy, ...]
    per_class: tuple[ClassStats, ...]  # in `classes` order
    macro_f1: float
    confusion: Confusion
    extra_predicted: dict[str, int]  # predicted classes absent from the truth -> images
    abstained: int  # ok images labelled "unknown"
    failed: int
    failed_by_status: dict[str, int]


@dataclass(frozen=True)
class GzslAccuracy:
    seen: float | None  # mean per-class top-1 over the seen truth classes; None without any
    unseen: float | None
    harmonic_mean: float | None  # None unless both groups have classes


@dataclass(frozen=True, eq=False)  # as Confusion
class CalibratedStacking:
    gamma: float  # the gamma with the best harmonic mean
    seen: float
    unseen: float
    harmonic_mean: float
    ausuc: float  # area under the seen-unseen accuracy curve (x = unseen, y = seen)
    gammas: np.ndarray  # the sweep, ascending
    seen_curve: np.ndarray  # acc_seen at each gamma (non-increasing)
    unseen_curve: np.ndarray  # acc_unseen at each gamma (non-decreasing)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CalibratedStacking):
            return NotImplemented
        return _equal_values(self, other)


def classification_metrics(
    truth: Sequence[str],
    labels: Sequence[str],
    ranked: Sequence[Sequence[str]],
    statuses: Sequence[str],
    ks: Sequence[int] = (1, 5),
    n_classes: int | None = None,
    name_of: Callable[[int], str] | None = None,
) -> ClassificationMetrics:
    """Top-k accuracies, per-class precision/recall/F1, macro F1 and the confusion matrix.

    Item i has true class truth[i], label labels[i] ("unknown" = abstained; ignored unless
    statuses[i] is "ok"), ranked classes ranked[i] (best first) and status statuses[i].
    `n_classes` is the number of classes the labeller chose from, when known: rankings cut to
    top-k cannot tell it. `name_of(i)`: how a note names item i (its path), where it names one.
    """
    n = len(truth)
    if not (len(labels) == len(ranked) == len(statuses) == n):
        raise ValueError("truth, labels, ranked and statuses must have the same length")
    if n == 0:
        raise ValueError("no items to evaluate")
    if any(k < 1 for k in ks):
        raise ValueError("every k must be at least 1")

    decided = [_decision(label, status) for label, status in zip(labels, statuses, strict=True)]
    classes = tuple(sorted(set(truth)))
    extra = Counter(label for label in decided if label not in (UNKNOWN, FAILED))
    for name in classes:
        extra.pop(name, None)
    columns = (*classes, *sorted(extra), UNKNOWN, FAILED)

    row_of = {name: i for i, name in enumerate(classes)}
    col_of = {name: i for i, name in enumerate(columns)}
    truth_rows = np.array([row_of[name] for name in truth], dtype=np.int64)
    decided_cols = np.array([col_of[name] for name in decided], dtype=np.int64)
    confusion = Confusion.tally(classes, columns, truth_rows, decided_cols)

    # Truth classes lead the columns, so class `row` is also column `row`.
    support = np.bincount(truth_rows, minlength=len(classes)).tolist()
    hits = np.bincount(truth_rows[truth_rows == decided_cols], minlength=len(classes)).tolist()
    predicted = np.bincount(decided_cols, minlength=len(columns)).tolist()
    per_class = tuple(
        _class_stats(name, support[row], hits[row], predicted[row])
        for row, name in enumerate(classes)
    )
    offered: set[str] = set()
    for label, alternatives in zip(decided, ranked, strict=True):
        if label != FAILED:
            offered.update(alternatives)
            offered.add(label)
    candidates = tuple(sorted(offered - {"", UNKNOWN}))
    # Only the first max(ks) classes of a ranking matter.
    depth = max(ks)
    rankings = [
        _ranking(label, alternatives, depth) if label not in (UNKNOWN, FAILED) else ()
        for label, alternatives in zip(decided, ranked, strict=True)
    ]
    # The shortest ranking, and its item, which a note names.
    shortest = min(
        ((len(ranking), i) for i, ranking in enumerate(rankings) if ranking), default=None
    )
    n_choices = n_classes if n_classes else len(candidates)
    top_k = tuple(
        _top_k(k, truth, rankings, truth_rows, len(classes), n_choices, shortest, name_of)
        for k in sorted(set(ks))
    )
    failures = Counter(status for status in statuses if status != STATUS_OK)
    return ClassificationMetrics(
        n=n,
        classes=classes,
        candidates=candidates,
        top_k=top_k,
        per_class=per_class,
        macro_f1=float(np.mean([stats.f1 for stats in per_class])),
        confusion=confusion,
        extra_predicted=dict(sorted(extra.items())),
        abstained=sum(1 for label in decided if label == UNKNOWN),
        failed=sum(failures.values()),
        failed_by_status=dict(sorted(failures.items())),
    )


def _decision(label: str, status: str) -> str:
    if status != STATUS_OK:
        return FAILED
    # An ok image without a label gave no answer, which is what an abstention is.
    return label if label else UNKNOWN


def _ranking(label: str, alternatives: Iterable[str], depth: int) -> tuple[str, ...]:
    """The first `depth` distinct classes of a ranking, its label first: a hand-edited one may
    name a class twice or leave cells empty, which take no place in it."""
    ranking: dict[str, None] = {}  # first occurrence wins, order kept
    for name in itertools.chain((label,), alternatives):
        if name not in ("", UNKNOWN):
            ranking[name] = None
            if len(ranking) == depth:
                break
    return tuple(ranking)


def _class_stats(name: str, support: int, correct: int, predicted: int) -> ClassStats:
    precision = correct / predicted if predicted else 0.0
    recall = correct / support
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClassStats(name, support, correct, predicted, precision, recall, f1)


def _top_k(
    k: int,
    truth: Sequence[str],
    rankings: Sequence[tuple[str, ...]],
    truth_rows: np.ndarray,
    n_classes: int,
    n_choices: int,
    shortest: tuple[int, int] | None,
    name_of: Callable[[int], str] | None,
) -> TopKAccuracy:
    k_used = min(k, n_choices) if n_choices else k
    notes = []
    if k_used < k:
        notes.append(f"k={k} clipped to {k_used}, the number of classes")
    fewest = k_used if shortest is None else shortest[0]
    if fewest < k_used:
        example = f" (e.g. '{name_of(shortest[1])}' has {fewest})" if name_of and shortest else ""
        notes.append(
            f"not computable: some images carry only {fewest} ranked "
            f"{'class' if fewest == 1 else 'classes'}{example}, fewer than "
            f"{k_used}; label with --top-k 0 (all classes) or --top-k {k_used} or more"
        )
        return TopKAccuracy(k, k_used, None, None, "; ".join(notes))
    hits = np.array(
        [name in ranking[:k_used] for name, ranking in zip(truth, rankings, strict=True)],
        dtype=np.float64,
    )
    return TopKAccuracy(
        k=k,
        k_used=k_used,
        mean_per_class=mean_per_class(hits, truth_rows, n_classes),
        overall=float(hits.mean()),
        note="; ".join(notes),
    )


def mean_per_class(
    hits: np.ndarray, class_index: np.ndarray, n_classes: int, among: np.ndarray | None = None
) -> float:
    """The zero-shot headline: the mean over the classes that occur (and are `among`, a bool
    mask over the n_classes) of each class's hit rate; NaN when no class qualifies."""
    support = np.bincount(class_index, minlength=n_classes)
    counted = support > 0 if among is None else (support > 0) & among
    if not counted.any():
        return math.nan
    rates = np.bincount(class_index, weights=hits, minlength=n_classes)[counted] / support[counted]
    return float(rates.mean())


def harmonic_mean(seen: float, unseen: float) -> float:
    """H = 2 s u / (s + u), and 0 when both are 0."""
    total = seen + unseen
    return 2 * seen * unseen / total if total else 0.0


def gzsl_accuracy(
    per_class_accuracy: Mapping[str, float], seen_classes: Collection[str]
) -> GzslAccuracy:
    """Seen/unseen mean per-class top-1 and their harmonic mean (Xian et al., TPAMI 2018).

    `per_class_accuracy` has the truth classes (top-1 with all classes as candidates); those in
    `seen_classes` form the seen group, the rest the unseen group.
    """
    seen_set = set(seen_classes)
    seen = [acc for name, acc in per_class_accuracy.items() if name in seen_set]
    unseen = [acc for name, acc in per_class_accuracy.items() if name not in seen_set]
    acc_seen = float(np.mean(seen)) if seen else None
    acc_unseen = float(np.mean(unseen)) if unseen else None
    h: float | None = None
    if acc_seen is not None and acc_unseen is not None:
        h = harmonic_mean(acc_seen, acc_unseen)
    return GzslAccuracy(acc_seen, acc_unseen, h)


def calibrated_stacking(
    scores: np.ndarray,
    truth_idx: np.ndarray,
    seen_mask: np.ndarray,
    gammas: Sequence[float] | np.ndarray | None = None,
) -> CalibratedStacking:
    """Calibrated stacking (Chao et al., ECCV 2016): predict argmax_c [scores[i, c] - gamma*seen].

    scores: [N, C] (any real scale: probabilities, logits or cosines); a row with a NaN is an
    image that could not be scored and is wrong at every gamma; -inf marks a class that was not a
    candidate. truth_idx: [N] column of each image's true class. seen_mask: [C] bool.
    acc_seen / acc_unseen are the mean per-class accuracies over the seen / unseen classes that
    occur in truth_idx; both groups must occur.

    Image i switches from its best seen class to its best unseen class once gamma reaches
    d_i = max_seen_i - max_unseen_i (at an exact tie the unseen class wins; within a group the
    lowest column wins, as np.argmax). The default sweep is therefore exact: one gamma below all
    finite d_i (every image predicts a seen class), the midpoint between each pair of
    consecutive distinct d_i, and one above all (every image predicts an unseen class), so it
    traces every point of the seen-unseen curve; it also holds 0, the uncalibrated point (as
    one of the ends when 0 lies beyond every d_i). AUSUC is the trapezoid rule over the curve
    (x = acc_unseen, y = acc_seen), always including its end points at gamma = -inf and +inf.
    The best gamma maximises H; among equal H (up to float rounding, H_ROUNDING) the gamma
    nearest 0 wins (the smallest change).
    """
    scores = np.asarray(scores, dtype=np.float64)
    truth_idx = np.asarray(truth_idx, dtype=np.int64)
    seen_mask = np.asarray(seen_mask, dtype=bool)
    n, c = scores.shape
    if truth_idx.shape != (n,) or seen_mask.shape != (c,):
        raise ValueError("scores must be [N, C], truth_idx [N] and seen_mask [C]")
    if n == 0 or truth_idx.min() < 0 or truth_idx.max() >= c:
        raise ValueError("truth_idx must hold column indices of scores, one per row")

    truth_seen = seen_mask[truth_idx]
    if truth_seen.all() or not truth_seen.any():
        raise ValueError("calibrated stacking needs images of both seen and unseen classes")
    support = np.bincount(truth_idx, minlength=c)
    n_seen_classes = int(np.count_nonzero(support[seen_mask]))
    n_unseen_classes = int(np.count_nonzero(support[~seen_mask]))

    valid = ~np.isnan(scores).any(axis=1)
    best_seen, seen_arg = _masked_best(scores, seen_mask)
    best_unseen, unseen_arg = _masked_best(scores, ~seen_mask)
    seen_right = valid & np.isfinite(best_seen) & (seen_arg == truth_idx)
    unseen_right = valid & np.isfinite(best_unseen) & (unseen_arg == truth_idx)
    with np.errstate(invalid="ignore"):
        # d_i; NaN for rows that cannot be right anyway. A row with a NaN has no d_i: the scores
        # it has left would put a point of their own in the sweep, which moved the best gamma.
        switch = np.where(valid, best_seen - best_unseen, np.nan)
    switch = _rounding_merged(switch, np.fmax(np.abs(best_seen), np.abs(best_unseen)))

    # A seen-class image can only be right while it predicts a seen class (d_i > gamma) and an
    # unseen-class image only once it predicts an unseen one (d_i <= gamma).
    sizes = support[truth_idx]  # of each image's class
    seen_hits = _switch_points(switch, truth_seen & seen_right, sizes, n_seen_classes)
    unseen_hits = _switch_points(switch, ~truth_seen & unseen_right, sizes, n_unseen_classes)

    def curve(at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return seen_hits.accuracy(at, right_above=True), unseen_hits.accuracy(at, right_above=False)

    if gammas is None:
        sweep = _default_gammas(switch)
    else:
        sweep = np.unique(np.asarray(gammas, dtype=np.float64))
        if sweep.size == 0 or not np.isfinite(sweep).all():
            raise ValueError("gammas must be finite numbers")
    seen_curve, unseen_curve = curve(sweep)
    h = np.array([harmonic_mean(s, u) for s, u in zip(seen_curve, unseen_curve, strict=True)])
    equal_best = np.flatnonzero(h >= h.max() - H_ROUNDING)
    best = min(equal_best, key=lambda i: (abs(sweep[i]), sweep[i]))

    far = np.finfo(np.float64).max
    ends_seen, ends_unseen = curve(np.array([-far, far]))
    xs = np.concatenate([[ends_unseen[0]], unseen_curve, [ends_unseen[1]]])
    ys = np.concatenate([[ends_seen[0]], seen_curve, [ends_seen[1]]])
    ausuc = float(np.sum((xs[1:] - xs[:-1]) * (ys[1:] + ys[:-1]) / 2))
    return CalibratedStacking(
        gamma=float(sweep[best]),
        seen=float(seen_curve[best]),
        unseen=float(unseen_curve[best]),
        harmonic_mean=float(h[best]),
        ausuc=ausuc,
        gammas=sweep,
        seen_curve=seen_curve,
        unseen_curve=unseen_curve,
    )


# H values this close are equal: (1, 1/2) and (3/4, 3/5) both give H = 2/3, yet 1 float step
# apart. An accuracy sums a share per distinct class size (at most sqrt(2 N) of them: about 1,400
# for a million images), each sum off by less than a float step of 1, so rounding stays far
# below this while distinct H values of any real evaluation lie much further apart.
H_ROUNDING = 1e-12

# Scores are decimals (as written) that floats hold only approximately, and a float difference
# a - b is then off by less than 4 float steps of max(|a|, |b|): two equal differences can come
# out up to 8 steps apart.
ROUNDING_STEPS = 8


def _rounding_merged(switch: np.ndarray, magnitude: np.ndarray) -> np.ndarray:
    """`switch` with the finite values that differ by float rounding alone made equal (each to
    the smallest of its group). 0.3 - 0.2 comes out below 0.2 - 0.1, and the sweep would put a
    gamma between them at which one image has switched and the other not: a point of the curve
    that no gamma reaches with the scores as written. Values on either side of 0 stay apart, so
    the labels' own point at gamma 0 (see _ties_as_written in evaluation) is kept."""
    finite = np.flatnonzero(np.isfinite(switch))
    order = finite[np.argsort(switch[finite], kind="stable")]
    values = switch[order].tolist()  # Python floats: one pass over every image stays quick
    tolerances = (ROUNDING_STEPS * np.spacing(magnitude[order])).tolist()
    start, start_tolerance = math.nan, 0.0
    for k, (value, tolerance) in enumerate(zip(values, tolerances, strict=True)):
        same_side = (value > 0) == (start > 0)
        if same_side and value - start <= max(start_tolerance, tolerance):
            values[k] = start
        else:
            start, start_tolerance = value, tolerance
    result = switch.copy()
    result[order] = values
    return result


def _masked_best(scores: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best score and its column among the masked columns; -inf / -1 where there are none."""
    n = scores.shape[0]
    if not mask.any():
        return np.full(n, -np.inf), np.full(n, -1, dtype=np.int64)
    columns = np.flatnonzero(mask)
    part = scores[:, columns]  # a copy (fancy indexing), so NaNs are replaced in place
    part[np.isnan(part)] = -np.inf  # nan_to_num would make -inf finite
    arg = part.argmax(axis=1)
    return part[np.arange(n), arg], columns[arg]


@dataclass(frozen=True)
class _SwitchPoints:
    """The switch points of the images that can be right, by the support of their class. An
    accuracy is counted in whole images per support: summing each image's share instead (1/6
    six times is 0.9999999999999999) makes a perfect group 99.9% and equal accuracies unequal."""

    by_support: tuple[tuple[int, np.ndarray], ...]  # (support, its images' switches ascending)
    n_classes: int  # of the group: the mean per-class accuracy divides by it

    def accuracy(self, gamma: np.ndarray, *, right_above: bool) -> np.ndarray:
        """The group's mean per-class accuracy at each gamma, its images being right while their
        switch is above gamma (right_above) or once gamma reaches it."""
        total = np.zeros(np.shape(gamma))
        for support, switches in self.by_support:
            reached = np.searchsorted(switches, gamma, side="right")
            total += (switches.size - reached if right_above else reached) / support
        return total / self.n_classes


def _switch_points(
    switch: np.ndarray, right: np.ndarray, support: np.ndarray, n_classes: int
) -> _SwitchPoints:
    keep = right & ~np.isnan(switch)
    order = np.lexsort((switch[keep], support[keep]))  # by support, then switch
    supports, switches = support[keep][order], switch[keep][order]
    values, starts = np.unique(supports, return_index=True)
    groups = np.split(switches, starts[1:]) if values.size else []
    return _SwitchPoints(tuple(zip(values.tolist(), groups, strict=True)), n_classes)


def _default_gammas(switch: np.ndarray) -> np.ndarray:
    finite = np.unique(switch[np.isfinite(switch)])
    if finite.size == 0:
        return np.array([0.0])
    low, high = float(finite[0]), float(finite[-1])
    pad = max(0.01 * (high - low), 1e-6 * max(1.0, abs(low), abs(high)))
    midpoints = (finite[:-1] + finite[1:]) / 2
    # 0 is in the sweep, so a best H that needs no calibration is reported at gamma 0; it is
    # an end point itself when it lies beyond every d_i (an image switches once gamma >= d_i).
    below = 0.0 if low > 0.0 else low - pad
    above = 0.0 if high <= 0.0 else high + pad
    return np.unique(np.concatenate([[below], midpoints, [above, 0.0]]))


# Selective labelling: what `zsl label --threshold T` trades, on a labelled sample, between the
# share of images it labels (the coverage; the rest come out "unknown", for people to label) and
# the top-1 accuracy of the labels it keeps.
SELECTIVE_COVERAGES = (1.0, 0.95, 0.9, 0.8, 0.7, 0.5, 0.25)
SELECTIVE_MIN_IMAGES = 20  # scored images with truth below which no threshold is advised
SELECTIVE_MIN_KEPT = 10  # a coverage is given where it keeps this many images or more...
SELECTIVE_MIN_LEFT_OUT = 5  # ...and, short of 100%, leaves this many out: fewer tell nothing


@dataclass(frozen=True)
class CoveragePoint:
    """One coverage of the selective-labelling curve."""

    coverage: float  # the share of the images asked to be kept
    threshold: float  # the lowest top score kept, as written: the --threshold that keeps them
    kept: int  # images whose top score is at or above `threshold`, abstentions aside
    share: float  # kept / n: `coverage` or more (more where scores tie at the threshold)
    correct: int  # kept images labelled with their true class
    accuracy: float  # correct / kept
    mean_per_class: float  # the mean top-1 over the truth classes that have kept images
    n_classes: int  # those classes


@dataclass(frozen=True)
class SelectiveLabelling:
    """Thresholds of `zsl label --threshold` read off a labelled sample (`selective_labelling`).
    `reason` says why there are no points; "" where there are."""

    n: int  # ok images with a score: the 100% of every coverage
    abstained: int  # of those, labelled "unknown": no threshold keeps them
    unscored: int  # ok images without a (finite) score, left out
    points: tuple[CoveragePoint, ...]
    reason: str = ""

    @property
    def available(self) -> bool:
        return not self.reason

    @property
    def most_kept(self) -> float:
        """The largest share any threshold keeps: all but the abstentions."""
        return (self.n - self.abstained) / self.n if self.n else 0.0


def selective_labelling(
    truth: Sequence[str],
    labels: Sequence[str],
    scores: Sequence[float | None],
    statuses: Sequence[str],
    coverages: Sequence[float] = SELECTIVE_COVERAGES,
) -> SelectiveLabelling:
    """For each coverage c (a share in (0, 1]), the highest threshold T that keeps at least c of
    the scored images, and the top-1 accuracy of the images it keeps.

    Item i has true class truth[i], label labels[i], top score scores[i] (None where the file has
    none) and status statuses[i]; only ok items with a finite score count (n). Scores are
    compared as written (7 significant digits, `written_score`) and an image is kept where its
    score is at or above T, as `zsl label --threshold T` keeps it: every image tied at T is
    kept, so a point may keep more than c. T is the top score of the ceil(c * n)-th image, by
    score: always a score of the sample, so a sigmoid's and a softmax's scale alike. An image
    labelled "unknown" (an abstention under the --threshold it was labelled with) is kept by no
    threshold, since it has no label to keep: coverages above the share of the others are left
    out. So are those keeping fewer than SELECTIVE_MIN_KEPT images, or, short of 100%, leaving
    fewer than SELECTIVE_MIN_LEFT_OUT out. No point at all (`reason` says why) for fewer than
    SELECTIVE_MIN_IMAGES images or where every kept score is the same.
    """
    n_items = len(truth)
    if not (len(labels) == len(scores) == len(statuses) == n_items):
        raise ValueError("truth, labels, scores and statuses must have the same length")
    if any(not 0.0 < c <= 1.0 for c in coverages):
        raise ValueError("every coverage must be above 0 and at most 1")
    ok = [i for i in range(n_items) if statuses[i] == STATUS_OK]
    scored = [(i, score) for i in ok if (score := scores[i]) is not None and math.isfinite(score)]
    n = len(scored)
    # (top score as written, label right?, true class) of each labelled image
    labelled = [
        (written_score(score), labels[i] == truth[i], truth[i])
        for i, score in scored
        if labels[i] not in ("", UNKNOWN)
    ]
    values = np.array([value for value, _, _ in labelled], dtype=np.float64)
    right = np.array([hit for _, hit, _ in labelled], dtype=bool)
    class_names = sorted({name for _, _, name in labelled})
    row_of = {name: row for row, name in enumerate(class_names)}
    class_index = np.array([row_of[name] for _, _, name in labelled], dtype=np.int64)

    def result(points: tuple[CoveragePoint, ...], reason: str) -> SelectiveLabelling:
        return SelectiveLabelling(n, n - len(labelled), len(ok) - n, points, reason)

    if n < SELECTIVE_MIN_IMAGES:
        if not ok:
            return result((), "no image was labelled")
        if n == 0:
            return result((), "the predictions hold no scores")
        unscored = f"; {len(ok) - n} without a score" if len(ok) > n else ""
        return result(
            (),
            f"fewer than {SELECTIVE_MIN_IMAGES} scored images ({n}{unscored}): too few to "
            "read a threshold off",
        )
    if not labelled:
        return result((), "every scored image is labelled unknown")
    if np.unique(values).size < 2:
        return result(
            (), "every labelled image has the same top score: no threshold tells them apart"
        )

    ranked = np.sort(values)[::-1]
    points = []
    for coverage in coverages:
        # round: 0.7 * 10 is 7.000000000000001, whose ceiling would keep an image more
        wanted = math.ceil(round(coverage * n, 9))
        left_out = n - wanted
        if wanted > ranked.size or wanted < SELECTIVE_MIN_KEPT:
            continue
        if coverage < 1.0 and left_out < SELECTIVE_MIN_LEFT_OUT:
            continue
        threshold = float(ranked[wanted - 1])
        kept = values >= threshold
        hits = right[kept].astype(np.float64)
        classes = class_index[kept]
        points.append(
            CoveragePoint(
                coverage=float(coverage),
                threshold=threshold,
                kept=int(kept.sum()),
                share=int(kept.sum()) / n,
                correct=int(hits.sum()),
                accuracy=float(hits.mean()),
                mean_per_class=mean_per_class(hits, classes, len(class_names)),
                n_classes=int(np.unique(classes).size),
            )
        )
    if not points:
        return result(
            (),
            f"too few labelled images: {len(labelled)} of {n} are not unknown, and a coverage "
            f"is given where it keeps {SELECTIVE_MIN_KEPT} or more",
        )
    return result(tuple(points), "")
