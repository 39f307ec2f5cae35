"""A --threshold is checked whatever its truth value: False, an empty string or a complex zero
are no scores, and are refused as such rather than taken as 0 (or failing in float())."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.scoring import Decision


@pytest.mark.parametrize("threshold", [False, "", 0j, ()], ids=repr)
def test_a_falsy_threshold_that_is_no_number_is_refused(threshold: object) -> None:
    with pytest.raises(ZslError, match="give a score from 0 to 1"):
        Decision(threshold=threshold)  # type: ignore[arg-type]


def test_a_threshold_of_zero_is_kept_as_zero() -> None:
    assert Decision(threshold=0).threshold == 0.0
    assert type(Decision(threshold=0).threshold) is float
