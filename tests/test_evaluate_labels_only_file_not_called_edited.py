"""Predictions without rankings (a file whose top_k was dropped, or another tool's labels-only
CSV) and without the run info: a label that is no truth class is a class the run may well have
chosen from, so it is scored as a wrong label, not warned of as edited since."""

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


def test_a_label_of_no_truth_class_without_rankings_is_no_edited_label(tmp_path):
    photos = tmp_path / "photos"
    predictions = [
        Prediction(path=_image(photos / "cat" / "a.jpg"), label="cat", score=0.8),
        Prediction(path=_image(photos / "dog" / "d.jpg"), label="horse", score=0.7),
    ]
    result = evaluate(predictions, load_truth(photos), ks=(1,))
    assert not [warning for warning in result.warnings if "edited since" in warning]
    assert result.metrics.extra_predicted == {"horse": 1}
    assert result.metrics.top_k[0].mean_per_class == pytest.approx(0.5)


def test_a_label_no_ranking_holds_beside_rankings_is_an_edited_label(tmp_path):
    photos = tmp_path / "photos"
    predictions = [
        Prediction(path=_image(photos / "cat" / "a.jpg"), label="cat", score=0.8),
        Prediction(
            path=_image(photos / "dog" / "d.jpg"),
            label="horse",
            score=0.7,
            top_k=(LabelScore("cat", 0.7), LabelScore("dog", 0.6)),  # edited label, kept ranking
        ),
    ]
    (warning,) = evaluate(predictions, load_truth(photos), ks=(1,)).warnings
    assert "edited since" in warning and "'horse'" in warning
