"""Calibrated stacking refuses scores that are no finite number, and names the image: the first
one in the predictions' order, whether its ranking is the usual one (each class once) or one
read a row at a time (a ranking that also holds "unknown")."""

from __future__ import annotations

import math

from tests.evaluation_helpers import touch
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def _prediction(path: str, ranking: list[tuple[str, float]]) -> Prediction:
    top_k = tuple(LabelScore(name, score) for name, score in ranking)
    return Prediction(path=path, label=ranking[0][0], score=ranking[0][1], top_k=top_k)


def _reason(tmp_path, first_irregular: bool) -> tuple[str, str, str]:
    root = tmp_path / "world"
    a, b, c = (touch(root / name / f"{i}.jpg") for i, name in enumerate("ABC"))
    nan = math.nan
    # A ranking with "unknown" beside every class is read a row at a time; one naming each
    # class once goes with the others as one array. Each holds a score that is no number.
    irregular = [("A", 0.9), ("B", nan), ("C", 0.1), ("unknown", 0.0)]
    regular = [("B", 0.9), ("A", nan), ("C", 0.1)]
    if first_irregular:
        first, second = _prediction(a, irregular), _prediction(b, regular)
    else:
        first = _prediction(a, [("A", 0.9), ("B", nan), ("C", 0.1)])
        second = _prediction(b, [("B", 0.9), ("A", nan), ("C", 0.1), ("unknown", 0.0)])
    third = _prediction(c, [("C", 0.9), ("A", 0.5), ("B", 0.1)])
    gzsl = evaluate([first, second, third], load_truth(root), seen=["A", "B"]).gzsl
    assert gzsl is not None and gzsl.calibrated is None
    return gzsl.calibrated_reason, a, b


def test_the_first_image_is_named_when_its_ranking_is_read_a_row_at_a_time(tmp_path):
    reason, first, second = _reason(tmp_path, first_irregular=True)
    assert reason == f"'{first}' has class labels without finite scores"
    assert second not in reason


def test_the_first_image_is_named_when_its_ranking_is_the_usual_one(tmp_path):
    reason, first, second = _reason(tmp_path, first_irregular=False)
    assert reason == f"'{first}' has class labels without finite scores"
    assert second not in reason
