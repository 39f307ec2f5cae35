"""The label summary clips a long class name in the middle; two names that differ only in the
part left out are clipped instead around where they part, so that no two rows read alike, and
the rows stay short and aligned."""

from __future__ import annotations

import io

from rich.console import Console

from tests.helpers import label_summary
from zsl_cli.summary import MAX_LABEL_CHARS, render_label_summary

START = "circle " * 100
END = " star" * 100


def label_rows(labels: dict[str, int], width: int = 10_000) -> list[str]:
    console = Console(file=io.StringIO(), width=width, markup=False, emoji=False)
    summary = label_summary(labels=labels, ok=sum(labels.values()), total=sum(labels.values()))
    render_label_summary(console, summary, "out.csv")
    lines = console.file.getvalue().splitlines()
    return [line for line in lines if line.startswith(("circle", "cat"))]


def test_two_long_names_that_differ_in_the_middle_show_as_two_rows() -> None:
    # The review's names: 22 circles, a colour, 11 stars; one class blue, the other gray.
    start, end = "circle " * 22, " star" * 11
    rows = label_rows({f"{start}blue{end}": 4, f"{start}gray{end}": 4})
    assert len(rows) == 2 and rows[0] != rows[1]
    assert "blue" in rows[0] and "gray" in rows[1]
    assert [row.split()[-2:] for row in rows] == [["4", "50%"], ["4", "50%"]]


def test_names_clipped_around_where_they_part_stay_short_and_aligned() -> None:
    blue, gray = f"{START}blue{END}", f"{START}gray{END}"
    rows = label_rows({blue: 3, gray: 2, "cat": 1})
    named = {row.split()[0]: row for row in rows}
    assert set(named) == {"circle", "cat"} and len(rows) == 3
    blue_row, gray_row = rows[:2]
    assert "blue" in blue_row and "gray" in gray_row
    assert blue_row.startswith("circle circle") and gray_row.startswith("circle circle")
    # Each keeps its start and end, and what lies between is said to be left out.
    assert blue_row.split()[-4:] == ["star", "star", "3", "50%"]
    assert "characters left out" in blue_row
    assert len(blue_row) < 2 * MAX_LABEL_CHARS
    # The counts end in one column, as every row's do.
    assert len(blue_row) == len(gray_row) == len(rows[2])


def test_three_names_that_part_at_two_places_show_as_three_rows() -> None:
    middle = " and " * 60
    names = [
        f"{START}blue{middle}x{END}",
        f"{START}blue{middle}y{END}",
        f"{START}gray{middle}x{END}",
    ]
    rows = label_rows(dict.fromkeys(names, 1))
    assert len(rows) == 3 and len(set(rows)) == 3
    assert all(len(row) < 2 * MAX_LABEL_CHARS for row in rows)


def test_long_names_that_are_told_apart_by_their_clipped_ends_are_clipped_as_before() -> None:
    first, second = f"{START}one", f"{START}two"
    rows = label_rows({first: 1, second: 1})
    assert rows[0].split()[-3:] == ["one", "1", "50%"] and rows[1].split()[-3:][0] == "two"
    assert rows[0].count("characters left out") == 1
