"""Top-k without the run info, where one image's label was edited by hand to a name that no
image ranks: that name was never a class the labeller chose from, so it must not raise the
number of classes k is clipped to (which would make every ranking too short to score)."""

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


def _prediction(path: str, label: str, ranking: list[str]) -> Prediction:
    top_k = tuple(LabelScore(name, 0.9 - 0.5 * i) for i, name in enumerate(ranking))
    return Prediction(path=path, label=label, score=top_k[0].score, top_k=top_k)


def test_an_edited_label_does_not_clip_k_to_one_class_more(tmp_path):
    shapes = tmp_path / "shapes"
    predictions = [
        _prediction(_image(shapes / "cat" / "1.png"), "cat", ["cat", "dog"]),
        # Labelled cat (ranked first), then the label typed over by hand.
        _prediction(_image(shapes / "cat" / "2.png"), "Circle", ["cat", "dog"]),
        _prediction(_image(shapes / "dog" / "1.png"), "dog", ["dog", "cat"]),
    ]
    result = evaluate(predictions, load_truth(shapes), ks=(1, 5))
    top1, top5 = result.metrics.top_k
    assert top1.mean_per_class == pytest.approx(0.75)  # cat 1/2 (Circle is wrong), dog 1
    # Two classes were chosen from: k=5 clipped to 2, where every ranking holds 2 classes.
    assert top5.k_used == 2
    assert top5.mean_per_class == 1.0
    assert top5.overall == 1.0
    assert "not computable" not in top5.note
    assert any("Circle" in warning for warning in result.warnings)
