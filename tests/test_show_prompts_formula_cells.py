"""`--show-prompts` writes the prompts as CSV (`class,weight,prompt`), which a user saves and opens
in a spreadsheet: a prompt starting with =, +, -, @, a tab or a carriage return (a template or a
class's own prompt that starts so) is run there as a formula. It is written as it is and warned
of, as a predictions CSV's paths are; a class name's own warning already covers its rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.files import open_sink
from zsl_cli.writers import write_class_prompts


def _warnings(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    return [line for line in lines if line.startswith("warning:") and "formula" in line]


def _classes(tmp_path: Path, lines: list[str]) -> Path:
    file = tmp_path / "classes.txt"
    file.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return file


@pytest.mark.parametrize("command", ["label", "hubness"])
def test_prompts_a_spreadsheet_runs_as_formulas_are_written_as_they_are_and_warned_of(
    tmp_path: Path, command: str
) -> None:
    # A template that makes every prompt a formula: Excel ran each one, and nothing warned.
    template = '=HYPERLINK("http://evil.example","{}")'
    classes = _classes(tmp_path, ["cat", "dog"])
    result = run(command, "--show-prompts", "-c", classes, "-t", template)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["prompt"] for row in rows] == [template.format(n) for n in ("cat", "dog")]
    [warning] = _warnings(result.stderr)
    assert "2 cells of stdout start with =, +, -, @" in warning, warning
    assert f"(first: '{rows[0]['prompt']}')" in warning, warning
    assert "import it with its columns as text" in warning, warning


def test_a_class_s_own_prompt_starting_with_a_formula_character_is_counted(tmp_path: Path) -> None:
    classes = _classes(tmp_path, ["cat: @cat on a mat; a photo of a cat", "dog"])
    result = run("label", "--show-prompts", "-c", classes)
    assert result.exit_code == 0, result.stderr
    assert "@cat on a mat" in result.stdout
    [warning] = _warnings(result.stderr)
    assert "1 cell of stdout starts with" in warning and "'@cat on a mat'" in warning, warning


def test_a_class_name_warned_of_is_not_counted_again_in_its_prompts(tmp_path: Path) -> None:
    # Its prompts start with its name under '{}': the class file's warning already says to
    # rename it or import the CSV as text.
    classes = _classes(tmp_path, ["-blue hexagon", "cat"])
    result = run("label", "--show-prompts", "-c", classes, "-t", "{}")
    assert result.exit_code == 0, result.stderr
    assert "-blue hexagon,1,-blue hexagon" in result.stdout.splitlines()
    [warning] = _warnings(result.stderr)
    assert "class name '-blue hexagon' starts with" in warning, warning


def test_plain_prompts_and_negative_weights_are_not_warned_of(tmp_path: Path) -> None:
    # An attribute a class lacks weighs it negatively: '-0.5' is a number to a spreadsheet.
    table = tmp_path / "att.csv"
    table.write_text("class,round,square\nsun,1,-1\nbox,-1,1\n", encoding="utf-8")
    result = run("label", "--show-prompts", "--attributes", table)
    assert result.exit_code == 0, result.stderr
    assert any(row["weight"].startswith("-") for row in csv.DictReader(io.StringIO(result.stdout)))
    assert not _warnings(result.stderr)
    plain = run("label", "--show-prompts", "-c", _classes(tmp_path, ["cat", "dog"]))
    assert plain.exit_code == 0, plain.stderr
    assert not _warnings(plain.stderr)


class _Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


def test_prompts_shown_at_a_terminal_are_not_counted() -> None:
    # Rows shown there are read, not opened in a spreadsheet, as with label's CSV.
    prompts = [("cat", 1.0, "=cat"), ("dog", 1.0, "+dog")]
    assert write_class_prompts(open_sink("-", _Terminal()), prompts).warnings("stdout") == []
    assert write_class_prompts(open_sink("-", io.BytesIO()), prompts).count == 2
