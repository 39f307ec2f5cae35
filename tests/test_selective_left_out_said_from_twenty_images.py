"""When the reports say why the selective-labelling table is left out: from 20 scored images
(SELECTIVE_MIN_IMAGES) on, the 20th included, where the table has no row; not below 20, where it
is left out as a rule, nor where it is there."""

from __future__ import annotations

from zsl_cli.evaluation import selective_left_out
from zsl_cli.metrics import SELECTIVE_MIN_IMAGES, SelectiveLabelling

REASON = "most images are labelled unknown"


def _selective(n: int, reason: str = REASON) -> SelectiveLabelling:
    return SelectiveLabelling(n=n, abstained=n - 1, unscored=0, points=(), reason=reason)


def test_from_twenty_scored_images_the_reason_is_said() -> None:
    assert SELECTIVE_MIN_IMAGES == 20
    assert selective_left_out(_selective(20)) == f"none, {REASON}"
    assert selective_left_out(_selective(21)) == f"none, {REASON}"


def test_below_twenty_or_with_the_table_there_nothing_is_said() -> None:
    assert selective_left_out(_selective(19)) is None
    assert selective_left_out(_selective(30, reason="")) is None
    assert selective_left_out(None) is None
