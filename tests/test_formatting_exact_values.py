"""Numbers, counts, cut texts and names as messages show them, each against the exact text."""

from __future__ import annotations

import os

import pytest

from zsl_cli.formatting import (
    clipped_middle,
    clipped_text,
    counted,
    delimiter_hint,
    excel_delimiter,
    failure_counts,
    fixed,
    has_surrogates,
    loose_name,
    path_to_text,
    percent,
    printable_text,
    quoted,
    quoted_line,
    some_names,
    spaced_words,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "n/a"),
        (float("nan"), "n/a"),
        (1.0, "100.0%"),
        (0.0, "0.0%"),
        (0.5, "50.0%"),
        (0.99999, "99.9%"),  # 99.999 rounds to 100.0: short of all
        (0.00001, "<0.1%"),  # 0.001 rounds to 0.0: above none
    ],
)
def test_percent(value, shown):
    assert percent(value) == shown


def test_percent_with_more_digits():
    assert percent(0.123, 2) == "12.30%"
    assert percent(0.999999, 2) == "99.99%"


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ((1.0,), "1.000"),
        ((0.0,), "0.000"),
        ((0.25,), "0.250"),
        ((0.99999,), "0.999"),
        ((0.00001,), "<0.001"),
        ((0.5, 2), "0.50"),
        ((99.99, 1, 100), "99.9"),
        ((100.0, 1, 100), "100.0"),
        ((0.001, 1, 100), "<0.1"),
    ],
)
def test_fixed(args, shown):
    assert fixed(*args) == shown


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ((1, "class"), "1 class"),
        ((0, "image"), "0 images"),
        ((2, "class"), "2 classes"),
        ((3, "box"), "3 boxes"),
        ((2, "brush"), "2 brushes"),
        ((2, "match"), "2 matches"),
        ((2, "day"), "2 days"),
        ((1, "truth class is", "truth classes are"), "1 truth class is"),
        ((4, "truth class is", "truth classes are"), "4 truth classes are"),
    ],
)
def test_counted(args, shown):
    assert counted(*args) == shown


def test_clipped_text_cuts_at_a_word_end_past_half_the_limit_and_drops_trailing_punctuation():
    assert clipped_text("abc; " * 100, 20) == "abc; abc; abc; abc ..."
    # The only space comes early: cut at the limit instead of keeping one word.
    text = "a " + "b" * 400
    assert clipped_text(text, 300) == text[:300] + " ..."
    assert clipped_text("x" * 300, 300) == "x" * 300


def test_clipped_middle_counts_what_it_leaves_out_with_thousands_separators():
    text = "a" * 1500 + "b" * 3000 + "c" * 500
    expected = "a" * 1500 + " ... [3,000 characters left out] ... " + "c" * 500
    assert clipped_middle(text, 2000) == expected


@pytest.mark.parametrize("mark", ["\u093e", "\u20dd"])  # a spacing mark (Mc), an enclosing one (Me)
def test_a_cut_keeps_any_kind_of_mark_with_its_letter(mark):
    text = ("\u0915" + mark) * 2000
    head, _, rest = clipped_middle(text, limit=101).partition(" ... [")
    tail = rest.partition(" characters left out] ... ")[2]
    assert head == ("\u0915" + mark) * 37  # 75 would split the 38th pair
    assert tail == ("\u0915" + mark) * 12


def test_a_cut_keeps_a_whole_escape_that_ends_at_the_limit():
    text = "x" * 296 + "\\xe9" + "y" * 100
    assert clipped_text(text, 300) == "x" * 296 + "\\xe9 ..."


def test_quoted_line_cuts_only_lines_over_80_characters():
    assert quoted_line("a" * 80) == repr("a" * 80)
    assert quoted_line("a" * 81) == repr("a" * 80) + "... (81 characters)"
    assert quoted_line("b" * 2000) == repr("b" * 80) + "... (2,000 characters)"


def test_failure_counts_name_each_failure_in_name_order_without_ok():
    counts = {"ok": 5, "truncated": 2, "empty": 1, "not_an_image": 3}
    assert failure_counts(counts) == "empty 1, not_an_image 3, truncated 2"
    assert failure_counts({"ok": 4}) == ""


def test_some_names_counts_those_not_shown_of_the_total():
    assert some_names(["a", "b"], limit=3, total=10) == "a, b, ... (8 more)"
    assert some_names(list("abcdef"), limit=3) == "a, b, c, ... (3 more)"
    assert some_names(list("abc"), limit=3, total=7) == "a, b, c, ... (4 more)"


def test_some_names_says_more_whenever_fewer_names_are_given_than_the_total():
    assert some_names(["a", "b"], limit=3, total=3) == "a, b, ... (1 more)"
    assert some_names(["a", "b"], limit=3, total=2) == "a, b"


@pytest.mark.parametrize(
    ("name", "spaced"),
    [
        ("grizzly+bear", "grizzly bear"),
        ("apple_pie", "apple pie"),
        ("C++", "C++"),
        ("class_1", "class_1"),
        ("_hidden", "_hidden"),
        ("caf\u00e9_au_lait", "caf\u00e9 au lait"),
    ],
)
def test_spaced_words(name, spaced):
    assert spaced_words(name) == spaced


def test_loose_name_ignores_composition_case_and_spacing():
    assert loose_name("Cafe\u0301  Apple_Pie ") == "caf\u00e9 apple pie"
    assert loose_name("STRASSE") == loose_name("Stra\u00dfe") == "strasse"


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [('"sep=;"', ";"), ('"sep=;"\r', ";"), (" sep=; ", ";"), ('"sep=', None), ('""', None)],
)
def test_excel_delimiter_in_quotes_or_spaces(line, delimiter):
    assert excel_delimiter(line) == delimiter


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        (["path;label"], " (its columns are separated by semicolons: save it with commas)"),
        (["path\tlabel"], " (its columns are separated by tabs: save it with commas)"),
        (["path;label", "x"], ""),
        (["path\x00;label"], ""),
        (["path"], ""),
    ],
)
def test_delimiter_hint(header, hint):
    assert delimiter_hint(header) == hint


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x85b", "a\\x85b"),  # C1 control
        ("a\x9fb\x7f", "a\\x9fb\\x7f"),
        ("a\u2028b\u2029", "a\\u2028b\\u2029"),
        ("\ud800x", "\\ud800x"),  # a surrogate that escapes no byte
        # A byte that is not UTF-8 is \xe9 beside it too, as everywhere else, not \udce9.
        ("caf\udce9\ud800", "caf\\xe9\\ud800"),
        ("cat\u200b ", "cat\\u200b "),  # invisible before trailing white space
        ("\u200bcat", "\\u200bcat"),
        (" \u200b cat", " \\u200b cat"),
    ],
)
def test_printable_text_escapes(text, shown):
    assert printable_text(text) == shown


def test_paths_keep_bytes_that_are_not_utf8_as_surrogate_escapes():
    name = os.fsdecode(b"caf\xe9.png")
    assert path_to_text(name) == "caf\udce9.png"
    assert has_surrogates(path_to_text(name)) and not has_surrogates("caf\u00e9.png")
    assert quoted("it's") == "'it's'"
    assert quoted(name) == "'caf\\xe9.png'"
