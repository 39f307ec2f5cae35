"""`zsl evaluate`'s hint that a truth name is a class written otherwise shows the characters
that print as nothing escaped on both sides where the two differ in them: 'blue circle' in the
truth is 'blu\\u200de circle' among the classes, 're\\u200dd square' in the truth is 'red
square', where each read as the same name twice."""

from __future__ import annotations

from tests.helpers import run, write_labelled
from zsl_cli.evaluation import other_case_hint

ZWJ = "\u200d"


def test_a_class_with_a_joiner_the_truth_lacks_shows_it_escaped():
    hint = other_case_hint(["blue circle"], [f"blu{ZWJ}e circle", "red square"])
    assert hint == r" ('blue circle' in the truth is 'blu\u200de circle' among the classes)"


def test_joiners_both_names_hold_alike_are_shown_as_written():
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a ZWNJ that both hold
    hint = other_case_hint([f"{persian}  x"], [f"{persian} x"])
    assert hint == f" ('{persian}  x' in the truth is '{persian} x' among the classes)"
    assert "\\u200c" not in hint


def test_a_truth_name_with_a_joiner_the_class_lacks_shows_it_escaped():
    hint = other_case_hint([f"re{ZWJ}d square"], ["red circle", "red square"])
    assert hint == r" ('re\u200dd square' in the truth is 'red square' among the classes)"
    assert ZWJ not in hint


def test_evaluate_shows_a_truth_folder_s_joiner_escaped_beside_its_class(tmp_path):
    # The review's case: a truth folder named with a zero-width joiner, and the run's class
    # without it; the warning read "'red square' in the truth is 'red square'".
    predictions, truth = write_labelled(
        tmp_path,
        {
            "red circle/1.jpg": ("red circle", ["red circle", "red square", "star"]),
            f"re{ZWJ}d square/1.jpg": (f"re{ZWJ}d square", ["red square", "red circle", "star"]),
        },
    )
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 0, result.output
    assert r"('re\u200dd square' in the truth is 'red square' among the classes)" in result.stderr


def test_an_emoji_s_picture_selector_alone_is_no_reason_to_escape():
    # `❤` and `❤️` are one class name, and print apart: the hint shows them as written.
    hint = other_case_hint(["Red \u2764\ufe0f"], ["red \u2764"])
    assert hint == " ('Red \u2764\ufe0f' in the truth is 'red \u2764' among the classes)"
    # Beside a joiner, every character that prints as nothing is escaped, the selector too.
    hint = other_case_hint([f"Re{ZWJ}d \u2764\ufe0f"], ["red \u2764"])
    assert hint == " ('Re\\u200dd \u2764\\ufe0f' in the truth is 'red \u2764' among the classes)"
