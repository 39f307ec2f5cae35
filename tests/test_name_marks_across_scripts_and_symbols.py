"""What prints as nothing in a class name, over the whole of each script and symbol class the
rules name: a zero-width joiner beside any of the CJK characters that no joiner joins (a
compatibility ideograph, 々, 〆, 〇, a half-width Hangul letter, an accented Latin letter), a
variation selector after an ideograph of any CJK block, the emoji selectors after a math symbol
or punctuation symbol, a Mongolian vowel separator after any free variation selector and between
letters of the whole Mongolian block, and invisible characters alternating with white space at a
name's ends."""

from __future__ import annotations

import pytest

from zsl_cli.classes import class_names_spec, parse_classes
from zsl_cli.errors import ZslError
from zsl_cli.text_files import (
    emoji_forms,
    glyph_variants,
    shown_form,
    strip_invisible,
    strip_name,
)

ZWJ = "\u200d"


def refused_duplicate(first: str, second: str) -> str:
    with pytest.raises(ZslError) as refused:
        class_names_spec([first, second])
    return str(refused.value)


@pytest.mark.parametrize(
    ("joined", "plain"),
    [
        # Compatibility ideographs that are no other ideograph's form (NFC keeps them): 﨎﨏
        ("\ufa0e" + ZWJ + "\ufa0f", "\ufa0e\ufa0f"),
        ("\u4eba\u3005" + ZWJ, "\u4eba\u3005"),  # 人々, the iteration mark
        ("\u3006" + ZWJ + "\u4e00", "\u3006\u4e00"),  # 〆, the closing mark
        ("\u3007" + ZWJ + "\u4e00", "\u3007\u4e00"),  # 〇, the ideographic zero
        ("\uffa1" + ZWJ + "\uffa4", "\uffa1\uffa4"),  # half-width Hangul letters ﾡﾤ
        ("caf\u00e9" + ZWJ, "caf\u00e9"),  # an accented Latin letter
    ],
    ids=["compatibility", "iteration", "closing", "zero", "halfwidth-hangul", "latin"],
)
def test_a_joiner_beside_these_letters_prints_as_nothing(joined: str, plain: str) -> None:
    assert shown_form(joined) == shown_form(plain)
    assert refused_duplicate(plain, joined).endswith(
        "here, which print alike (U+200D prints as nothing))"
    )


@pytest.mark.parametrize(
    "ideograph",
    ["\u3400", "\u4e00", "\uf900", "\U00020000", "\U0003134a"],
    ids=["extension-a", "unified", "compatibility", "extension-b", "extension-g"],
)
def test_a_selector_after_an_ideograph_of_any_cjk_block_selects_a_glyph_variant(
    ideograph: str,
) -> None:
    assert glyph_variants(f"x{ideograph}\U000e0100") == {"\U000e0100": ideograph}
    assert refused_duplicate(ideograph, ideograph + "\U000e0100").endswith(
        "which print alike in most fonts and terminals "
        f"(U+E0100 selects a glyph variant of {ideograph}))"
    )


def test_a_selector_after_two_ideographs_is_said_of_the_first() -> None:
    name = "\u845b\U000e0100\u98fe\U000e0100"  # 葛 and 飾, each with the same selector
    assert glyph_variants(name) == {"\U000e0100": "\u845b"}
    assert refused_duplicate("\u845b\u98fe", name).endswith(
        "(U+E0100 selects a glyph variant of \u845b))"
    )


@pytest.mark.parametrize(
    "symbol",
    ["\u2194", "\u203c", "\u2764"],
    ids=["math-arrow", "punctuation", "other-symbol"],
)
def test_an_emoji_selector_after_a_symbol_selects_its_form(symbol: str) -> None:
    assert emoji_forms(symbol + "\ufe0f") == {"\ufe0f": f"the picture form of {symbol}"}
    assert refused_duplicate(symbol, symbol + "\ufe0f").endswith(
        f"which show one emoji (U+FE0F selects the picture form of {symbol}))"
    )


def test_an_emoji_selector_after_ascii_punctuation_prints_as_nothing() -> None:
    # `#` + U+FE0F is a keycap only with U+20E3 after it: alone, the selector selects nothing.
    assert emoji_forms("#\ufe0f") == {}
    assert refused_duplicate("no#", "no#\ufe0f").endswith(
        "which print alike (U+FE0F prints as nothing))"
    )


def test_an_emoji_selector_after_two_symbols_is_said_of_the_first() -> None:
    assert emoji_forms("\u2764\ufe0f\u263a\ufe0f") == {"\ufe0f": "the picture form of \u2764"}


@pytest.mark.parametrize("selector", ["\u180b", "\u180c", "\u180d", "\u180f"])
def test_a_vowel_separator_after_each_free_variation_selector_is_kept(selector: str) -> None:
    name = f"\u182c\u1820\u1837{selector}\u180e\u1820"
    assert parse_classes(f"{name}\n", "c.txt").names == [name]


def test_a_vowel_separator_between_letters_at_the_mongolian_block_s_end_is_kept() -> None:
    name = "\u1887\u180e\u18aa"  # Ali Gali letters
    assert parse_classes(f"{name}\n", "c.txt").names == [name]
    assert shown_form(name) != shown_form("\u1887\u18aa")


@pytest.mark.parametrize("strip", [strip_invisible, strip_name])
def test_invisible_characters_and_white_space_alternating_at_the_ends_are_all_stripped(
    strip: object,
) -> None:
    assert callable(strip)
    assert strip("\u200b \u200e cat \ufeff \u00ad ") == "cat"
    assert strip(" \u200b\t\u200b cat") == "cat"


def test_a_comment_line_led_by_an_invisible_character_and_a_space_is_a_comment() -> None:
    spec = parse_classes("\u200b # the pets\ncat\ndog\n", "c.txt")
    assert spec.names == ["cat", "dog"]
