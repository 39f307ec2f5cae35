"""`--templates -` is told to give /dev/stdin, as `-c -` and `--descriptions -` are: it was called
neither a built-in set nor a file, nor a template, without a word of stdin."""

from __future__ import annotations

from typer.testing import CliRunner

from zsl_cli.cli import app


def test_templates_dash_says_how_to_read_stdin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where no file is named '-'
    (tmp_path / "c.txt").write_text("cat\ndog\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["label", "-c", "c.txt", "-t", "-", "--show-prompts"])
    assert result.exit_code == 2
    assert result.stderr == (
        "zsl: error: template file not found: - (to read it from stdin, give /dev/stdin)\n"
    )
