"""`zsl evaluate`'s hint that a truth name is a class written otherwise shows the characters
that print as nothing where the two differ in them: 'blue circle' in the truth is
'blu\\u200de circle' among the classes, where it read as the same name twice."""

from __future__ import annotations

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
