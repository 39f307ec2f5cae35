"""A row that failed (status other than ok) and reads 'failed' where its label goes (as some
tools write a failure) is a failed image, counted as one: only an ok row's label or ranking
naming 'failed' is a class with the reserved name."""

from __future__ import annotations

from tests.evaluation_helpers import predicted, touch
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def test_a_failed_row_labelled_failed_counts_as_a_failed_image(tmp_path):
    root = tmp_path / "t"
    predictions = [
        predicted(touch(root / "cat" / "1.jpg"), "cat", ["cat", "dog"]),
        predicted(touch(root / "dog" / "1.jpg"), "cat", ["cat", "dog"]),
        Prediction(
            path=touch(root / "dog" / "2.jpg"),
            label="failed",
            score=None,
            top_k=(LabelScore("failed", 1.0),),
            status="truncated",
            error="cut short",
        ),
    ]
    result = evaluate(predictions, load_truth(root), ks=(1,))
    metrics = result.metrics
    assert (metrics.n, metrics.failed, metrics.failed_by_status) == (3, 1, {"truncated": 1})
    top1 = metrics.top_k[0]
    # cat 1/1, dog 0/2.
    assert top1.overall == 1 / 3 and top1.mean_per_class == 0.5
    assert metrics.confusion.columns == ("cat", "dog", "unknown", "failed")
    assert metrics.confusion.matrix.tolist() == [[1, 0, 0, 0], [1, 0, 0, 1]]
