"""Edges of how a class file's names are read and refused: names split at a ':' no space
follows (run-on names), and repeated classes counted in one refusal."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError


def test_a_name_and_its_prompt_without_a_space_between_are_no_run_on_name():
    # `cat:a photo of a {}` is a class and its prompt, the name in it where it stands.
    spec = parse_classes("cat:a photo of a {}\ndog\n", "c.txt")
    assert spec.names == ["cat", "dog"]
    assert spec.warnings == ()


def test_a_run_on_name_whose_split_is_further_on_is_warned_of():
    # `16:9 monitor: a {} screen`: the ': ' further on is where the prompt was meant to start.
    spec = parse_classes("16:9 monitor: a {} screen\nphone\n", "c.txt")
    assert spec.names == ["16", "phone"]
    [warning] = spec.warnings
    assert warning.startswith(
        "c.txt:1: '16:9 monitor: a {} screen' is class '16' with the prompt '9 monitor: a {} "
        "screen': a class name ends at its first ':'"
    )


@pytest.mark.parametrize(
    ("text", "more"), [("Re:Zero\ncat\n", ""), ("Re:Zero\n16:9 tv\n", " (and 1 more)")]
)
def test_a_run_on_name_is_counted_with_the_others(text, more):
    [warning] = parse_classes(text, "c.txt").warnings
    assert warning.startswith(f"c.txt:1: 'Re:Zero'{more} is class 'Re' with the prompt 'Zero'")


def test_two_repeated_classes_are_named_in_one_refusal():
    with pytest.raises(ZslError) as error:
        parse_classes("cat\ndog\ncat\ndog\nbird\n", "c.txt")
    assert str(error.value) == (
        "c.txt:3: duplicate class 'cat' (first at c.txt:1); 1 more repeated: 'dog' at c.txt:4"
    )


@pytest.mark.parametrize(
    ("first", "said"),
    [
        ("Here are the classes:", "the opening sentence of a chat answer?"),
        ("Animals we track:", "write `name: prompt one; prompt two`"),
    ],
)
def test_a_first_line_of_four_words_and_a_colon_is_a_chat_answers_opening(first, said):
    # Four words are a sentence; three may be a class name missing its prompts.
    with pytest.raises(ZslError) as error:
        parse_classes(f"{first}\ncat\ndog\n", "c.txt")
    assert said in str(error.value)
