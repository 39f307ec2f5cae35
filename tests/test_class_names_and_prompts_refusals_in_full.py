"""Refusals of class names and prompts in their every form: a Mongolian word with two vowel
separators, a Hangul filler at the end of a name given in code (refused as one inside a name is),
an attribute row of a name alone under a header of one attribute, and the name three times in a
prompt, or twice with a ',' after the second only."""

from __future__ import annotations

import pytest

from zsl_cli.classes import class_names_spec, parse_attributes, parse_classes
from zsl_cli.errors import ZslError


def test_a_name_with_two_vowel_separators_between_mongolian_letters_is_kept() -> None:
    name = "\u182c\u180e\u1820\u1837\u180e\u1820"
    assert parse_classes(f"{name}\n", "c.txt").names == [name]
    assert class_names_spec([name]).names == [name]
    # A zero-width space after them is still found and refused.
    with pytest.raises(ZslError, match=r"contains '\\u200b', which is not allowed"):
        parse_classes(f"{name}\u200b\u1820\n", "c.txt")


@pytest.mark.parametrize("filler", ["\u115f", "\u1160"])
def test_a_hangul_filler_at_a_name_s_end_given_in_code_is_refused_as_inside_one(
    filler: str,
) -> None:
    with pytest.raises(ZslError) as caught:
        class_names_spec(["dog", f"cat{filler}"])
    assert caught.value.message.startswith(
        f"<names>[1]: class name 'cat\\u{ord(filler):04x}' contains '\\u{ord(filler):04x}', "
        "which is not allowed"
    )


def test_a_row_of_a_name_alone_under_one_attribute_is_named() -> None:
    with pytest.raises(ZslError) as caught:
        parse_attributes("class,furry\ncat,1\ncow\n", "a.csv")
    assert caught.value.message == (
        "a.csv:3: class 'cow' has no weights: give one for the header's attribute (0 for an "
        "attribute the class lacks)"
    )


def test_three_prompts_joined_by_commas_are_counted() -> None:
    with pytest.raises(ZslError) as caught:
        parse_classes("cat: a photo of a {}, a sketch of a {}, a toy {}\ndog\n", "c.txt")
    assert caught.value.message == (
        "c.txt:1: prompt 'a photo of a {}, a sketch of a {}, a toy {}' holds {} (the class name) "
        "3 times: prompts joined by ','? prompts are separated by ';' (`name: prompt one; prompt "
        "two`)"
    )


def test_a_comma_after_the_name_s_second_place_only_is_no_join() -> None:
    # Between the two places nothing joins two prompts: the name goes in once.
    with pytest.raises(ZslError) as caught:
        parse_classes("cat: a {} and a {}, together\ndog\n", "c.txt")
    assert "which goes in once" in caught.value.message
    assert "joined by" not in caught.value.message
