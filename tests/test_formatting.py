"""Texts cut for messages: never inside an escape that stands for one unprintable character."""

from __future__ import annotations

import re

import pytest

from zsl_cli.formatting import (
    clipped_middle,
    clipped_text,
    excel_delimiter,
    printable_text,
    some_names,
)

# What `printable` and the consoles write for a character they cannot show.
WHOLE_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|[nrt])")


def _half_escapes(text: str) -> list[str]:
    """The backslashes in `text` that start no whole escape, with what follows them."""
    return [
        text[m.start() : m.start() + 4]
        for m in re.finditer(r"\\", text)
        if not WHOLE_ESCAPE.match(text, m.start())
    ]


@pytest.mark.parametrize("escape", ["\\xe9", "\\u2028", "\\U0001f600", "\\n"])
@pytest.mark.parametrize("shift", range(10))
def test_a_long_text_is_cut_in_the_middle_between_escapes(escape: str, shift: int) -> None:
    # An undecodable file name printed as \xNN throughout: every cut position is tried.
    text = "x" * (1490 + shift) + escape * 2000
    clipped = clipped_middle(text)
    assert not _half_escapes(clipped), _half_escapes(clipped)
    head, _, rest = clipped.partition(" ... [")
    count, _, tail = rest.partition(" characters left out] ... ")
    assert len(head) + int(count.replace(",", "")) + len(tail) == len(text)
    assert text.startswith(head) and text.endswith(tail)
    assert head.endswith((escape, "x")) and tail.startswith(escape)  # no "e9\\xe9..."
    assert 1490 <= len(head) <= 1500 and 490 <= len(tail) <= 500


def test_a_combining_mark_stays_with_its_letter() -> None:
    text = "e\u0301" * 2000  # é as e and a combining acute accent
    head, _, rest = clipped_middle(text, limit=101).partition(" ... [")
    tail = rest.partition(" characters left out] ... ")[2]
    assert head.endswith("e\u0301") and tail.startswith("e\u0301")


@pytest.mark.parametrize("shift", range(4))
def test_a_text_without_spaces_is_cut_at_its_end_between_escapes(shift: int) -> None:
    text = "x" * (296 + shift) + "\\xe9" * 100
    clipped = clipped_text(text)
    assert clipped.endswith(" ...") and not _half_escapes(clipped)
    assert text.startswith(clipped.removesuffix(" ...")) and len(clipped) <= 300 + 4


def test_short_texts_are_kept_whole() -> None:
    assert clipped_middle("\\xe9" * 10) == "\\xe9" * 10
    assert clipped_text("a b\\n", 5) == "a b\\n"


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("sep=;", ";"),
        ("sep=,\r", ","),
        ("sep=\t", "\t"),
        ("sep=|  ", "|"),
        ("sep=a", None),
        ('sep="', None),
        ("sep=", None),
        ("sep=;;", None),
        ("path,label", None),
    ],
)
def test_excel_delimiter_is_read_off_a_first_line_that_names_one(line, delimiter):
    # One rule for class lists, attribute tables and truth CSVs, where each had its own.
    assert excel_delimiter(line) == delimiter


def test_some_names_says_how_many_more_only_when_there_are_more():
    assert some_names(["a", "b", "c"], limit=3) == "a, b, c"  # not "a, b, c, ... (0 more)"
    assert some_names(["a", "b", "c", "d"], limit=3) == "a, b, c, ... (1 more)"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # At a name's ends, what strip_invisible strips is shown: `cat\u200b -> cat`, not two
        # names that print alike.
        ("cat\u200b", "cat\\u200b"),
        ("\u05d7\u05ea\u05d5\u05dc\u200f", "\u05d7\u05ea\u05d5\u05dc\\u200f"),
        ("\ufeffdog \u200e", "\\ufeffdog \\u200e"),
        # Inside a name they are text: a direction mark between right-to-left and left-to-right
        # words, the joiners of an emoji sequence, an emoji's presentation selector.
        ("\u05e9\u05dc\u05d5\u05dd\u200f abc", "\u05e9\u05dc\u05d5\u05dd\u200f abc"),
        (
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        ),
        ("\u2764\ufe0f", "\u2764\ufe0f"),
        ("caf\udce9\u200b", "caf\\xe9\\u200b"),
    ],
)
def test_printable_text_shows_invisible_characters_at_a_name_s_ends(text: str, shown: str) -> None:
    assert printable_text(text) == shown


@pytest.mark.parametrize(
    "control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]
)
def test_bidirectional_overrides_and_isolates_in_a_name_are_shown_escaped(control: str) -> None:
    # Left open, U+202E turned the rest of the message line round on a right-to-left terminal.
    shown = printable_text(f"photos/x{control}gnp.exe")
    assert shown == f"photos/x\\u{ord(control):04x}gnp.exe"


def test_direction_marks_inside_a_name_are_shown_as_they_are() -> None:
    # They only place neutral characters between right-to-left and left-to-right words.
    assert printable_text("\u05d0\u200e-1.png") == "\u05d0\u200e-1.png"
