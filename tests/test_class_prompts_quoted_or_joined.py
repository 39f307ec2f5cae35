"""A class file's own prompts copied from code: every one in quotes (`cat: "a photo of a {}.";
...`) keeps its quotes, with a warning, as a template file's do; two joined by ',' or '|', each
with its {}, are refused saying that ';' separates prompts, not that the name goes in once."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zsl_cli.classes import parse_classes
from zsl_cli.cli import app
from zsl_cli.errors import ZslError


def test_prompts_all_in_quotes_are_warned_of(tmp_path):
    # The quotes reached every prompt, without a word (a template file's are warned of).
    classes = tmp_path / "c.txt"
    classes.write_text(
        'cat: "a photo of a {}."; "a sketch of a {}."\ndog: "a photo of a {}."\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["label", "-c", str(classes), "--show-prompts"])
    assert result.exit_code == 0, result.stderr
    assert 'cat,0.5,"""a photo of a cat."""\n' in result.stdout
    assert result.stderr == (
        f"warning: {classes}:1: every prompt is in quotes, such as '\"a photo of a {{}}.\"': "
        "the quotes are part of the prompts; write the prompts without them\n"
    )


def test_some_prompts_in_quotes_are_as_written():
    # A quoted word or title in one prompt: meant.
    spec = parse_classes('cat: a photo of a {}.; "a sketch of a {}."\ndog\n', "c.txt")
    assert spec.warnings == ()


@pytest.mark.parametrize(
    ("line", "mark"),
    [
        ("cat: 'a photo of a {}.', 'a sketch of a {}.'", ","),
        ("cat: a photo of a {}, a sketch of a {}", ","),
        ("cat: a photo of a {}. | a sketch of a {}.", "|"),
    ],
)
def test_two_prompts_joined_otherwise_than_by_a_semicolon_are_said_so(line, mark):
    with pytest.raises(ZslError) as caught:
        parse_classes(f"{line}\ndog\n", "c.txt")
    prompt = line.removeprefix("cat: ")
    quote = '"' if "'" in prompt else "'"
    assert caught.value.message == (
        f"c.txt:1: prompt {quote}{prompt}{quote} holds {{}} (the class name) twice: prompts "
        f"joined by '{mark}'? prompts are separated by ';' (`name: prompt one; prompt two`)"
    )


def test_the_name_twice_in_one_prompt_is_still_said_to_go_in_once():
    with pytest.raises(ZslError, match="which goes in once"):
        parse_classes("cat: a {} and another {}\ndog\n", "c.txt")
