"""A class's own prompt that starts with `#` (`cat: a photo of a {}; # a sketch of a {}`, a prompt
put aside as an editor's comment key writes it) is no comment: '#' makes one only at the start of
a line. It is scored as written, with a warning, as a `#` after a prompt is."""

from __future__ import annotations

from typer.testing import CliRunner

from zsl_cli.classes import parse_classes
from zsl_cli.cli import app


def test_a_prompt_put_aside_with_a_hash_is_warned_of(tmp_path):
    # The class's vector was the mean of 'a photo of a cat' and '# a sketch of a cat', without
    # a word: the user had meant the second one out.
    classes = tmp_path / "c.txt"
    classes.write_text("cat: a photo of a {}; # a sketch of a {}\ndog\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["label", "-c", str(classes), "--show-prompts"])
    assert result.exit_code == 0, result.stderr
    assert "cat,0.5,# a sketch of a cat\n" in result.stdout
    assert result.stderr == (
        f"warning: {classes}:1: prompt '# a sketch of a {{}}' starts with '#', which makes a "
        "comment only at the start of a line: it is one of the class's prompts\n"
    )


def test_each_such_prompt_is_counted_and_the_first_named():
    spec = parse_classes("cat: # a {}\ndog: a photo of a {};#\nbird\n", "c.txt")
    assert spec.warnings == (
        "c.txt:1: prompt '# a {}' (and 1 more) starts with '#', which makes a comment only at "
        "the start of a line: it is one of the class's prompts",
    )


def test_a_hashtag_prompt_is_no_warning():
    # `#{}` and `#nofilter`: a hashtag, as a prompt of social media's photos has it.
    spec = parse_classes("cat: #{} on instagram; a photo of a {} #nofilter\ndog\n", "c.txt")
    assert spec.warnings == ()
