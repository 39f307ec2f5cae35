"""A descriptions file that is not JSON for what stands around its object is told so by what
that is: a comment above the object, a blank line between them; a Python dict of class ids
below a blank line or after a byte-order mark, named as the dict it is."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_descriptions
from zsl_cli.errors import ZslError

ID_MAP = (
    "d.txt is a Python dict mapping class ids to names, not a descriptions file (JSON): for a "
    "class list, write the names one per line"
)


def refusal(text: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_descriptions(text, "d.txt")
    return str(error.value)


def test_a_comment_and_a_blank_line_above_the_object_are_a_comment():
    assert refusal('// made by a script\n\n{"tench": ["a fish"]}\n') == (
        "d.txt:1: column 1: not JSON (a comment above it? JSON has none: keep the JSON alone)"
    )


@pytest.mark.parametrize(
    "text",
    ["\n{0: 'tench', 1: 'goldfish'}\n", "\ufeff{0: 'tench', 1: 'goldfish'}\n"],
    ids=["blank-line-first", "byte-order-mark"],
)
def test_a_python_dict_of_ids_after_a_blank_line_or_a_bom_is_named_so(text):
    assert refusal(text) == ID_MAP
