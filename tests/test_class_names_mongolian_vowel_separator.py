"""A Mongolian vowel separator (U+180E) between two Mongolian letters is part of a word's
spelling, as a free variation selector is: it sets a final vowel apart in another form (`ᠬᠠᠷ` +
U+180E + `ᠠ`, "black"), so a class name holds it and is another name than the one without it.
Anywhere else in a name it prints as nothing and is refused, as before; at a name's ends it is
stripped like white space."""

from __future__ import annotations

import pytest

from zsl_cli.classes import class_names_spec, parse_classes
from zsl_cli.errors import ZslError
from zsl_cli.text_files import shown_form

BLACK = "\u182c\u1820\u1837\u180e\u1820"  # ᠬᠠᠷ᠎ᠠ, its final a set apart
UNSEPARATED = BLACK.replace("\u180e", "")


def test_a_name_with_a_vowel_separator_between_mongolian_letters_is_kept_as_written() -> None:
    assert parse_classes(f"{BLACK}\n{UNSEPARATED}\n", "c.txt").names == [BLACK, UNSEPARATED]
    assert class_names_spec([BLACK]).names == [BLACK]
    assert shown_form(BLACK) != shown_form(UNSEPARATED)


def test_a_vowel_separator_after_a_free_variation_selector_is_kept() -> None:
    name = BLACK.replace("\u1837", "\u1837\u180b")
    assert parse_classes(f"{name}\n", "c.txt").names == [name]


@pytest.mark.parametrize(
    "name",
    ["ca\u180et", "\u182c\u1820\u1837\u180ea", "a\u180e\u1820", "\u1820\u180e \u1820"],
    ids=["latin", "before-latin", "after-latin", "before-space"],
)
def test_a_vowel_separator_off_mongolian_letters_is_still_refused(name: str) -> None:
    with pytest.raises(ZslError, match=r"contains '\\u180e', which is not allowed"):
        parse_classes(f"{name}\n", "c.txt")


def test_a_vowel_separator_at_a_name_s_ends_is_still_stripped() -> None:
    assert parse_classes(f"\u180e{BLACK}\u180e\n", "c.txt").names == [BLACK]
