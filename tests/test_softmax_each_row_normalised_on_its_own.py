"""A softmax's normaliser is each row's own, taken relative to that row's best similarity: rows of
one block whose best similarities lie far apart (an image that fits a class, one that fits none)
each score as the textbook softmax of their own row, at CLIP's scale, where exp of one row's
similarities relative to another row's best would underflow to 0 or overflow."""

from __future__ import annotations

import numpy as np
import pytest

from zsl_cli.encoders.base import ScoreHead
from zsl_cli.scoring import rank, ranked_rows


def textbook(row: np.ndarray, scale: float) -> np.ndarray:
    logits = row.astype(np.float64) * scale
    e = np.exp(logits - logits.max())
    return e / e.sum()


SIMS = np.array([[0.90, 0.85, 0.10], [-0.50, -0.55, -0.60], [0.30, -0.90, 0.29]], dtype=np.float32)


@pytest.mark.parametrize("k", [1, 2, 0])
def test_rows_with_far_apart_best_similarities_each_sum_to_their_own_softmax(k: int) -> None:
    head = ScoreHead("softmax", 100.0)
    indices, values = rank(SIMS, head, k)
    assert np.isfinite(values).all()
    for row, (kept, scores) in enumerate(zip(indices, values, strict=True)):
        expected = textbook(SIMS[row], 100.0)[kept]
        np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-44)  # float32 underflow
    rows = list(ranked_rows(SIMS, head, k))
    np.testing.assert_array_equal(np.stack([v for _, v in rows]), values)
