"""Names are compared composed (NFC): accents written either way are one name, while characters
that only resemble others (subscripts, ligatures, full-width letters), which compatibility
forms (NFKC) would fold, stay the names their files spell."""

from __future__ import annotations

import unicodedata

import pytest

from zsl_cli.text_files import composed, plain_emoji


def test_a_decomposed_accent_is_composed() -> None:
    assert composed("cafe\u0301") == "caf\u00e9"
    assert composed("N\u0303andu\u0301") == "\u00d1and\u00fa"


@pytest.mark.parametrize(
    "name",
    ["H\u2082O", "x\u00b2", "\ufb01sh", "\uff21\uff22", "\u2460 first", "\u00bd cup", "km\u00b2"],
)
def test_a_character_that_only_resembles_another_stays_itself(name: str) -> None:
    assert unicodedata.is_normalized("NFC", name)
    assert not unicodedata.is_normalized("NFKC", name)
    assert composed(name) == name
    assert plain_emoji(name + "\ufe0f") == name
