"""A #phrase row must have one cell for each column of the header: one with more cells (a
phrase too many, or a ',' too many at its end) is refused naming its line, as one with fewer
is, not read with its extra phrase dropped nor failing inside zsl."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_attributes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("class,red,round\n#phrase,crimson,circular,striped\nx,1,0\n", 4),
        ("class,red\n#phrase,crimson,\nx,1\n", 3),
    ],
)
def test_a_phrase_row_of_another_width_than_the_header_is_refused(text: str, cells: int) -> None:
    header = len(text.partition("\n")[0].split(","))
    with pytest.raises(ZslError) as error:
        parse_attributes(text, "a.csv")
    assert error.value.message == f"a.csv:2: #phrase row has {cells} cells, header has {header}"


def test_a_phrase_row_of_fewer_cells_says_each_column_needs_one() -> None:
    # The last column's phrase left out, as its name would do: its cell is still needed.
    with pytest.raises(ZslError) as error:
        parse_attributes("class,red,round,striped\n#phrase,crimson\nx,1,0,1\n", "a.csv")
    assert error.value.message == (
        "a.csv:2: #phrase row has 2 cells, header has 4 (a cell for each column, empty where the "
        "column's name is its phrase: '#phrase,crimson,,')"
    )


def test_a_phrase_row_as_wide_as_the_header_gives_the_phrases() -> None:
    spec = parse_attributes("class,red,round\n#phrase,crimson,\nx,1,0\n", "a.csv")
    assert spec.attributes is not None
    assert spec.attributes.phrases == ("crimson", "round")
