"""Where a score head's warning starts and what it says: a run's rows are judged as at least
TYPICAL_ROW_SPAN (0.05) wide, a spread of exactly 1% is not flat, the spread shown is rounded up
to a tenth of a point (and an exact tenth is not pushed up by float noise), a sigmoid is called
saturated by its least logit, and a run of one class, or of no image, is not judged again."""

from __future__ import annotations

import math

import numpy as np
import pytest

from zsl_cli.api import _run_head_warnings, head_warnings
from zsl_cli.encoders.base import ScoreHead
from zsl_cli.scoring import SimilaritySpan, SpanSeen

NARROW = SimilaritySpan(lo=0.2, hi=0.2001, widest_row=0.0001)


@pytest.mark.parametrize(("scale", "flat"), [(0.1, True), (0.19, True), (0.21, False)])
def test_a_narrow_run_is_judged_as_five_hundredths_wide(scale: float, flat: bool) -> None:
    # Over 0.05, a softmax spreads its scores by expm1(0.05 * scale): 0.95% at 0.19, 1.05% at
    # 0.21, whatever narrower rows the run gave.
    warnings = head_warnings(ScoreHead("softmax", scale), NARROW)
    assert bool(warnings) is flat
    if flat:
        assert "on this run's images" in warnings[0]


def test_a_spread_of_exactly_one_percent_is_not_flat() -> None:
    # Over any cosine (rows 2 wide), this scale moves a score by expm1(log1p(0.01)) = 1%.
    scale = math.log1p(0.01) / 2
    assert math.expm1(scale * 2) == 0.01
    assert head_warnings(ScoreHead("softmax", scale)) == []
    assert head_warnings(ScoreHead("softmax", scale * 0.999))


def test_the_spread_shown_is_rounded_up_to_a_tenth_of_a_point() -> None:
    # expm1(2 * 0.004) = 0.803%: shown as at most 0.9%, never 0.8%.
    (warning,) = head_warnings(ScoreHead("softmax", 0.004))
    assert "every score within 0.9% of 1 / the number of classes" in warning


def test_a_spread_of_a_whole_tenth_is_shown_as_that_tenth() -> None:
    # A scale whose spread is 0.7% up to the last bit of a float, 7.000000000000001 per mille.
    scale = math.log1p(0.007) / 2
    while math.expm1(scale * 2) <= 0.007:
        scale = math.nextafter(scale, 1.0)
    assert math.expm1(scale * 2) == pytest.approx(0.007, rel=1e-12)
    (warning,) = head_warnings(ScoreHead("softmax", scale))
    assert "every score within 0.7% of 1 / the number of classes" in warning


def test_a_sigmoid_is_saturated_only_where_its_least_logit_is() -> None:
    head = ScoreHead("sigmoid", 10.0, 20.0)
    # Logits from 15 to 25: the lower scores are written below 1, and they differ.
    assert head_warnings(head, SimilaritySpan(lo=-0.5, hi=0.5, widest_row=1.0)) == []
    # Logits from 23 to 25: every score is 1 to 7 digits.
    (warning,) = head_warnings(head, SimilaritySpan(lo=0.3, hi=0.5, widest_row=0.2))
    assert "make every score 1 (to 7 digits) on this run's images" in warning


def _seen(sims: list[list[float]]) -> SpanSeen:
    seen = SpanSeen()
    seen.add(np.array(sims, dtype=np.float32))
    return seen


def test_a_run_of_one_class_or_of_no_image_is_not_judged() -> None:
    # Over any cosine this head moves scores by 2%; over a run's rows (at least 0.05 wide), by
    # 0.05%: flat on the run, unless there was nothing to tell apart.
    head = ScoreHead("softmax", 0.01)
    assert head_warnings(head) == []
    (warning,) = _run_head_warnings(head, _seen([[0.30, 0.31], [0.28, 0.29]]), 2)
    assert "on this run's images" in warning
    assert _run_head_warnings(head, _seen([[0.30], [0.28]]), 1) == []
    assert _run_head_warnings(head, SpanSeen(), 2) == []


def test_a_head_warned_of_over_any_cosine_is_not_warned_of_again() -> None:
    head = ScoreHead("softmax", 1e-4)
    assert head_warnings(head)
    assert _run_head_warnings(head, _seen([[0.30, 0.31]]), 2) == []


@pytest.mark.parametrize("scale", [0.0, 1e-13])
def test_no_spread_at_all_is_shown_as_the_least_tenth(scale: float) -> None:
    # A logit_scale so far below 0 that exp gives 0 (or next to it): 0.0% would read as scores
    # that cannot differ at all, where the bound is what is shown.
    (warning,) = head_warnings(ScoreHead("softmax", scale))
    assert "every score within 0.1% of 1 / the number of classes" in warning
