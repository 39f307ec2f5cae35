"""What --help says of -o and of evaluate's k values holds, and evaluate's warning of predictions
where no image was labelled reads right for one image."""

from __future__ import annotations

import json
import re

import typer

from tests.helpers import run, write_truth_and_predictions
from zsl_cli.cli import app


def option_help(command: str, name: str) -> str:
    """The help of `command`'s parameter `name`, its lines joined."""
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    text = next(p.help for p in commands[command].params if p.name == name)
    return " ".join(text.split())


def test_output_and_k_help_say_what_they_take():
    output = option_help("label", "output")
    assert all(word in output for word in (".csv", ".jsonl", ".ndjson", ".json", "--format"))
    ks = option_help("evaluate", "top_k")
    assert "1 or more" in ks and "clipped" in ks and "classes" in ks


def test_evaluate_of_one_failed_image_says_the_one(tmp_path):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat"])
    header = predictions.read_text(encoding="utf-8").splitlines()[0]
    predictions.write_text(f"{header}\n0.png,,,,,too_large,big\n", encoding="utf-8")
    result = run("evaluate", predictions, "--truth", truth, "--json", tmp_path / "m.json")
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stderr.split())
    assert "the one evaluated image failed" in text and "each of the 1" not in text
    assert re.search(r"its error says why", text)
    warnings = json.loads((tmp_path / "m.json").read_text())["warnings"]
    assert any("the one evaluated image failed" in w for w in warnings)
