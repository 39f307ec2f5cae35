"""Edges of descriptions files: the warning of descriptors that are whole prompts already
(nine in ten of them at least naming their class), and one record of a class refused."""

from __future__ import annotations

import json

import pytest

from zsl_cli.classes import parse_descriptions, whole_prompt_warnings
from zsl_cli.errors import ZslError


def descriptions(naming: int, total: int) -> str:
    """`total` descriptors of two classes, the first `naming` of them naming their class."""
    data: dict[str, list[str]] = {"tench": [], "goldfish": []}
    for index in range(total):
        name = "tench" if index % 2 else "goldfish"
        text = f"A photo of a {name}, kind {index}." if index < naming else f"scales, kind {index}"
        data[name].append(text)
    return json.dumps(data)


@pytest.mark.parametrize(("naming", "warned"), [(10, True), (9, True), (8, False)])
def test_whole_prompts_are_warned_of_where_nine_in_ten_name_their_class(naming, warned):
    spec = parse_descriptions(descriptions(naming, 10), "d.json")
    warnings = whole_prompt_warnings(spec)
    assert bool(warnings) == warned, warnings
    if naming == 9:
        assert warnings[0].startswith("d.json: 9 of 10 descriptors name their class, such as ")


@pytest.mark.parametrize("key", ["class", "name", "label"])
def test_one_record_of_a_class_is_refused_by_any_key_naming_it(key):
    # Read as classes, its keys would be classes named after the record's fields.
    with pytest.raises(ZslError) as error:
        parse_descriptions(json.dumps({key: "cat", "descriptions": ["whiskers"]}), "d.json")
    assert str(error.value).startswith("d.json: one record of class 'cat', not classes named")
