"""Similarities -> scores -> top-k -> predictions.

Scores use the model's own head (softmax over candidates for CLIP, independent sigmoids for SigLIP).
Work is done in row chunks so labelling 100k stored embeddings against 1,000 classes never builds an
N x C matrix beyond one chunk, and never in float64.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from zsl_cli.encoders.base import ScoreHead
from zsl_cli.records import STATUS_OK, UNKNOWN_LABEL, ImageItem, LabelScore, Prediction

CHUNK_ROWS = 4096


@dataclass(frozen=True)
class Decision:
    """How scores become a label: how many alternatives to keep, and when to abstain."""

    top_k: int = 5  # 0 = every class
    threshold: float | None = None  # top score below it -> label "unknown"


def similarities(images: np.ndarray, class_vectors: np.ndarray) -> np.ndarray:
    """Cosine similarities [N, C] (embeddings are L2-normalised) in float32."""
    return images.astype(np.float32, copy=False) @ class_vectors.astype(np.float32, copy=False).T


def apply_head(sims: np.ndarray, head: ScoreHead) -> np.ndarray:
    """Model scores from similarities; returns a new float32 array."""
    logits = sims.astype(np.float32) * np.float32(head.scale)
    if head.kind == "sigmoid":
        logits += np.float32(head.bias)
        # sigmoid(x) = 0.5 * (1 + tanh(x / 2)): stable for large |x|
        np.multiply(logits, 0.5, out=logits)
        np.tanh(logits, out=logits)
        logits += 1.0
        logits *= 0.5
        return logits
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    return logits


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k best scores per row, best first; ties keep class order."""
    n_classes = scores.shape[1]
    k = n_classes if k <= 0 else min(k, n_classes)
    if k < n_classes:
        candidates = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        # argpartition does not keep ties in class order: re-rank candidates by (-score, index)
        candidate_scores = np.take_along_axis(scores, candidates, axis=1)
        order = np.lexsort((candidates, -candidate_scores), axis=1)
        indices = np.take_along_axis(candidates, order, axis=1)
        # A tie at the k-th place could leave out a lower-index class with the same score.
        indices = _fix_boundary_ties(scores, indices)
    else:
        indices = np.argsort(-scores, axis=1, kind="stable")
    return indices, np.take_along_axis(scores, indices, axis=1)


def _fix_boundary_ties(scores: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """argpartition picks arbitrarily among classes tied at the k-th score: redo those rows."""
    kth = np.take_along_axis(scores, indices[:, -1:], axis=1)
    tied_rows = np.nonzero((scores >= kth).sum(axis=1) > indices.shape[1])[0]
    for row in tied_rows:
        indices[row] = np.argsort(-scores[row], kind="stable")[: indices.shape[1]]
    return indices


def score_rows(
    embeddings: np.ndarray,
    class_vectors: np.ndarray,
    head: ScoreHead,
    k: int,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(top-k indices, top-k scores) per chunk of rows, in order."""
    for start in range(0, embeddings.shape[0], chunk_rows):
        scores = apply_head(
            similarities(embeddings[start : start + chunk_rows], class_vectors), head
        )
        yield top_k(scores, k)


def make_prediction(
    path: str,
    class_names: Sequence[str],
    indices: np.ndarray,
    values: np.ndarray,
    decision: Decision,
) -> Prediction:
    pairs = zip(indices, values, strict=True)
    ranked = tuple(LabelScore(class_names[i], float(v)) for i, v in pairs)
    best = ranked[0]
    abstain = decision.threshold is not None and best.score < decision.threshold
    return Prediction(path, UNKNOWN_LABEL if abstain else best.label, best.score, ranked)


def failed_prediction(path: str, status: str, error: str) -> Prediction:
    return Prediction(path, "", None, (), status, error)


def predict_items(
    items: Sequence[ImageItem],
    scores: np.ndarray,
    class_names: Sequence[str],
    decision: Decision,
) -> list[Prediction]:
    """Predictions for a batch. `scores` has one row per ok item, in item order."""
    indices, values = top_k(scores, decision.top_k)
    predictions, row = [], 0
    for item in items:
        path = str(item.path)
        if item.status != STATUS_OK:
            predictions.append(failed_prediction(path, item.status, item.error))
            continue
        predictions.append(make_prediction(path, class_names, indices[row], values[row], decision))
        row += 1
    return predictions
