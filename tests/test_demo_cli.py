"""`python -m zsl_cli.demo`: help text, and errors as one stderr line with their exit code."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from zsl_cli.demo.__main__ import app

PROG = "python -m zsl_cli.demo"
COMMANDS = ("make-images", "train", "evaluate")


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], prog_name=PROG)


@pytest.mark.parametrize("command", [(), *((c,) for c in COMMANDS)])
def test_help_is_plain_text_that_names_every_value(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    text = result.stdout
    assert "╭" not in text and "│" not in text, text  # no Rich panels
    # typer's own placeholders (<path>, <int>, {out}) say nothing about what to give.
    assert not re.search(r"<\w+>|range>|\{[a-z_]+\}", text), text
    assert "Examples" in text and f"{PROG} {' '.join(command)}".strip() in text


def test_short_help_option():
    assert run("make-images", "-h").stdout == run("make-images", "--help").stdout


def test_help_defaults_are_the_ones_used():
    from zsl_cli.demo.__main__ import DEFAULT_EVALUATE_SEEDS
    from zsl_cli.demo.train import TrainSettings

    assert list(DEFAULT_EVALUATE_SEEDS) == [101, 102, 103, 104, 105]
    assert "[default: 101 to 105]" in run("evaluate", "--help").stdout
    text = " ".join(run("train", "--help").stdout.split())
    assert f"[default: {TrainSettings.steps}]" in text
    assert f"after {TrainSettings.text_warmup_steps} text-only warm-up steps" in text
    sets, count = TrainSettings.eval_sets, TrainSettings.eval_per_class
    assert f"scores the model on {sets} fresh sets of {count} images per class" in text
