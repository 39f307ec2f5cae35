"""Truth labels that are numbers are hinted at as class indices only where no class is a number:
classes named by numbers (digits, house numbers) make a number the truth lacks a class name."""

from __future__ import annotations

from zsl_cli.evaluation import GroundTruth, class_mismatch_hints

TRUTH = GroundTruth(source="truth.csv", kind="csv", classes=(), items=())


def test_numbered_truth_labels_against_numbered_classes_get_no_index_hint():
    assert class_mismatch_hints(TRUTH, ["3", "7"], ["1", "2"]) == ""


def test_numbered_truth_labels_against_named_classes_are_said_to_be_indices():
    hint = class_mismatch_hints(TRUTH, ["3", "7"], ["cat", "dog"])
    assert hint == (
        " (the truth's labels are numbers (class indices?): write each image's class name, as "
        "the class list names it)"
    )
