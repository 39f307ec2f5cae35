"""A zero-width (non-)joiner next to a CJK ideograph, a kana, a Hangul syllable or compatibility
jamo, or a bopomofo letter joins or parts nothing (none of these scripts is cursive or makes
conjuncts), so it prints as nothing, as between Latin letters: `葛` and `葛` + U+200D are one class
name, and the second is refused as a duplicate that shows the joiner escaped. Between conjoining
Hangul jamo a joiner splits the syllable block they build, and beside Arabic, Indic letters or an
emoji it joins or parts them: there it is kept, and the name is another one. Messages that quote
a Mongolian name show its vowel separator (U+180E between two Mongolian letters) as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.classes import class_names_spec, parse_classes
from zsl_cli.errors import EXIT_USAGE, ZslError
from zsl_cli.formatting import quoted_text
from zsl_cli.text_files import shown_form

ZWJ, ZWNJ = "\u200d", "\u200c"
KUZU = "\u845b"  # 葛
NEKO = "\u306d\u3053"  # ねこ
KOYANGI = "\uace0\uc591\uc774"  # 고양이
BLACK = "\u182c\u1820\u1837\u180e\u1820"  # ᠬᠠᠷ᠎ᠠ, its final a set apart

# Each name written with a joiner that prints as nothing, and the name as it prints.
UNSEEN = [
    (KUZU + ZWJ, KUZU),
    (ZWJ + KUZU + "\u5c4b", KUZU + "\u5c4b"),  # at a name's start
    ("\u306d" + ZWNJ + "\u3053", NEKO),  # hiragana
    ("\u30cd" + ZWJ + "\u30b3", "\u30cd\u30b3"),  # katakana ネコ
    ("\u30b9\u30fc" + ZWNJ + "\u30d1", "\u30b9\u30fc\u30d1"),  # after the prolonged sound mark
    ("\uff88" + ZWJ + "\uff7a", "\uff88\uff7a"),  # half-width katakana ﾈｺ
    ("\uace0" + ZWJ + "\uc591\uc774", KOYANGI),  # Hangul syllables
    ("\u3131" + ZWNJ + "\u3134", "\u3131\u3134"),  # compatibility jamo ㄱㄴ, which do not conjoin
    ("\u3105" + ZWJ + "\u3106", "\u3105\u3106"),  # bopomofo ㄅㄆ
    ("cat " + KUZU + ZWJ + " 1", "cat " + KUZU + " 1"),  # beside a space
    (KUZU + ZWJ + ZWNJ + "\u5c4b", KUZU + "\u5c4b"),  # a run of joiners
    ("\u4e00" + ZWJ + "a", "\u4e00a"),  # an ideograph beside a Latin letter
]


def escaped(name: str) -> str:
    return name.replace(ZWJ, "\\u200d").replace(ZWNJ, "\\u200c")


@pytest.mark.parametrize(("joined", "plain"), UNSEEN, ids=[ascii(j)[1:-1] for j, _ in UNSEEN])
def test_a_joiner_beside_cjk_kana_hangul_or_bopomofo_prints_as_nothing(
    joined: str, plain: str
) -> None:
    assert shown_form(joined) == shown_form(plain)
    with pytest.raises(ZslError) as refused:
        parse_classes(f"{plain}\n{joined}\n", "c.txt")
    joiners = sorted({f"U+{ord(c):04X}" for c in joined if c in (ZWJ, ZWNJ)})
    why = ", ".join(joiners) + (" print" if len(joiners) > 1 else " prints") + " as nothing"
    assert str(refused.value) == (
        f"c.txt:2: duplicate class '{escaped(joined)}' (first at c.txt:1, spelled '{plain}' there "
        f"and '{escaped(joined)}' here, which print alike ({why}))"
    )


def test_names_given_in_code_that_differ_in_such_a_joiner_are_one() -> None:
    with pytest.raises(ZslError, match=r"<names>\[1\]: duplicate class 'ね\\u200cこ'"):
        class_names_spec([NEKO, "\u306d" + ZWNJ + "\u3053"])


@pytest.mark.parametrize(
    ("joined", "apart"),
    [
        ("\u1100" + ZWNJ + "\u1161", "\uac00"),  # ᄀ ᅡ, kept from building the syllable 가
        ("\uac00" + ZWJ + "\u11a8", "\uac01"),  # 가 ᆨ, kept from building 각
        (KUZU + ZWNJ + "\u0645\u06cc", KUZU + "\u0645\u06cc"),  # beside an Arabic letter
        ("\u306d" + ZWJ + "\u0915", "\u306d\u0915"),  # beside a Devanagari letter
    ],
    ids=["jamo", "syllable-and-jamo", "arabic", "devanagari"],
)
def test_a_joiner_beside_conjoining_jamo_or_a_joining_script_is_kept(
    joined: str, apart: str
) -> None:
    assert parse_classes(f"{apart}\n{joined}\n", "c.txt").names == [apart, joined]
    assert shown_form(joined) != shown_form(apart)


def test_label_refuses_a_class_file_with_a_kana_name_and_the_same_with_a_joiner(
    tmp_path: Path,
) -> None:
    classes = tmp_path / "classes.txt"
    classes.write_text(f"{NEKO}\n\u306d{ZWNJ}\u3053\n", encoding="utf-8")
    result = run("label", "--show-prompts", "-c", classes)
    assert result.exit_code == EXIT_USAGE, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("zsl: error: ") and "duplicate class 'ね\\u200cこ'" in line
    assert ZWNJ not in result.stderr and result.stdout == ""


def test_a_message_quoting_a_mongolian_name_shows_its_vowel_separator_as_written() -> None:
    with pytest.raises(ZslError) as refused:
        parse_classes(f"{BLACK}\n{BLACK}\n", "c.txt")
    assert str(refused.value) == f"c.txt:2: duplicate class '{BLACK}' (first at c.txt:1)"
    # Anywhere else it prints as nothing, and stays escaped.
    assert quoted_text("ca\u180et") == "'ca\\u180et'"
    assert quoted_text("\u1820\u180e \u1820") == "'\u1820\\u180e \u1820'"
