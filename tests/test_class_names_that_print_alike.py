"""Class names that differ only in characters that print as nothing (Unicode's default-ignorable
code points: a zero-width joiner between Latin letters, a variation selector on a letter, a tag
outside a flag) are one name, refused as a duplicate that shows them escaped; blanks that are no
space (Hangul fillers, the braille blank) and format characters no name holds are refused; the
names that need joiners and selectors (Persian, Indic scripts, emoji, flags, Mongolian) are kept,
and are other names than those written without them, which print otherwise; and `evaluate`'s
"written otherwise" hint takes names that print alike for one."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.helpers import run, write_labelled
from zsl_cli.classes import class_names_spec, parse_classes, parse_descriptions
from zsl_cli.errors import EXIT_USAGE, ZslError
from zsl_cli.formatting import loose_name, quoted_text
from zsl_cli.text_files import DEFAULT_IGNORABLE, shown_form

# Characters that print as nothing and that names of some script or emoji need, so a class list
# keeps them: only a second name that prints alike is refused.
KEPT_INVISIBLE = [
    "\u200d",  # zero-width joiner
    "\u200c",  # zero-width non-joiner
    "\ufe0f",  # variation selector 16
    "\ufe00",  # variation selector 1
    "\u034f",  # combining grapheme joiner
    "\U000e0061",  # a tag, outside any flag
    "\U000e0100",  # variation selector 17
]
# Characters no name holds, refused wherever they are in one.
REFUSED = [
    ("\u3164", "a blank that is no space"),  # Hangul filler
    ("\uffa0", "a blank that is no space"),  # half-width Hangul filler
    ("\u2800", "a blank that is no space"),  # braille pattern blank
    ("\u115f", "not allowed"),  # Hangul choseong filler
    ("\u1160", "not allowed"),  # Hangul jungseong filler
    ("\u17b4", "not allowed"),  # Khmer vowel inherent aq
    ("\u17b5", "not allowed"),  # Khmer vowel inherent aa
    ("\ufff9", "not allowed"),  # interlinear annotation anchor
    ("\ufffb", "not allowed"),  # interlinear annotation terminator
    ("\u206a", "not allowed"),  # inhibit symmetric swapping, deprecated
]

PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # می‌خواهم, a ZWNJ inside
HINDI = "\u0915\u094d\u200d\u0937"  # क्‍ष, a half form held by a ZWJ
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧
HEART = "\u2764\ufe0f"  # ❤️
MONGOLIAN = "\u1820\u180b\u1821"  # a letter in a variant form
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"  # 🏳️‍🌈
POLAR_BEAR = "\U0001f43b\u200d\u2744\ufe0f"  # 🐻‍❄️
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
WALES = "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"


def escaped(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


@pytest.mark.parametrize("invisible", KEPT_INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_a_name_that_prints_as_another_is_refused_as_its_duplicate(invisible: str) -> None:
    with pytest.raises(ZslError) as refused:
        parse_classes(f"blue circle\nblu{invisible}e circle\nred square\n", "c.txt")
    message = str(refused.value)
    assert message == (
        f"c.txt:2: duplicate class 'blu{escaped(invisible)}e circle' (first at c.txt:1, spelled "
        f"'blue circle' there and 'blu{escaped(invisible)}e circle' here, which print alike "
        f"(U+{ord(invisible):04X} prints as nothing))"
    )
    assert "\n" not in message and invisible not in message


def test_every_name_that_prints_as_another_is_named_with_its_invisible_characters_escaped():
    text = "cat\ndog\nc\u200dat\nd\u200co\u200dg\ncat\n"
    with pytest.raises(ZslError) as refused:
        parse_classes(text, "c.txt")
    assert str(refused.value) == (
        "c.txt:3: duplicate class 'c\\u200dat' (first at c.txt:1, spelled 'cat' there and "
        "'c\\u200dat' here, which print alike (U+200D prints as nothing)); 2 more repeated: "
        "'d\\u200co\\u200dg' at c.txt:4, 'cat' at c.txt:5"
    )


def test_names_that_print_alike_are_one_in_names_given_in_code_and_descriptions() -> None:
    with pytest.raises(ZslError, match=re.escape("<names>[1]: duplicate class 'ca\\u200dt'")):
        class_names_spec(["cat", "ca\u200dt"])
    with pytest.raises(ZslError, match=re.escape("x:1: duplicate class 'c\\u034fat'")):
        parse_descriptions('{"cat": ["whiskers"], "c\\u034fat": ["paws"]}', "x")


@pytest.mark.parametrize(
    ("character", "why"), REFUSED, ids=[f"U+{ord(character):04X}" for character, _ in REFUSED]
)
def test_a_character_no_name_holds_is_refused_and_shown_escaped(character: str, why: str) -> None:
    with pytest.raises(ZslError) as refused:
        parse_classes(f"red square\nblue{character}circle\n", "c.txt")
    message = str(refused.value)
    assert message.startswith(
        f"c.txt:2: class name 'blue{escaped(character)}circle' contains '{escaped(character)}', "
    )
    assert why in message and character not in message


@pytest.mark.parametrize(
    "names",
    [
        [PERSIAN, "\u0645\u06cc\u062e\u0648\u0627\u0647\u06cc\u0645"],  # another word
        [HINDI, "\u0915\u0937"],  # क ष: other letters
        [FAMILY, "\U0001f468", HEART],
        [SCOTLAND, ENGLAND, WALES, "\U0001f3f4"],  # a flag's tags print as its country
        [MONGOLIAN, "\u1820\u1822"],
    ],
    ids=["persian", "hindi", "emoji", "flags", "mongolian"],
)
def test_names_that_need_joiners_and_selectors_are_kept_as_written(names: list[str]) -> None:
    assert parse_classes("".join(f"{name}\n" for name in names), "c.txt").names == names
    assert len({shown_form(name) for name in names}) == len(names)


@pytest.mark.parametrize(
    "joined",
    [FAMILY, RAINBOW_FLAG, POLAR_BEAR, PERSIAN, HINDI],
    ids=["family", "rainbow-flag", "polar-bear", "persian-zwnj", "hindi-zwj"],
)
def test_a_name_whose_joiners_join_letters_or_emoji_is_another_than_the_one_without(joined: str):
    # A family of three people and three people side by side; Persian's ZWNJ parts two letters
    # the name without it joins; Hindi's ZWJ shows a half form where the name without it shows
    # the conjunct. They print otherwise, so the class list keeps both.
    apart = joined.replace("\u200d", "").replace("\u200c", "")
    assert parse_classes(f"{joined}\n{apart}\n", "c.txt").names == [joined, apart]
    assert shown_form(joined) != shown_form(apart)


def test_a_name_with_a_mongolian_variation_selector_is_another_than_the_one_without() -> None:
    plain = MONGOLIAN.replace("\u180b", "")
    for selector in "\u180b\u180c\u180d\u180f":
        variant = MONGOLIAN.replace("\u180b", selector)
        assert parse_classes(f"{variant}\n{plain}\n", "c.txt").names == [variant, plain]


@pytest.mark.parametrize(
    "joined",
    [
        "blu\u200de circle",
        "blue\u200c circle",
        "\u200dblue circle",
        "blue-\u200dcircle",
        "blue circle 2\u200d1",
        "\u03b1\u200d\u03b2 circle",  # Greek
        "\u043a\u200c\u0440\u0443\u0433",  # Cyrillic
        "blu\u200d\u200c\ufe0fe circle",  # a run of such characters
    ],
)
def test_joiners_between_latin_greek_cyrillic_letters_digits_or_punctuation_print_as_nothing(
    joined: str,
) -> None:
    apart = joined.replace("\u200d", "").replace("\u200c", "").replace("\ufe0f", "")
    assert shown_form(joined) == shown_form(apart)
    with pytest.raises(ZslError, match="duplicate class"):
        parse_classes(f"{apart}\n{joined}\n", "c.txt")


def test_an_emoji_and_the_same_emoji_with_a_selector_are_one_name() -> None:
    with pytest.raises(
        ZslError, match=re.escape("duplicate class '\u2764\\ufe0f' (first at c.txt:1")
    ):
        parse_classes(f"\u2764\n{HEART}\n", "c.txt")


def test_the_set_of_characters_that_print_as_nothing_is_unicode_s_for_every_code_point():
    # Unicode's derivation of Default_Ignorable_Code_Point (DerivedCoreProperties.txt), with
    # this Python's unicodedata for its categories: the format characters but the exceptions,
    # and two lists that unicodedata does not give.
    variation_selectors = {*range(0x180B, 0x180E), 0x180F, *range(0xFE00, 0xFE10)}
    variation_selectors |= set(range(0xE0100, 0xE01F0))
    other_ignorable = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2065, 0x3164, 0xFFA0}
    other_ignorable |= set(range(0xFFF0, 0xFFF9)) | {0xE0000} | set(range(0xE0002, 0xE0020))
    other_ignorable |= set(range(0xE0080, 0xE0100)) | set(range(0xE01F0, 0xE1000))
    printed = {*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD}
    printed |= set(range(0xFFF9, 0xFFFC)) | set(range(0x13430, 0x13440))
    rule = {
        code
        for code in range(0x110000)
        if unicodedata.category(chr(code)) == "Cf" and code not in printed
    }
    rule |= variation_selectors | other_ignorable
    every = "".join(map(chr, range(0x110000)))
    assert {found.start() for found in DEFAULT_IGNORABLE.finditer(every)} == rule


def test_loose_names_compare_names_as_they_print() -> None:
    assert loose_name("Blu\u200de Circle") == loose_name("blue circle") == "blue circle"
    assert loose_name("blue\u2800circle") == loose_name("blue\u3164circle") == "blue circle"
    assert loose_name(SCOTLAND) != loose_name(ENGLAND)
    assert loose_name(PERSIAN) != loose_name(PERSIAN.replace("\u200c", ""))
    assert loose_name(FAMILY) != loose_name(FAMILY.replace("\u200d", ""))


def test_quoted_names_escape_blanks_that_python_calls_printable() -> None:
    assert quoted_text("a\u3164b\u2800c\u17b4") == "'a\\u3164b\\u2800c\\u17b4'"
    # The joiners a name holds stay as written, but where two names are set side by side.
    assert quoted_text(PERSIAN) == f"'{PERSIAN}'"
    assert quoted_text(PERSIAN, ignorable_escaped=True) == (
        "'\u0645\u06cc\\u200c\u062e\u0648\u0627\u0647\u0645'"
    )


def test_label_refuses_a_class_list_with_names_that_print_alike(tmp_path: Path) -> None:
    classes = tmp_path / "classes.txt"
    classes.write_text("blue circle\nblu\u200de circle\nred square\n", encoding="utf-8")
    (tmp_path / "images").mkdir()
    result = run("label", tmp_path / "images", "-c", classes, "-m", "shapes-demo", "-q")
    assert result.exit_code == EXIT_USAGE, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("zsl: error: ") and "duplicate class 'blu\\u200de circle'" in line
    assert "Traceback" not in result.stderr and "\u200d" not in result.stderr


def test_evaluate_tells_a_truth_class_written_with_an_invisible_character_apart(tmp_path: Path):
    # The run's class holds a joiner that the truth folder's name does not: the hint that the
    # truth class is a class written otherwise names it.
    joined = "blu\u200de circle"
    predictions, truth = write_labelled(
        tmp_path,
        {
            "blue circle/1.jpg": ("blue circle", [joined, "red square", "green star"]),
            "red square/1.jpg": ("red square", ["red square", joined, "green star"]),
        },
    )
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 0, result.output
    assert "'blue circle' in the truth is 'blu" in result.stderr
