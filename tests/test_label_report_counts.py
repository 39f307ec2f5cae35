"""A LabelReport's counts and the summary dict made of it, from predictions added one by one:
the numbers the summary, the exit status and the run info's `summary` show."""

from __future__ import annotations

from zsl_cli import api
from zsl_cli.records import LabelScore, Prediction


def _failed(name: str, status: str = "truncated") -> Prediction:
    return Prediction(name, "", None, (), status, "cut short")


def _labelled(name: str, label: str, score: float) -> Prediction:
    return Prediction(name, label, score, (LabelScore(label, score),))


def test_the_failures_named_are_the_first_three_in_the_order_read() -> None:
    report = api.LabelReport()
    for number in range(5):
        report.add(_failed(f"{number}.png", "corrupt" if number % 2 else "truncated"))
    assert report.failed_examples == [
        ("0.png", "truncated"),
        ("1.png", "corrupt"),
        ("2.png", "truncated"),
    ]
    assert (report.total, report.failed) == (5, 5)
    assert report.by_status == {"truncated": 3, "corrupt": 2}


def test_the_rate_is_of_the_processing_time_not_the_model_load() -> None:
    # 10 images in 2 s of work, the model's load making the whole call 5 s: 5 images a second.
    report = api.LabelReport(total=10, elapsed_s=5.0, processing_s=2.0)
    assert report.images_per_second == 5.0
    assert api.summary_dict(report)["images_per_second"] == 5.0
    assert api.LabelReport(total=3, elapsed_s=1.0, processing_s=0.0).images_per_second == 0.0


def test_the_summary_lists_the_labels_most_common_first() -> None:
    report = api.LabelReport()
    for name, label in (("a", "cat"), ("b", "dog"), ("c", "dog"), ("d", "bird"), ("e", "dog")):
        report.add(_labelled(f"{name}.png", label, 0.9))
    report.add(_failed("f.png"))
    summary = api.summary_dict(report)
    assert list(summary["labels"].items()) == [("dog", 3), ("cat", 1), ("bird", 1)]
    assert (summary["inputs"], summary["total"], summary["ok"], summary["failed"]) == (0, 6, 5, 1)
    assert summary["by_status"] == {"ok": 5, "truncated": 1}


def test_a_slow_rate_keeps_its_significant_digits() -> None:
    # 1 image in 300 s is 0.0033333 images a second: four significant digits, not 0.
    summary = api.summary_dict(api.LabelReport(total=1, processing_s=300.0))
    assert summary["images_per_second"] == 0.003333
    fast = api.summary_dict(api.LabelReport(total=123456, processing_s=1.0))
    assert fast["images_per_second"] == 123500.0
