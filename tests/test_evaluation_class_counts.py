"""Evaluation's accuracy where the run's classes and the truth's differ: top-k clipped to the
run's own classes, and a truth class the run never offered counted as always wrong. Each test
fails with a small change to the code that would give users wrong numbers."""

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


def _prediction(path: str, ranking: list[tuple[str, float]]) -> Prediction:
    top_k = tuple(LabelScore(name, score) for name, score in ranking)
    return Prediction(path=path, label=ranking[0][0], score=ranking[0][1], top_k=top_k)


def test_the_run_s_class_names_alone_set_the_number_of_classes_top_k_is_clipped_to(tmp_path):
    # The run chose from a, b and c, but kept 2 classes per image (--top-k 2): top-5 is top-3,
    # which no image carries. Counting only the classes the rankings name (2) would report
    # top-2 as "top-5", a number of another metric.
    predictions = [
        _prediction(_image(tmp_path / "t" / "a" / "1.jpg"), [("a", 0.6), ("b", 0.3)]),
        _prediction(_image(tmp_path / "t" / "b" / "1.jpg"), [("a", 0.5), ("b", 0.4)]),
    ]
    result = evaluate(
        predictions, load_truth(tmp_path / "t"), ks=(1, 5), class_names=["a", "b", "c"]
    )
    top1, top5 = result.metrics.top_k
    assert (top1.k_used, top1.overall) == (1, 0.5)
    assert top5.k_used == 3 and top5.overall is None and top5.mean_per_class is None
    assert "clipped to 3" in top5.note and "not computable" in top5.note


def test_calibrated_stacking_counts_a_truth_class_never_offered_as_always_wrong(tmp_path):
    # N has images but was never a candidate class of the labelling: stacking can never predict
    # it, so its images are wrong at every gamma and the unseen accuracy is the mean over U
    # (perfect once calibrated) and N (0).
    root = tmp_path / "t"
    written = {
        "A/1.jpg": [("A", 0.7), ("U", 0.3)],
        "U/1.jpg": [("A", 0.6), ("U", 0.4)],  # right once gamma reaches 0.2
        "N/1.jpg": [("A", 0.55), ("U", 0.45)],
    }
    predictions = [_prediction(_image(root / name), ranking) for name, ranking in written.items()]
    result = evaluate(predictions, load_truth(root), seen=["A"])
    gzsl = result.gzsl
    assert gzsl.unseen_classes == ("N", "U")
    calibrated = gzsl.calibrated
    assert calibrated is not None, gzsl.calibrated_reason
    assert (calibrated.seen, calibrated.unseen) == (1.0, 0.5)
    assert calibrated.harmonic_mean == pytest.approx(2 / 3)
    assert any("can never be predicted: N" in note for note in gzsl.notes)
