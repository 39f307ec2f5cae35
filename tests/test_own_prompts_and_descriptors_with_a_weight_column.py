"""A class's own prompts, or a descriptions file's descriptors, that each have a number in a column
of their own (`circle: a round thing<TAB>2`, as a table of prompts and their weights is kept) are
refused, as such a template file is: prompts and descriptors have no weights, and the number was
part of the prompt's text without a word. A number among a prompt's words is no weight."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zsl_cli.classes import parse_classes, parse_descriptions
from zsl_cli.cli import app
from zsl_cli.errors import EXIT_USAGE, ZslError


@pytest.mark.parametrize(
    ("text", "where", "shown"),
    [
        ("circle: a round thing\t2\nsquare\n", "c.txt:1", "'a round thing\\t2'"),
        ("square\ncircle: a round thing\t0.5; a disc\t.5\n", "c.txt:2", "'a round thing\\t0.5'"),
        ("circle: 2\ta round thing\nstar: 1\ta star\n", "c.txt:1", "'2\\ta round thing'"),
    ],
)
def test_own_prompts_each_with_a_number_beside_it_are_refused(text, where, shown):
    with pytest.raises(ZslError) as refused:
        parse_classes(text, "c.txt")
    assert refused.value.message == (
        f"{where}: every prompt has a number beside it, such as {shown} (a table of prompts "
        "and their weights?): prompts have no weights, each counts the same in its class's "
        "average (a prompt given twice counts twice); write each prompt without a number"
    )


def test_descriptors_each_with_a_number_beside_them_are_refused():
    text = json.dumps({"circle": ["round\t2", "curved\t1"], "square": ["four sides\t3"]})
    with pytest.raises(ZslError) as refused:
        parse_descriptions(text, "d.json")
    assert refused.value.message == (
        "d.json:1: every descriptor has a number beside it, such as 'round\\t2' (a table of "
        "descriptors and their weights?): descriptors have no weights, each counts the same in "
        "its class's average (a descriptor given twice counts twice); write each descriptor "
        "without a number"
    )


def test_prompts_and_descriptors_with_numbers_in_their_words_are_read():
    # As a template file's: not every prompt has one, or the number is one of its words; a
    # prompt's ',' is its own text, not a CSV's (a class file's line is no row of cells).
    spec = parse_classes("circle: a round thing\t2; a disc\nsquare: {} 4\n", "c.txt")
    assert [c.prompts for c in spec.classes] == [("a round thing\t2", "a disc"), ("{} 4",)]
    spec = parse_classes("circle: a round thing, 2\nstar: a star, 5; 5, a star\n", "c.txt")
    assert [c.prompts for c in spec.classes] == [("a round thing, 2",), ("a star, 5", "5, a star")]
    text = json.dumps({"star": ["5 points", "a tab\there"], "bird": ["a bird, 3."]})
    described = parse_descriptions(text, "d.json")
    assert [c.descriptors for c in described.classes] == [
        ("5 points", "a tab\there"),
        ("a bird, 3.",),
    ]


def test_label_refuses_a_prompt_s_weight_before_any_model(tmp_path):
    classes = tmp_path / "c.txt"
    classes.write_text("circle: a round thing\t2\nsquare\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["label", "-c", str(classes), "--show-prompts"])
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"zsl: error: {classes}:1: every prompt has a number beside it")
