"""A placeholder of another tool's, or one with a conversion or format spec (`{name:>10}`,
`{c!r}`), is told what to write for it in the same words as a --templates template and as a
class file's own prompt: class files got no hint for a spec. One used twice (`a {c} and another
{c}`) is told to write {} for one and drop the other, as the class name goes in once: told to
write {} for it, both became {} and were refused again."""

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


def hints(tmp_path: Path, prompt: str) -> tuple[str, str]:
    """The hint a class file's prompt gets, and the hint the same text as --templates gets."""
    (tmp_path / "c.txt").write_text(f"red circle: {prompt}\nblue square\n")
    (tmp_path / "two.txt").write_text("red circle\nblue square\n")
    return (
        hint_of(refusal("-c", tmp_path / "c.txt")),
        hint_of(refusal("-c", tmp_path / "two.txt", "-t", prompt)),
    )


@pytest.mark.parametrize(
    ("prompt", "hint"),
    [
        ("a {name:>10}", "write {} for {name:>10}: a conversion or format spec is not allowed"),
        ("a {c!r}", "write {} for {c!r}: a conversion or format spec is not allowed"),
        ("a {0!s:^9}", "write {} for {0!s:^9}: a conversion or format spec is not allowed"),
        ("a {:>10}", "write {} for {:>10}: a conversion or format spec is not allowed"),
        ("a photo of a {c}.", "write {} for {c}"),
        ("a photo of a ${label}.", "write {} for ${label}"),
    ],
)
def test_a_class_prompt_and_a_template_get_the_same_hint(
    tmp_path: Path, prompt: str, hint: str
) -> None:
    assert hints(tmp_path, prompt) == (hint, hint)


@pytest.mark.parametrize(
    ("prompt", "hint"),
    [
        (
            "a {c} and another {c}",
            "write {} for one of the 2 {c} and drop the other or put it in plain words: the "
            "class name goes in once",
        ),
        (
            "{label!r} by {label!r} by {label!r}",
            "write {} for one of the 3 {label!r} and drop the others or put them in plain "
            "words: the class name goes in once; a conversion or format spec is not allowed",
        ),
    ],
)
def test_a_placeholder_used_twice_is_told_the_name_goes_in_once(
    tmp_path: Path, prompt: str, hint: str
) -> None:
    assert hints(tmp_path, prompt) == (hint, hint)


def test_writing_as_the_twice_used_placeholders_hint_says_is_taken(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("red circle: a {} and another shape\nblue square\n")
    assert run("label", "-c", tmp_path / "c.txt", "--show-prompts").exit_code == 0
    (tmp_path / "two.txt").write_text("red circle\nblue square\n")
    template = ("-t", "a {} and another shape", "--show-prompts")
    assert run("label", "-c", tmp_path / "two.txt", *template).exit_code == 0
