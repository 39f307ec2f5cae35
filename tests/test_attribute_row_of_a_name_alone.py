"""An attribute table's row of a class name alone (a class added to the table, its weights not
yet written) is refused naming the class, where the error said `row has 1 cells`."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_attributes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize("row", ["cow", "cow ", '"cow"'])
def test_a_class_without_weights_is_named(row):
    with pytest.raises(ZslError) as caught:
        parse_attributes(f"class,red,round\ncat,1,0\ndog,0,1\n{row}\n", "a.csv")
    assert caught.value.message == (
        "a.csv:4: class 'cow' has no weights: give one for each of the header's 2 attributes "
        "(0 for an attribute the class lacks)"
    )


def test_a_row_short_of_weights_is_counted_as_before():
    with pytest.raises(ZslError) as caught:
        parse_attributes("class,red,round\ncat,1\ndog,0,1\n", "a.csv")
    assert caught.value.message == "a.csv:2: row has 2 cells, header has 3"
