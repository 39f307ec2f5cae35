"""Exact texts of the name lists, escapes and CSV header notes that messages are built from."""

from __future__ import annotations

import pytest

from zsl_cli.formatting import delimiter_hint, listed, printable_text


@pytest.mark.parametrize(
    ("items", "text"),
    [
        (["a"], "a"),
        (["a", "b"], "a and b"),
        (["a", "b", "c"], "a, b and c"),
        (["-image", "-text", "-vectors", "-wal"], "-image, -text, -vectors and -wal"),
    ],
)
def test_listed_names_every_item_and_joins_the_last_with_and(items: list[str], text: str) -> None:
    assert listed(items) == text


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        # A soft hyphen and the Arabic letter mark are below U+1000: still four hex digits, the
        # escape Python itself reads back as that character.
        ("cat\u00ad", "cat\\u00ad"),
        ("\u061ccat", "\\u061ccat"),
        ("cat\u200b", "cat\\u200b"),
    ],
)
def test_invisible_characters_at_a_names_ends_are_four_digit_escapes(name: str, shown: str) -> None:
    assert printable_text(name) == shown
    assert shown.encode("ascii").decode("unicode_escape") == name


def test_a_header_row_without_cells_gets_no_delimiter_note() -> None:
    # csv.reader gives [] for a blank first line.
    assert delimiter_hint([]) == ""
    assert (
        delimiter_hint(["path;label"])
        == " (its columns are separated by semicolons: save it with commas)"
    )
    assert delimiter_hint(["path", "label;x"]) == ""


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # Surrogates above those that escape bytes (U+DC80-U+DCFF), and below them: a JSON \udfff.
        ("a\udfff", "a\\udfff"),
        ("a\udd00b", "a\\udd00b"),
        ("\ud800x", "\\ud800x"),
        # Mixed with an escaped byte, which still shows as that byte.
        ("caf\udce9\udfff", "caf\\xe9\\udfff"),
    ],
)
def test_surrogates_that_escape_no_byte_show_as_escapes(text: str, shown: str) -> None:
    assert printable_text(text) == shown
