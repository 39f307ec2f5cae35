"""Edges of attribute tables: a header of the class column alone (a spreadsheet's empty columns
beside it, or none), and attribute names that are bare numbers but no column numbers."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_attributes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize("text", ["class\ncat\ndog\n", "class,,\ncat,,\ndog,,\n"])
def test_a_header_of_the_class_column_alone_is_refused_as_a_header(text):
    with pytest.raises(ZslError) as error:
        parse_attributes(text, "a.csv")
    assert str(error.value).startswith("a.csv:1: header must be `class,<attr1>,<attr2>,...`")


def test_bare_numbers_out_of_order_are_no_column_numbers():
    # Counts as attribute names (legs: 1, 4, 2): warned of, not refused as a table's default.
    spec = parse_attributes("class,1,4,2\ncat,0,1,0\nbird,0,0,1\n", "a.csv")
    [warning] = spec.warnings
    assert warning.startswith("a.csv:1: 3 attribute names are bare numbers ('1', '4', '2')")
