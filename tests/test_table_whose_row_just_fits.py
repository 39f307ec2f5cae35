"""A table whose whole headers and names fill the terminal's width exactly keeps its headers
whole: they are split over two lines only where a line would be wider than the terminal."""

from __future__ import annotations

import io

from rich.console import Console

from tests.hubness_helpers import hubness_report, method_hubness
from zsl_cli.api import Hub
from zsl_cli.summary import render_hubness

HUBS = (Hub("gazelle", 9), Hub("okapi", 7))
# The five other columns' widest words ("method" 6, "skewness" 8, "hub occupancy" 13,
# "antihubs" 8, "Robin Hood" 10), two spaces between each two of the six columns, then the
# hubs' 22 cells: 77 in all.
WHOLE = "method  skewness  hub occupancy  antihubs  Robin Hood  top hubs"


def table_lines(width: int) -> list[str]:
    shown = Console(file=io.StringIO(), width=width, markup=False, emoji=False)
    render_hubness(shown, hubness_report(methods={"none": method_hubness(top_hubs=HUBS)}))
    return shown.file.getvalue().splitlines()


def test_a_row_as_wide_as_the_terminal_keeps_its_whole_headers() -> None:
    lines = table_lines(77)
    assert WHOLE in lines, lines
    assert any(line.endswith("gazelle (9), okapi (7)") for line in lines), lines


def test_a_column_narrower_by_one_splits_its_headers() -> None:
    lines = table_lines(76)
    assert WHOLE not in lines
    assert "method  skewness  occupancy  antihubs   Hood  top hubs" in lines, lines
