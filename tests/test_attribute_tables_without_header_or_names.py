"""An attribute table that lacks a part of `class,<attr1>,...` over `name,weight,...` rows, as
one made by hand from AwA2's files may (class names pasted before its predicate matrix, a
header pasted above it, R's write.table's header without the row names' cell), is refused
saying what is missing and what to write, where the error said only what a header must be or
that a row has one cell fewer than the header."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_attributes
from zsl_cli.errors import ZslError


def _error(text: str) -> str:
    with pytest.raises(ZslError) as caught:
        parse_attributes(text, "a.csv")
    return str(caught.value)


def test_rows_of_names_and_weights_without_a_header() -> None:
    # AwA2's class names pasted before its continuous matrix, saved with commas.
    error = _error("antelope,-1.00,12.34,16.11\ngrizzly+bear,39.25,74.14,3.75\n")
    assert error == (
        "a.csv:1: header must be `class,<attr1>,<attr2>,...` (line 1 is a class's row of "
        "weights, 'antelope' and 3 numbers: the table has no header? add one above the rows, "
        "`class` and the 3 attributes' names: `class,<attr1>,<attr2>,<attr3>`)"
    )


def test_a_header_of_attribute_names_alone_over_rows_with_names() -> None:
    # R's write.table writes row names without a header cell of their own.
    error = _error("black,white\nantelope,0,1\nbeaver,1,0\n")
    assert error == (
        "a.csv:1: header must be `class,<attr1>,<attr2>,...` (the header has 2 cells, the rows "
        "below it 3: the class names' column has no header cell, as R's write.table writes row "
        "names? start the header with `class,`: `class,black,white`)"
    )


def test_a_header_of_attribute_names_over_numbers_alone() -> None:
    # AwA2's binary matrix under the names of predicates.txt: no class names anywhere.
    error = _error("black,white,blue\n0,1,0\n1,0,0\n")
    assert error == (
        "a.csv:1: header must be `class,<attr1>,<attr2>,...` (rows of numbers alone under it: "
        "no class names? give each row its class name first, and start the header with `class,`: "
        "`class,black,white,blue`)"
    )


def test_a_full_header_over_numbers_alone() -> None:
    error = _error("class,black,white,blue\n0,1,0\n1,0,0\n")
    assert error == (
        "a.csv:2: row has 3 cells, header has 4 (numbers alone: the class name missing from the "
        "row's start? give each row its class name first)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "class,black,white\nantelope,0,1\n",  # the layout asked for
        "sep=;\nclass;black;white\nantelope;0;1\n",
    ],
)
def test_whole_tables_read_as_before(text: str) -> None:
    spec = parse_attributes(text, "a.csv")
    assert [cls.name for cls in spec.classes] == ["antelope"]


def test_a_row_missing_a_weight_keeps_its_message() -> None:
    # One weight short, with its name: not a row of numbers alone.
    assert _error("class,black,white,blue\nantelope,0,1\n") == (
        "a.csv:2: row has 3 cells, header has 4"
    )


def test_a_bare_matrix_is_pointed_to_the_benchmark_recipes() -> None:
    # AwA2's predicate-matrix-continuous.txt as it stands: the names are in other files.
    with pytest.raises(ZslError) as error:
        parse_attributes("-1.00 0.00 32.57\n12.3 -1.00 4.5\n", "a.csv")
    assert error.value.message.endswith(
        "README's \"Standard zero-shot benchmarks\" has the lines that write AwA2's and CUB's)"
    )
