"""The hint that a truth class is a class's name behind a class id (CUB's folders) names the first
such class and counts the others only where there are others."""

from __future__ import annotations

from zsl_cli.evaluation import GroundTruth, class_mismatch_hints

CLASSES = ["Black footed Albatross", "Laysan Albatross", "Sooty Albatross"]
TRUTH = GroundTruth(source="truth.csv", kind="csv", classes=(), items=())


def test_one_numbered_name_is_named_alone():
    hint = class_mismatch_hints(TRUTH, ["001.Black_footed_Albatross"], CLASSES)
    assert hint.startswith(
        " ('001.Black_footed_Albatross' in the truth is 'Black footed Albatross' among the "
        "classes behind a class id: give a truth CSV"
    ), hint
    assert "other name" not in hint


def test_two_numbered_names_count_the_second():
    hint = class_mismatch_hints(
        TRUTH, ["001.Black_footed_Albatross", "002.Laysan_Albatross"], CLASSES
    )
    assert (
        " ('001.Black_footed_Albatross' in the truth is 'Black footed Albatross' among the "
        "classes behind a class id (1 other name is so): give a truth CSV"
    ) in hint, hint
