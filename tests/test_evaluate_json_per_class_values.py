"""The JSON result's per-class rows and seen/unseen block: each number under its own name, as
worked out by hand for three images."""

from __future__ import annotations

import pytest

from tests.evaluation_helpers import predicted, touch
from zsl_cli.evaluation import evaluate, load_truth


def _result(tmp_path):
    # cat/1 -> cat (right), cat/2 -> dog, dog/1 -> dog (right); each ranks both classes, its
    # label scored 0.9 and the other 0.8.
    root = tmp_path / "t"
    rows = {"cat/1.jpg": "cat", "cat/2.jpg": "dog", "dog/1.jpg": "dog"}
    predictions = [
        predicted(touch(root / name), label, [label, "dog" if label == "cat" else "cat"])
        for name, label in rows.items()
    ]
    return evaluate(predictions, load_truth(root), ks=(1,), seen=["cat"])


def test_per_class_accuracy_precision_recall_and_f1_each_go_under_their_name(tmp_path):
    data = _result(tmp_path).to_json()
    # cat: 2 images, 1 right, labelled once; dog: 1 image, right, labelled twice.
    assert data["per_class"] == {
        "cat": {
            "support": 2,
            "accuracy": 0.5,
            "precision": 1.0,
            "recall": 0.5,
            "f1": pytest.approx(2 / 3),
        },
        "dog": {
            "support": 1,
            "accuracy": 1.0,
            "precision": 0.5,
            "recall": 1.0,
            "f1": pytest.approx(2 / 3),
        },
    }
    assert data["macro_f1"] == pytest.approx(2 / 3)
    assert data["top_k"]["1"] == {"mean_per_class": 0.75, "overall": 2 / 3, "k_used": 1, "note": ""}
    assert data["confusion"]["matrix"] == [[1, 1, 0, 0], [0, 1, 0, 0]]


def test_the_seen_unseen_block_counts_the_gammas_swept(tmp_path):
    gzsl = _result(tmp_path).to_json()["gzsl"]
    # Seen cat 0.5, unseen dog 1.0: H = 2 * 0.5 / 1.5.
    assert (gzsl["seen"], gzsl["unseen"]) == (0.5, 1.0)
    assert gzsl["harmonic_mean"] == pytest.approx(2 / 3)
    assert (gzsl["n_seen_classes"], gzsl["n_unseen_classes"]) == (1, 1)
    stacking = gzsl["calibrated_stacking"]
    # Switch points (best seen - best unseen): cat/1 +0.1, cat/2 and dog/1 -0.1. The sweep:
    # one gamma below -0.1, their midpoint 0, one above 0.1.
    assert stacking["available"] is True
    assert stacking["n_gammas"] == 3
    # Below -0.1 every image predicts cat; at 0 the labels' own point; above 0.1 all dog.
    assert (stacking["gamma"], stacking["seen"], stacking["unseen"]) == (0.0, 0.5, 1.0)
