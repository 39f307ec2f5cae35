"""`zsl hubness` advising mp for a sigmoid model (SigLIP) says what README says of it: mp lowers
each image's best similarities, which a sigmoid shows in every score, so a threshold read off a
run without mp does not hold for a run with it. Only there: a softmax hardly shows it, and the
other reductions are centred per image."""

from __future__ import annotations

import pytest

from zsl_cli.api import mp_under_sigmoid_warnings
from zsl_cli.encoders.base import ScoreHead

SIGMOID = ScoreHead("sigmoid", scale=10.0, bias=-10.0)
SOFTMAX = ScoreHead("softmax", scale=100.0)


def test_mp_advised_for_a_sigmoid_model_is_warned_of() -> None:
    (warning,) = mp_under_sigmoid_warnings("mp", SIGMOID)
    assert warning.startswith("mp lowers each image's best similarities")
    assert "--threshold" in warning
    assert "does not hold" in warning


@pytest.mark.parametrize(
    ("method", "head"),
    [("mp", SOFTMAX), ("csls", SIGMOID), ("none", SIGMOID), (None, SIGMOID)],
)
def test_no_note_for_another_method_or_a_softmax(method: str | None, head: ScoreHead) -> None:
    assert mp_under_sigmoid_warnings(method, head) == []
