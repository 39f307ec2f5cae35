"""`--show-prompts` with an output file or format given: the prompts go to stdout, and a warning
says no file is written; its help says the options it ignores must still be valid."""

from __future__ import annotations

from pathlib import Path

import typer

from tests.helpers import run
from zsl_cli.cli import app


def option_help(command: str, name: str) -> str:
    """The help of `command`'s parameter `name`, its lines joined."""
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    text = next(p.help for p in commands[command].params if p.name == name)
    return " ".join(text.split())


def show_prompts(tmp_path: Path, *args: object):
    (tmp_path / "classes.txt").write_text("circle\nsquare\n", encoding="utf-8")
    return run("label", "-c", tmp_path / "classes.txt", "--show-prompts", *args)


def test_show_prompts_warns_that_an_output_file_is_not_written(tmp_path):
    out = tmp_path / "prompts.csv"
    result = show_prompts(tmp_path, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("class,weight,prompt\n")
    assert not out.exists()
    assert "-o" in result.stderr and "no file" in result.stderr and "stdout" in result.stderr
    formatted = show_prompts(tmp_path, "-f", "jsonl")
    assert formatted.exit_code == 0 and formatted.stdout.startswith("class,weight,prompt\n")
    assert "-f" in formatted.stderr and "CSV" in formatted.stderr
    # Where it goes to stdout anyway, or under -q, nothing to say.
    for args in (("-o", "-"), ("-o", out, "-q")):
        said = show_prompts(tmp_path, *args)
        assert said.exit_code == 0 and said.stderr == "", said.stderr


def test_hubness_show_prompts_warns_that_its_json_is_not_written(tmp_path):
    (tmp_path / "classes.txt").write_text("circle\nsquare\n", encoding="utf-8")
    out = tmp_path / "h.json"
    result = run("hubness", "-c", tmp_path / "classes.txt", "--show-prompts", "--json", out)
    assert result.exit_code == 0, result.stderr
    assert not out.exists()
    assert "--json" in result.stderr and "no file" in result.stderr


def test_show_prompts_help_says_the_options_ignored_must_still_be_valid():
    text = option_help("label", "show_prompts")
    assert "valid" in text and "output file" in text and "warning" in text
    assert text == option_help("hubness", "show_prompts")
