"""`zsl label --ls-data-key`: what `label --help` and README say a key may be names every key
refused before the run, `__proto__` (which Label Studio's labelling screen skips) among them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from zsl_cli.cli import app

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_help_names_the_keys_refused() -> None:
    result = CliRunner().invoke(app, ["label", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    start = text.index("--ls-data-key")
    said = text[start : start + 400]
    assert "__proto__" in said
    assert "zsl_" in said


def test_the_readme_names_the_keys_refused() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    sentence = text[text.index("A key is ASCII letters, digits and `_`") :][:500]
    assert "`__proto__`" in sentence.split("are refused before the run")[0]
