"""Messages quote a name as its file shows it: the zero-width (non-)joiners of Persian, Indic and
emoji names, which zsl keeps in names, are not written \\u200c / \\u200d; controls, bidi overrides,
invisible characters and bytes that are not UTF-8 are still escaped."""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.helpers import run
from zsl_cli.formatting import quoted_line

PERSIAN = "\u06af\u0631\u0628\u0647\u200c\u06cc \u0633\u06cc\u0627\u0647"  # گربه‌ی سیاه
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧
HINDI = "\u0915\u094d\u200d\u0937"  # क्‍ष, a half form
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize(
    "name", [PERSIAN, FAMILY, HINDI, SCOTLAND, "\u8d64\u3000\u5186", "caf\u00e9", "\u65e5\u672c"]
)
def test_a_name_is_quoted_as_written(name):
    assert quoted_line(name) == f"'{name}'"


def test_a_character_this_python_does_not_know_is_shown_as_written():
    # An emoji of a later Unicode version than this Python's data is unassigned here.
    assert unicodedata.category("\u0378") == "Cn"
    assert quoted_line("a\u0378b") == "'a\u0378b'"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("a\x1bb", "'a\\x1bb'"),
        ("a\nb\tc", "'a\\nb\\tc'"),
        ("x\u202egnp.exe", "'x\\u202egnp.exe'"),  # would turn the rest of the line round
        ("cat\u200bdog", "'cat\\u200bdog'"),  # invisible: the name would print as "catdog"
        ("red\u00a0circle", "'red\\xa0circle'"),  # prints as a plain space
        ("a\u2028b", "'a\\u2028b'"),
        ("a\udc80b", "'a\\udc80b'"),  # a surrogate, as a JSON file's \udc80 gives it
        ("odd \ufffe", "'odd \\ufffe'"),  # a noncharacter, which a name is refused for
        ("a\\xe9", "'a\\\\xe9'"),  # a backslash written in the name is no escape
        ("it's", '"it\'s"'),
        ('it\'s "x"', "'it\\'s \"x\"'"),
    ],
)
def test_what_could_hide_or_act_on_the_terminal_stays_escaped(name, shown):
    assert quoted_line(name) == shown


def test_a_duplicate_persian_class_is_named_as_written(tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text(f"{PERSIAN}\n{PERSIAN}\n", encoding="utf-8")
    result = run("label", "-c", classes, "--show-prompts")
    assert result.exit_code == 2
    assert f"duplicate class '{PERSIAN}'" in result.stderr, result.stderr
    assert "\\u200c" not in result.stderr


def test_a_warning_quotes_an_emoji_family_as_written(tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text(f"cat\n{FAMILY} # family\n", encoding="utf-8")
    result = run("label", "-c", classes, "--show-prompts")
    assert result.exit_code == 0, result.stderr
    assert f"'{FAMILY} # family'" in result.stderr, result.stderr
    assert "\\u200d" not in result.stderr


def test_descriptions_for_a_class_not_listed_name_it_as_written(tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\n", encoding="utf-8")
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(
        json.dumps({"cat": ["a small pet"], PERSIAN: ["a black cat"]}), encoding="utf-8"
    )
    result = run("label", "-c", classes, "--descriptions", descriptions, "--show-prompts")
    assert result.exit_code == 2
    assert f"'{PERSIAN}'" in result.stderr and "\\u200c" not in result.stderr, result.stderr


def test_a_class_without_descriptors_is_named_as_written(tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text(f"cat\n{PERSIAN}\n", encoding="utf-8")
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(json.dumps({"cat": ["a small pet"]}), encoding="utf-8")
    result = run("label", "-c", classes, "--descriptions", descriptions, "--show-prompts")
    assert "no descriptors" in result.stderr, result.stderr
    assert f"'{PERSIAN}'" in result.stderr and "\\u200c" not in result.stderr, result.stderr
