"""An empty (or blank) descriptor among a class's others in a descriptions file is left out with a
warning naming the class and how many of its descriptors are empty: it was left out without a
word, where a class whose descriptors are all empty is refused."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zsl_cli.classes import parse_descriptions
from zsl_cli.cli import app
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    ("descriptors", "said"),
    [
        (["round", ""], "1 of its 2 descriptors is empty"),
        (["", "round", " ", "\u200b"], "3 of its 4 descriptors are empty"),
    ],
)
def test_an_empty_descriptor_is_warned_of_naming_the_class(descriptors, said):
    # The class's key is on line 5.
    text = json.dumps({"square": ["four sides"], "circle": descriptors}, indent=1)
    spec = parse_descriptions(text, "d.json")
    assert spec.classes[1].descriptors == ("round",)
    assert spec.warnings == (f"d.json:5: class 'circle': {said}, and left out",)


def test_one_warning_counts_the_other_classes_with_empty_descriptors():
    text = json.dumps({"a": ["x", ""], "b": ["y"], "c": ["", "z"], "d": ["w", " "]})
    assert parse_descriptions(text, "d.json").warnings == (
        "d.json:1: class 'a': 1 of its 2 descriptors is empty, and left out (and 2 more classes "
        "with empty ones)",
    )


def test_a_class_of_empty_descriptors_alone_is_still_refused():
    with pytest.raises(ZslError, match=r"^d\.json:1: class 'circle': no descriptors$"):
        parse_descriptions('{"circle": ["", " "]}', "d.json")


@pytest.mark.parametrize("with_classes", [False, True])
def test_label_warns_of_it_in_one_line(tmp_path, with_classes):
    described = tmp_path / "d.json"
    described.write_text('{"circle": ["round", ""], "square": ["four sides"]}', encoding="utf-8")
    args = ["label", "--descriptions", str(described), "--show-prompts"]
    if with_classes:
        classes = tmp_path / "c.txt"
        classes.write_text("circle\nsquare\n", encoding="utf-8")
        args += ["-c", str(classes)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert 'circle,1,"circle, which has round"\n' in result.stdout
    assert result.stderr == (
        f"warning: {described}:1: class 'circle': 1 of its 2 descriptors is empty, and left out\n"
    )
