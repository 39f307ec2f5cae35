"""Similarities -> scores -> top-k -> predictions.

Scores use the model's own head (softmax over candidates for CLIP, independent sigmoids for SigLIP).
Work is done in row chunks so labelling 100k stored embeddings against 1,000 classes never builds an
N x C matrix beyond one chunk, and never in float64.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from zsl_cli.encoders.base import ScoreHead
from zsl_cli.errors import ZslError
from zsl_cli.records import (
    STATUS_OK,
    UNKNOWN_LABEL,
    ImageItem,
    Prediction,
    RankedScores,
    written_score,
)

CHUNK_ROWS = 4096
SMALL_K = 16  # up to this k, top-k by repeated argmax; beyond, a stable sort
BLOCK_CELLS = 1 << 21  # scratch of ranking: 8 MB of float32 at a time (see _scratch_blocks)


@dataclass(frozen=True)
class Decision:
    """How scores become a label: how many alternatives to keep, and when to abstain."""

    top_k: int = 5  # 0 = every class
    threshold: float | None = None  # top score as written below it -> label "unknown"

    def __post_init__(self) -> None:
        if not is_whole_number(self.top_k) or self.top_k < 0:
            raise ZslError(f"--top-k {self.top_k!r}: give 0 (every class) or more")
        if self.threshold is not None and not (
            is_number(self.threshold) and 0.0 <= self.threshold <= 1.0
        ):
            raise ZslError(f"--threshold {self.threshold!r}: give a score from 0 to 1")
        # numpy numbers become Python ones: they are recorded in the run info as JSON.
        object.__setattr__(self, "top_k", int(self.top_k))
        if self.threshold is not None:
            object.__setattr__(self, "threshold", float(self.threshold))


@dataclass(frozen=True)
class SimilaritySpan:
    """Similarities a score head was given: the least, the greatest, and the widest range within
    one image's row (all that a softmax's scores, or one image's scores under a sigmoid, can
    differ by). The default holds for any run: cosines of unit vectors lie in [-1, 1]."""

    lo: float = -1.0
    hi: float = 1.0
    widest_row: float = 2.0


class SpanSeen:
    """The SimilaritySpan of the similarity rows added so far; `span` is None before any."""

    def __init__(self) -> None:
        self.span: SimilaritySpan | None = None

    def add(self, sims: np.ndarray) -> None:
        if not sims.size:
            return
        row_min, row_max = sims.min(axis=1), sims.max(axis=1)
        lo, hi = float(row_min.min()), float(row_max.max())
        widest = float((row_max - row_min).max())
        if self.span is not None:
            lo, hi = min(lo, self.span.lo), max(hi, self.span.hi)
            widest = max(widest, self.span.widest_row)
        self.span = SimilaritySpan(lo, hi, widest)


def is_whole_number(value: object) -> bool:
    """An int or a numpy integer; not a bool, a float or a string."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def similarities(images: np.ndarray, class_vectors: np.ndarray) -> np.ndarray:
    """Cosine similarities [N, C] (embeddings are L2-normalised) in float32. Classes with equal
    vectors get equal similarities, and images with equal embeddings equal rows, to the bit."""
    vectors = class_vectors.astype(np.float32, copy=False)
    images = images.astype(np.float32, copy=False)
    sims = images @ vectors.T
    # A matrix product does not promise equal results for equal columns or rows at different
    # places (OpenBLAS rounds the edges of its tiles differently): classes the model cannot tell
    # apart must tie, so that they rank in class order, and copies of a file in one batch must
    # score alike (they got scores some 3e-6 apart, and under a near-tie of two classes another
    # label). A float64 product would make a row's similarities the same in any matrix, but
    # took 4.6 times as long at 4,096 images x 20,000 classes.
    for group in equal_rows(vectors):
        sims[:, group[1:]] = sims[:, group[:1]]
    for group in equal_rows(images):
        sims[group[1:]] = sims[group[0]]
    return sims


def equal_rows(vectors: np.ndarray) -> list[list[int]]:
    """Groups of two or more rows equal to the bit, each in index order."""
    if vectors.ndim != 2 or not vectors.shape[1]:
        return []
    # Rows are found by their first value first: a sort of one column is cheap (3 ms for 20,000
    # classes), where hashing every row would take 40 times that in every batch.
    firsts = vectors[:, 0]
    order = np.argsort(firsts, kind="stable")
    same = firsts[order[1:]] == firsts[order[:-1]]
    if not same.any():
        return []
    groups: dict[bytes, list[int]] = {}
    for index in np.unique(np.concatenate([order[1:][same], order[:-1][same]])).tolist():
        groups.setdefault(vectors[index].tobytes(), []).append(index)
    return [group for group in groups.values() if len(group) > 1]


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k best scores per row, best first; ties keep class order.
    Scores are ranked as float32 (the precision of similarities), and the values given back are
    the caller's."""
    n_rows, n_classes = scores.shape
    k = n_classes if k <= 0 else min(k, n_classes)
    indices = np.empty((n_rows, k), dtype=np.int64)
    for rows in _scratch_blocks(n_rows, n_classes):
        indices[rows] = _top_k_indices(scores[rows], k)
    return indices, np.take_along_axis(scores, indices, axis=1)


def _top_k_indices(scores: np.ndarray, k: int) -> np.ndarray:
    # Both ways rank the same float32 values (float64 scores beyond float32's range become
    # infinite here), so they agree on every finite row: a row's order does not depend on the
    # way its block is ranked, nor on the number of classes kept.
    with np.errstate(over="ignore"):
        work = scores.astype(np.float32, copy=True)
    # Marking the best with -inf needs finite scores: in a row whose best left were -inf, argmax
    # gave a class taken already (its first) again, and it ranked NaN first where the sort ranks
    # it last. Blocks holding such rows (never the cosines of valid embeddings) are sorted.
    if k > SMALL_K or not np.isfinite(work).all():
        return np.argsort(-work, axis=1, kind="stable")[:, :k]
    # k passes of argmax beat argpartition several times over for small k, and argmax returns
    # the first maximum, so ties resolve to the lower class index, as in the stable sort.
    rows = np.arange(scores.shape[0])
    indices = np.empty((scores.shape[0], k), dtype=np.int64)
    for column in range(k):
        best = work.argmax(axis=1)
        indices[:, column] = best
        work[rows, best] = -np.inf
    return indices


def _scratch_blocks(n_rows: int, n_columns: int) -> Iterator[slice]:
    """Blocks of about BLOCK_CELLS cells: the scratch arrays that ranking a chunk needs (a copy
    to mark the best, the softmax's exponentials) are made a block at a time, never for the
    whole chunk (4,096 rows x 20,000 classes: 330 MB each). Every row's result is the same
    whatever the block: each is computed from its own row alone."""
    return row_blocks(n_rows, rows_within(BLOCK_CELLS, n_columns))


def rows_within(cells: int, n_columns: int) -> int:
    """How many rows of `n_columns` make about `cells` cells; at least one."""
    return max(1, cells // max(n_columns, 1))


def row_blocks(n_rows: int, rows_per_block: int) -> Iterator[slice]:
    """Slices of `rows_per_block` consecutive rows (the last may hold fewer), in order."""
    for start in range(0, n_rows, rows_per_block):
        yield slice(start, min(start + rows_per_block, n_rows))


def rank(sims: np.ndarray, head: ScoreHead, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best classes per row and their model scores, without keeping every class's score.

    Heads are monotonic, so ranking similarities ranks scores; only the softmax needs a whole-row
    quantity, its normaliser, computed relative to the row's best similarity so exp never
    overflows.
    """
    indices, best = top_k(sims, k)
    scale = np.float32(head.scale)
    if head.kind == "sigmoid":
        return indices, _sigmoid(best * scale + np.float32(head.bias))
    row_max = best[:, :1]
    sums = np.empty((sims.shape[0], 1), dtype=np.result_type(sims, row_max, scale))
    for rows in _scratch_blocks(*sims.shape):
        shifted = (sims[rows] - row_max[rows]) * scale
        np.exp(shifted, out=shifted)
        sums[rows] = shifted.sum(axis=1, keepdims=True)
    log_normaliser = np.log(sums)
    return indices, np.exp((best - row_max) * scale - log_normaliser)


def ranked_rows(
    sims: np.ndarray, head: ScoreHead, k: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """`rank`'s (indices, values) rows, one at a time, ranked a block of rows at a time: with
    every class kept (top-k 0) a ranking takes 12 bytes a cell, and a whole chunk's (4,096 rows
    x 20,000 classes: 1 GB) would be held while its rows become predictions one by one."""
    for rows in _scratch_blocks(*sims.shape):
        indices, values = rank(sims[rows], head, k)
        yield from zip(indices, values, strict=True)


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    # e = exp(-|x|) lies in (0, 1], so nothing overflows; for x < 0 the score is e / (1 + e),
    # which keeps float32's relative precision on small scores (SigLIP's usual ones). The form
    # 0.5 * (1 + tanh(x / 2)) rounds them to multiples of 2^-25 (3e-8), down to 0.
    e = np.exp(-np.abs(logits, dtype=np.float32))
    return np.where(logits >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.float32)


def make_prediction(
    path: str,
    class_names: Sequence[str],
    indices: Sequence[int],
    values: np.ndarray | Sequence[float],
    decision: Decision,
) -> Prediction:
    # RankedScores rather than a tuple of LabelScore: with every class kept (top-k 0) building
    # one LabelScore per class took 0.15-0.27 ms a row at 200 classes, a share of what bounds the
    # rate on a GPU, where predictions are made in zsl's one main thread.
    ranked = RankedScores(tuple([class_names[i] for i in indices]), values)
    best = ranked[0]
    # Against the score as written: a row never shows a score at the threshold as "unknown".
    abstain = decision.threshold is not None and written_score(best.score) < decision.threshold
    return Prediction(path, UNKNOWN_LABEL if abstain else best.label, best.score, ranked)


def failed_prediction(path: str, status: str, error: str) -> Prediction:
    return Prediction(path, "", None, (), status, error)


def predict_ranked(
    items: Iterable[ImageItem],
    rows: Iterable[tuple[np.ndarray, np.ndarray]],
    class_names: Sequence[str],
    decision: Decision,
) -> Iterator[Prediction]:
    """Predictions for these items, in order, from the (indices, values) rows of `rank`, one row
    per ok item. Made as they are taken: with every class kept (top-k 0), a chunk's predictions
    held at once take some 150 bytes a class each (4,096 rows x 20,000 classes: 12 GB)."""
    ranked = iter(rows)
    for item in items:
        path = str(item.path)
        if item.status != STATUS_OK:
            yield failed_prediction(path, item.status, item.error)
            continue
        index_row, value_row = next(ranked)
        # Python ints a row at a time: per-element numpy scalars are slow.
        yield make_prediction(path, class_names, index_row.tolist(), value_row, decision)
