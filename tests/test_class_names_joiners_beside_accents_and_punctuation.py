"""shown_form of a class name holding a zero-width (non-)joiner beside an accent that composes
with no letter (x + U+0301), or beside punctuation or a space outside ASCII (an em dash, the
ideographic space): the joiner prints as nothing there, so the name is one with the name
without it; beside Arabic letters it joins them, and the two names stay apart."""

from __future__ import annotations

import pytest

from zsl_cli.text_files import shown_form


@pytest.mark.parametrize(
    ("with_joiner", "without"),
    [
        ("x\u0301\u200dy", "x\u0301y"),
        ("cat\u200d\u2014dog", "cat\u2014dog"),
        ("red\u200c\u3000circle", "red\u3000circle"),
    ],
    ids=["after-an-accent", "before-an-em-dash", "before-an-ideographic-space"],
)
def test_a_joiner_beside_an_accent_or_punctuation_prints_as_nothing(
    with_joiner: str, without: str
) -> None:
    assert shown_form(with_joiner) == shown_form(without)


def test_a_joiner_between_arabic_letters_keeps_the_names_apart() -> None:
    assert shown_form("\u0628\u200d\u0628") != shown_form("\u0628\u0628")
