"""Rows of a predictions CSV that hold no cell, or only empty ones (`,,,,,,` as a spreadsheet
saves a row it once used), are skipped wherever they are, before the header too, and the line
numbers of the rows after them stay those of the file."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions
from zsl_cli.records import CSV_COLUMNS

HEADER = ",".join(CSV_COLUMNS)
EMPTY = "," * (len(CSV_COLUMNS) - 1)


def test_rows_of_empty_cells_and_blank_lines_are_skipped(tmp_path):
    output = tmp_path / "p.csv"
    lines = [
        EMPTY,
        HEADER,
        "a.png,cat,0.75,cat|dog,0.75|0.25,ok,",
        EMPTY,
        "",
        "b.png,dog,0.5,dog|cat,0.5|0.5,ok,",
        EMPTY,
    ]
    output.write_text("\n".join(lines) + "\n")
    assert [(p.path, p.label) for p in read_predictions(output)] == [
        ("a.png", "cat"),
        ("b.png", "dog"),
    ]


def test_a_row_after_empty_ones_is_named_by_its_own_line(tmp_path):
    output = tmp_path / "p.csv"
    lines = [HEADER, EMPTY, "", "a.png,cat,0.75,cat|dog,0.75,ok,"]
    output.write_text("\n".join(lines) + "\n")
    with pytest.raises(ZslError) as refused:
        read_predictions(output)
    assert str(refused.value) == f"{output}: line 4: top_k_labels and top_k_scores differ in length"
