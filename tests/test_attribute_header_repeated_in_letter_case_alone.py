"""A header repeated below the first one (two tables joined with `cat`) whose cells differ from the
first one's in letter case alone is not said to have other columns: it has the same ones."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_attributes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize("second", ["Class,red,round", "class,Red,ROUND", "CLASS,RED,Round"])
def test_a_header_repeated_in_another_letter_case_has_the_same_columns(second):
    with pytest.raises(ZslError) as refused:
        parse_attributes(f"class,red,round\ncat,1,0\n{second}\ndog,0,1\n", "a.csv")
    assert refused.value.message == (
        "a.csv:3: the header is repeated here (first at line 1, in another letter case): tables "
        "joined with `cat`? keep the first header only"
    )


def test_a_header_with_other_columns_is_still_said_to_have_them():
    with pytest.raises(ZslError) as refused:
        parse_attributes("class,red,round\ncat,1,0\nClass,red,blue\ndog,0,1\n", "a.csv")
    assert "(first at line 1, with other columns)" in refused.value.message
    assert refused.value.message.endswith(", over rows of the same columns")
