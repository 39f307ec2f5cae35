"""Two attribute tables joined with `cat`, their headers' class cells capitalised differently
(`Class` over `class`, as one spreadsheet and another wrote them): the second header is said to
be a repeated header, as it is where both are spelled alike, not refused as a class named
'class' whose weights are no numbers."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_attributes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    ("first", "second"), [("Class", "class"), ("class", "CLASS"), ("CLASS", "Class")]
)
def test_a_header_repeated_in_another_case_is_named_as_a_repeated_header(
    first: str, second: str
) -> None:
    text = f"{first},red,round\ncat,1,0\n{second},red,blue\ndog,0,1\n"
    with pytest.raises(ZslError) as error:
        parse_attributes(text, "a.csv")
    assert error.value.message.startswith(
        "a.csv:3: the header is repeated here (first at line 1, with other columns): tables "
        "joined with `cat`? keep the first header only"
    )


def test_a_class_row_of_weights_named_like_the_header_is_a_class() -> None:
    # Weights under it: a class that happens to be named 'Class', not a header.
    spec = parse_attributes("class,red,round\ncat,1,0\nClass,0,1\n", "a.csv")
    assert spec.names == ["cat", "Class"]
