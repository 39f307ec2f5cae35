"""Calibrated stacking reads a ranking's scores of classes only: an 'unknown' written first in a
ranking (a hand-edited file, another tool's) is no class and does not outscore the label."""

from __future__ import annotations

import pytest

from tests.evaluation_helpers import touch
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def _predicted(path: str, label: str, ranking: list[tuple[str, float]]) -> Prediction:
    top_k = tuple(LabelScore(name, score) for name, score in ranking)
    return Prediction(path=path, label=label, score=top_k[0].score, top_k=top_k)


@pytest.mark.parametrize("unknown_score", [0.9, 0.95])  # tied with the label's, or above it
def test_an_unknown_leading_a_ranking_is_passed_over(tmp_path, unknown_score):
    root = tmp_path / "t"
    predictions = [
        _predicted(
            touch(root / "cat" / "1.jpg"),
            "cat",
            [("unknown", unknown_score), ("cat", 0.9), ("dog", 0.1)],
        ),
        _predicted(touch(root / "dog" / "1.jpg"), "dog", [("dog", 0.7), ("cat", 0.3)]),
    ]
    gzsl = evaluate(predictions, load_truth(root), ks=(1,), seen=["cat"]).gzsl
    calibrated = gzsl.calibrated
    assert calibrated is not None, gzsl.calibrated_reason
    # Switch points: cat/1 0.9 - 0.1 = 0.8 (right while gamma < 0.8), dog/1 0.3 - 0.7 = -0.4
    # (right once gamma >= -0.4): both right at gamma 0.
    assert (calibrated.gamma, calibrated.seen, calibrated.unseen) == (0.0, 1.0, 1.0)
    assert calibrated.seen_curve.tolist() == [1.0, 1.0, 1.0, 0.0]
    assert calibrated.unseen_curve.tolist() == [0.0, 1.0, 1.0, 1.0]
