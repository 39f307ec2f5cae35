"""Evaluation's warnings on scores no zsl head writes, at their edges: a score below 0 alone
(with none above 1) is outside [0, 1], and equal scores down a ranking (classes the model cannot
tell apart tie exactly, and zsl writes them so) are no rise."""

from __future__ import annotations

import os

from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def _image(path) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"not decoded by evaluate")
    return os.fsdecode(path)


def _prediction(path: str, ranked: list[tuple[str, float]]) -> Prediction:
    top_k = tuple(LabelScore(name, score) for name, score in ranked)
    return Prediction(path=path, label=top_k[0].label, score=top_k[0].score, top_k=top_k)


def _evaluated(root, first_ranking: list[tuple[str, float]]):
    predictions = [
        _prediction(_image(root / "a" / "1.png"), first_ranking),
        _prediction(_image(root / "b" / "1.png"), [("b", 0.7), ("a", 0.2), ("c", 0.1)]),
    ]
    return evaluate(predictions, load_truth(root), ks=(1,))


def test_a_negative_score_alone_is_outside_zero_to_one(tmp_path):
    result = _evaluated(tmp_path / "imgs", [("a", 0.9), ("b", 0.05), ("c", -0.1)])
    (warning,) = result.warnings
    assert warning.startswith("1 image has scores outside [0, 1], which no zsl model gives")
    assert f"(e.g. '{tmp_path / 'imgs' / 'a' / '1.png'}';" in warning


def test_tied_scores_down_a_ranking_are_no_rise(tmp_path):
    result = _evaluated(tmp_path / "imgs", [("a", 0.4), ("b", 0.4), ("c", 0.2)])
    assert result.warnings == ()
    rising = _evaluated(tmp_path / "other", [("a", 0.4), ("b", 0.2), ("c", 0.4)])
    (warning,) = rising.warnings
    assert "ranked classes whose scores rise down the ranking" in warning
