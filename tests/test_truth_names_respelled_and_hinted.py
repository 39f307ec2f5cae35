"""A truth's labels spelled as the classes (`spelled_as`) give each class once, in order; a truth
name that is a class in another case and holds a space that prints as a plain one is hinted at
with that space escaped, as it would look the same as the class's plain space."""

from __future__ import annotations

from zsl_cli.evaluation import GroundTruth, TruthItem, other_case_hint, spelled_as


def _item(name: str, label: str) -> TruthItem:
    return TruthItem(path=f"/t/{name}", relative=(name,), label=label, shown=name)


def test_two_truth_spellings_of_one_class_become_that_class_once():
    truth = GroundTruth(
        source="truth.csv",
        kind="csv",
        # A zero-width space after one, a no-break space inside the other: both print as the
        # classes do, and are those classes.
        classes=("dog", "red\u00a0fox", "red fox\u200b"),
        items=(
            _item("a.jpg", "red fox\u200b"),
            _item("b.jpg", "dog"),
            _item("c.jpg", "red\u00a0fox"),
        ),
    )
    respelled = spelled_as(truth, ["red fox", "dog"])
    assert respelled.classes == ("dog", "red fox")
    assert [item.label for item in respelled.items] == ["red fox", "dog", "red fox"]


def test_a_no_break_space_in_a_name_written_otherwise_is_shown_escaped():
    hint = other_case_hint(["Red\u00a0Circle"], ["red circle", "blue square"])
    assert hint == " ('Red\\u00a0Circle' in the truth is 'red circle' among the classes)"
