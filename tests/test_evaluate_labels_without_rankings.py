"""Predictions that carry a label but no ranking (a labels-only CSV, or rows from another tool):
their labels alone name the classes the truth is matched against and the names refused."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import Prediction


def _truth(tmp_path, rows: list[tuple[str, str]]):
    lines = "".join(f"{path},{label}\n" for path, label in rows)
    (tmp_path / "truth.csv").write_text(f"path,label\n{lines}", encoding="utf-8")
    return load_truth(tmp_path / "truth.csv")


def test_a_truth_label_with_a_no_break_space_counts_as_the_label_predicted(tmp_path):
    # The truth spells 'red circle' with a no-break space (pasted from a web page); the
    # predictions' labels, with no ranking beside them, spell it with a plain one: one class.
    truth = _truth(tmp_path, [("1.jpg", "red\u00a0circle"), ("2.jpg", "blue square")])
    predictions = [
        Prediction(path=str(tmp_path / "1.jpg"), label="red circle", score=0.9),
        Prediction(path=str(tmp_path / "2.jpg"), label="red circle", score=0.8),
    ]
    result = evaluate(predictions, truth, ks=(1,))
    assert result.metrics.classes == ("blue square", "red circle")
    top1 = result.metrics.top_k[0]
    assert (top1.overall, top1.mean_per_class) == (0.5, 0.5)
    assert [(s.name, s.support, s.correct) for s in result.metrics.per_class] == [
        ("blue square", 1, 0),
        ("red circle", 1, 1),
    ]


def test_a_label_failed_without_a_ranking_is_refused_as_a_reserved_name(tmp_path):
    truth = _truth(tmp_path, [("1.jpg", "cat"), ("2.jpg", "dog")])
    predictions = [
        Prediction(path=str(tmp_path / "1.jpg"), label="failed", score=0.9),
        Prediction(path=str(tmp_path / "2.jpg"), label="dog", score=0.8),
    ]
    with pytest.raises(ZslError, match="class 'failed' is a reserved name"):
        evaluate(predictions, truth, ks=(1,))
