"""A class file's own prompt written with another tool's placeholder (CLIP_benchmark's `{c}`, a
format string's `{classname}`, JavaScript's `${label}`) is told what to write for it, as
`--templates '{c}'` is: the refusal said only that other braces are not allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.errors import EXIT_USAGE


def refusal(*args: object) -> str:
    result = run("label", *args, "--show-prompts")
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    return line


@pytest.mark.parametrize(
    ("prompt", "hint"),
    [
        ("a photo of a {c}.", "write {} for {c}"),
        ("a photo of a {classname}.", "write {} for {classname}"),
        ("a photo of a ${label}.", "write {} for ${label}"),
    ],
)
def test_a_class_prompts_placeholder_of_another_tool_gets_the_templates_hint(
    tmp_path: Path, prompt: str, hint: str
) -> None:
    classes = tmp_path / "c.txt"
    classes.write_text(f"red circle: {prompt}\nblue square\n")
    assert refusal("-c", classes) == (
        f"zsl: error: {classes}:1: prompt '{prompt}': only {{}} (or {{0}}) stands for the class "
        f"name; other braces are not allowed ({hint})"
    )
    (tmp_path / "two.txt").write_text("red circle\nblue square\n")
    assert refusal("-c", tmp_path / "two.txt", "-t", prompt).endswith(f"({hint})")


@pytest.mark.parametrize("prompt", ["a {c} and a {d}", "a {} and {c!r}", "a {"])
def test_other_braces_get_no_placeholder_hint(tmp_path: Path, prompt: str) -> None:
    classes = tmp_path / "c.txt"
    classes.write_text(f"red circle: {prompt}\nblue square\n")
    assert refusal("-c", classes).endswith("other braces are not allowed")
