"""The low-confidence line of `zsl label`'s summary shows its cut as a person writes it."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tests.helpers import label_summary
from zsl_cli.summary import render_label_summary


@pytest.mark.parametrize(
    ("below", "shown"),
    [(1.0, "1"), (0.25, "0.25"), (0.1 + 0.2, "0.3"), (0.0001, "0.0001")],
)
def test_the_cut_is_shown_without_a_trailing_zero_or_float_noise(below: float, shown: str) -> None:
    console = Console(file=io.StringIO(), width=200, markup=False, emoji=False)
    summary = label_summary(low_confidence=2, low_confidence_below=below)
    render_label_summary(console, summary, "out.csv")
    lines = console.file.getvalue().splitlines()
    assert f"2 predictions scored below {shown} (low confidence)" in lines
