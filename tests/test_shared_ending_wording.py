"""The warning of truth images that several predictions end like reads right for one image and
for several."""

from __future__ import annotations

from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def _predicted(path: str, label: str) -> Prediction:
    return Prediction(path, label, 0.9, (LabelScore(label, 0.9),))


def test_one_truth_image_and_several_are_told_in_their_number(tmp_path):
    csv_path = tmp_path / "truth.csv"
    csv_path.write_text("path,label\ncat/a.jpg,cat\ncat/c.jpg,cat\ndog/b.jpg,dog\n")
    paired = _predicted("/x/p/dog/b.jpg", "dog")
    one = [paired, _predicted("/x/p/cat/a.jpg", "cat"), _predicted("/x/q/cat/a.jpg", "cat")]
    result = evaluate(one, load_truth(csv_path), ks=(1,), predictions_source="p.csv")
    shared = [
        warning for warning in result.warnings if "ends like" in warning or "end like" in warning
    ]
    assert shared and shared[0].startswith(
        "1 truth image ends like several predictions, and is paired with none (e.g. "
        "'cat/a.jpg': '/x/p/cat/a.jpg' and '/x/q/cat/a.jpg'): "
    )
    two = [*one, _predicted("/x/p/cat/c.jpg", "cat"), _predicted("/x/q/cat/c.jpg", "cat")]
    result = evaluate(two, load_truth(csv_path), ks=(1,), predictions_source="p.csv")
    shared = [warning for warning in result.warnings if "end like" in warning]
    assert shared and shared[0].startswith(
        "2 truth images each end like several predictions, and are paired with none (e.g. "
        "'cat/a.jpg': "
    )
