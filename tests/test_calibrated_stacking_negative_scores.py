"""Calibrated stacking from scores on a scale below zero (logits or cosines another tool wrote):
a truth class that no image was ranked with can never be predicted, whatever the other scores,
so it must stay below every score of the row, not at a fixed value such as 0."""

from __future__ import annotations

import os

import pytest

from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def _image(path) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"not decoded by evaluate")
    return os.fsdecode(path)


def _ranked(path, scores: dict[str, float]) -> Prediction:
    """A prediction labelled with its best-scored class, every class ranked (--top-k 0)."""
    top_k = tuple(
        LabelScore(name, score) for name, score in sorted(scores.items(), key=lambda x: -x[1])
    )
    return Prediction(path=path, label=top_k[0].label, score=top_k[0].score, top_k=top_k)


@pytest.fixture
def negative_scores(tmp_path):
    """Seen A and B, unseen C, and unseen Z that no image was ranked with; every score < 0."""
    world = tmp_path / "world"
    predictions = [
        _ranked(_image(world / "A" / "1.png"), {"A": -1.0, "B": -2.0, "C": -3.0}),
        _ranked(_image(world / "B" / "1.png"), {"B": -1.0, "A": -1.5, "C": -2.5}),
        _ranked(_image(world / "C" / "1.png"), {"C": -1.0, "A": -1.2, "B": -3.0}),
        _ranked(_image(world / "C" / "2.png"), {"A": -1.0, "C": -1.1, "B": -2.0}),
        _ranked(_image(world / "Z" / "1.png"), {"C": -0.5, "A": -0.7, "B": -0.9}),
    ]
    return predictions, load_truth(world)


def test_the_curve_passes_through_the_labels_point_with_negative_scores(negative_scores):
    predictions, truth = negative_scores
    g = evaluate(predictions, truth, seen=["A", "B"]).gzsl
    # Plain: seen A 1, B 1; unseen C 1/2, Z 0 (never a candidate).
    assert (g.seen, g.unseen) == (1.0, 0.25)
    assert g.harmonic_mean == pytest.approx(0.4)
    cal = g.calibrated
    at_zero = max(i for i, gamma in enumerate(cal.gammas) if gamma <= 0.0)
    # Had Z a score of 0 it would outscore every class of every image: all labelled Z at gamma 0.
    assert (cal.seen_curve[at_zero], cal.unseen_curve[at_zero]) == (g.seen, g.unseen)
