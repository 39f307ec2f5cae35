"""An empty own prompt among a class's others (`circle: a {};;b {}`, a prompt deleted and its `;`
left) is left out with a warning naming the class and how many of its prompts are empty, as an
empty descriptor is: it was left out without a word. One `;` at the end of the prompts is a list's
last separator, not an empty prompt."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    ("line", "prompts", "said"),
    [
        ("circle: a {};;b {}", ("a {}", "b {}"), "1 of its 3 prompts is empty"),
        ("circle: ; a {} ;\u200b; ", ("a {}",), "2 of its 3 prompts are empty"),
    ],
)
def test_an_empty_prompt_is_warned_of_naming_the_class(line, prompts, said):
    spec = parse_classes(f"square\n{line}\n", "c.txt")
    assert spec.classes[1].prompts == prompts
    assert spec.warnings == (f"c.txt:2: class 'circle': {said}, and left out",)


def test_one_separator_at_the_end_is_no_empty_prompt():
    spec = parse_classes("circle: a {}; b {};\nsquare: c {};\n", "c.txt")
    assert spec.classes[0].prompts == ("a {}", "b {}")
    assert spec.classes[1].prompts == ("c {}",)
    assert spec.warnings == ()


def test_one_warning_counts_the_other_classes_with_empty_prompts():
    spec = parse_classes("circle: a {};;b {}\nsquare: ;c {}\nstar: d {};;\n", "c.txt")
    assert spec.warnings == (
        "c.txt:1: class 'circle': 1 of its 3 prompts is empty, and left out "
        "(and 2 more classes with empty ones)",
    )


def test_a_class_of_empty_prompts_alone_is_still_refused():
    with pytest.raises(ZslError, match="has ':' but no prompts after it"):
        parse_classes("circle: ;;\n", "c.txt")
