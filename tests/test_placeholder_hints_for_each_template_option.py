"""A placeholder of another tool's used more than once is told what to write for it in the words
of the option it is in: a --description-template takes the class name and the descriptor, an
--attribute-template's one placeholder is the attribute. Each was told that "the class name goes
in once", and the description template's '{c}, which has {c}' was led to a template refused
again. Following the hint (dropping the other places) gives a template that is taken, with no
brace left in its prompts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.errors import EXIT_USAGE


def refusal(*args: object) -> str:
    result = run("label", *args, "--show-prompts")
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    return line


def hint_of(message: str) -> str:
    found = re.search(r"\(([^()]*)\)$", message)
    assert found, message
    return found.group(1)


@pytest.fixture
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "two.txt"
    path.write_text("red circle\nblue square\n")
    return path


@pytest.fixture
def described(tmp_path: Path) -> list[object]:
    path = tmp_path / "d.json"
    path.write_text('{"red circle": ["round"], "blue square": ["four corners"]}')
    return ["--descriptions", path]


@pytest.fixture
def attributes(tmp_path: Path) -> list[object]:
    path = tmp_path / "attributes.csv"
    path.write_text("class,round,square\nred circle,1,0\nblue square,0,1\n")
    return ["--attributes", path]


def test_a_description_template_naming_one_field_twice_is_told_both_places(
    described: list[object],
) -> None:
    hint = hint_of(refusal(*described, "--description-template", "{c}, which has {c}"))
    assert hint == "write {} for both {c}: the class name, then the descriptor"
    followed = "{c}, which has {c}".replace("{c}", "{}")
    assert (
        run("label", *described, "--description-template", followed, "--show-prompts").exit_code
        == 0
    )


def test_a_description_template_naming_one_field_three_times_keeps_two(
    described: list[object],
) -> None:
    template = "{c}: {c} {c}"
    hint = hint_of(refusal(*described, "--description-template", template))
    assert hint.startswith("write {} for 2 of the 3 {c} and drop the other")
    assert "the class name, then the descriptor" in hint
    followed = template.replace("{c}", "{}", 2).replace("{c}", "")
    assert (
        run("label", *described, "--description-template", followed, "--show-prompts").exit_code
        == 0
    )


def test_a_description_template_of_one_formatted_field_gets_the_two_placeholder_hint(
    described: list[object],
) -> None:
    hint = hint_of(refusal(*described, "--description-template", "{0!r}"))
    assert hint.startswith("the class name and the descriptor, or {0} and {1} for them")


def test_an_attribute_template_naming_one_field_twice_is_told_of_the_attribute(
    attributes: list[object],
) -> None:
    hint = hint_of(refusal(*attributes, "--attribute-template", "has {c} and {c}"))
    assert "class name" not in hint and hint.endswith("the attribute goes in once")
    followed = "has {c} and {c}".replace("{c}", "{}", 1).replace("{c}", "")
    assert (
        run("label", *attributes, "--attribute-template", followed, "--show-prompts").exit_code == 0
    )


@pytest.mark.parametrize("field", ["{c}", "{label!r}"])
def test_following_the_templates_hint_gives_prompts_with_the_name_once(
    classes: Path, field: str
) -> None:
    template = f"a {field} and another {field}"
    hint = hint_of(refusal("-c", classes, "-t", template))
    assert hint.startswith(f"write {{}} for one of the 2 {field} and drop the other")
    followed = template.replace(field, "{}", 1).replace(field, "")
    result = run("label", "-c", classes, "-t", followed, "--show-prompts")
    assert result.exit_code == 0, result.output
    prompts = [line.split(",", 2)[2] for line in result.stdout.splitlines()[1:]]
    assert prompts == ["a red circle and another ", "a blue square and another "]


@pytest.mark.parametrize("template", ["a {} and another {c}", "a {0} and another {c}"])
def test_a_template_with_its_placeholder_and_another_tools_is_told_to_drop_the_other(
    classes: Path, template: str
) -> None:
    # Half done as told: "write literal braces as {{ and }}" led to prompts holding '{c}'.
    hint = hint_of(refusal("-c", classes, "-t", template))
    assert hint == "drop {c} or put it in plain words: {} is the class name, which goes in once"
    (classes.parent / "c.txt").write_text(f"red circle: {template}\nblue square\n")
    assert hint_of(refusal("-c", classes.parent / "c.txt")) == hint
    result = run("label", "-c", classes, "-t", template.replace("{c}", ""), "--show-prompts")
    assert result.exit_code == 0, result.output
    assert "{" not in result.stdout
