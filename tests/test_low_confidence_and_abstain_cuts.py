"""The cuts the label summary and --threshold are weighed against: low confidence is counted
over at most 100 classes under a softmax without --threshold, a cut that is not counted names
why (the sigmoid first, which no --threshold changes), and a softmax --threshold abstains on
none only at or below 1/C as written, where a top score is compared as written."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from zsl_cli.api import (
    LabelRequest,
    _abstains_on_none_warnings,
    _counts_low_confidence,
    _low_confidence_ignored,
)
from zsl_cli.encoders.base import ScoreHead
from zsl_cli.scoring import Decision, make_prediction

SOFTMAX = ScoreHead("softmax", 100.0)
SIGMOID = ScoreHead("sigmoid", 10.0, -10.0)


def _encoder(head: ScoreHead) -> Any:
    return SimpleNamespace(head=head)  # all that these checks read of an Encoder


@pytest.mark.parametrize(("n_classes", "counted"), [(1, True), (100, True), (101, False)])
def test_low_confidence_is_counted_over_at_most_a_hundred_softmax_classes(
    n_classes: int, counted: bool
) -> None:
    # README: "counted only under a softmax model (CLIP) over at most 100 classes".
    assert _counts_low_confidence(_encoder(SOFTMAX), Decision(), n_classes) is counted
    assert _counts_low_confidence(_encoder(SIGMOID), Decision(), n_classes) is False
    assert _counts_low_confidence(_encoder(SOFTMAX), Decision(threshold=0.2), n_classes) is False


def test_a_cut_ignored_under_a_sigmoid_with_a_threshold_names_the_sigmoid() -> None:
    request = LabelRequest(output=None, decision=Decision(threshold=0.2), low_confidence=0.3)
    (warning,) = _low_confidence_ignored(_encoder(SIGMOID), request, 5)
    assert warning == (
        "low_confidence 0.3: no image is counted under the model's sigmoid, which scores each "
        "class on its own; ignored"
    )


def test_a_cut_ignored_over_many_classes_names_their_number() -> None:
    request = LabelRequest(output=None, low_confidence=0.3)
    (warning,) = _low_confidence_ignored(_encoder(SOFTMAX), request, 1000)
    assert warning == (
        "low_confidence 0.3: no image is counted over more than 100 classes (1000), where a "
        "softmax spreads its belief thin; ignored"
    )
    assert _low_confidence_ignored(_encoder(SOFTMAX), LabelRequest(output=None), 1000) == []


def test_a_threshold_between_one_third_as_written_and_one_third_can_abstain() -> None:
    # 1/3 is written 0.3333333: a threshold of 0.33333333 lies above that, so a row whose three
    # classes tie is labelled unknown, and the warning that it abstains on none would be wrong.
    names = ["a", "b", "c"]
    tie = np.full(3, 1 / 3, dtype=np.float32)
    above = Decision(threshold=0.33333333)
    assert make_prediction("x.png", names, [0, 1, 2], tie, above).label == "unknown"
    assert _abstains_on_none_warnings(SOFTMAX, above, names) == []
    at = Decision(threshold=0.3333333)
    assert make_prediction("x.png", names, [0, 1, 2], tie, at).label == "a"
    (warning,) = _abstains_on_none_warnings(SOFTMAX, at, names)
    assert warning == (
        "--threshold 0.333333 is at or below 1/3, the least top score a softmax over 3 classes "
        "gives: it abstains on none"
    )


def test_no_class_and_a_sigmoid_are_no_abstain_warning() -> None:
    assert _abstains_on_none_warnings(SOFTMAX, Decision(threshold=0.1), []) == []
    assert _abstains_on_none_warnings(SIGMOID, Decision(threshold=0.1), ["a", "b"]) == []
    assert _abstains_on_none_warnings(SIGMOID, Decision(), ["a"]) == []
