"""A class name longer than its column in a terminal's table (evaluate's per-class table,
hubness's top hubs) folds onto the next lines between characters as a reader sees them: rich's
own fold cut a flag's two regional indicators apart (one letter at a line's end, the other on
the next), and on an ASCII stderr an escape such as \\U0001f1ef in two."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from tests.evaluation_helpers import evaluated
from zsl_cli import summary
from zsl_cli.summary import render_evaluation

FLAG = "\U0001f1ef\U0001f1f5"  # Japan's flag: two regional indicators
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
REGIONAL_INDICATORS = re.compile("[\U0001f1e6-\U0001f1ff]+")
WIDTH = 60  # leaves the class column 23 cells beside support, accuracy, precision and F1


def _table_lines(console: Console, name: str, tmp_path: Path) -> list[str]:
    render_evaluation(console, evaluated(tmp_path, [(name, name), ("cat", name)]))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    lines = text.split("Per class, worst first\n", 1)[1].splitlines()
    return lines[1:]  # below the header


def _names_column(lines: list[str]) -> str:
    """The class column's text, its folded lines joined again."""
    return "".join(re.split(r"\s{2,}", line.strip())[0] for line in lines if line.strip())


@pytest.mark.parametrize("start", range(15, 25))
@pytest.mark.parametrize("name", [FLAG * 12, f"{FLAG} {FLAG * 14}", f"{FLAG}{FAMILY}" * 8])
def test_a_long_name_folds_between_a_flags_indicators_never_inside(
    tmp_path: Path, start: int, name: str
) -> None:
    name = "x" * start + name
    console = Console(file=io.StringIO(), width=WIDTH, markup=False, emoji=False, soft_wrap=True)
    lines = _table_lines(console, name, tmp_path)
    assert len(lines) > 2  # folded
    for line in lines:
        for run in REGIONAL_INDICATORS.findall(line):
            assert len(run) % 2 == 0, ascii(lines)
        assert not line.rstrip().endswith("\u200d"), ascii(lines)
    shown = _names_column(lines)
    assert name.replace(" ", "") in shown.replace(" ", ""), ascii(lines)


@pytest.mark.parametrize("start", range(15, 25))
def test_an_escaped_flag_folds_between_its_escapes(tmp_path: Path, start: int) -> None:
    # On a stream that cannot hold the flag (PYTHONIOENCODING=ascii), as zsl's consoles write it.
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    console = summary._Console(
        file=stream, width=WIDTH, markup=False, emoji=False, soft_wrap=True, highlight=False
    )
    name = "x" * start + FLAG * 3
    render_evaluation(console, evaluated(tmp_path, [(name, name)]))
    stream.flush()
    text = stream.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    lines = text.split("Per class, worst first\n", 1)[1].splitlines()[1:]
    for line in lines:
        assert not re.search(r"\\(?:U[0-9a-f]{0,7}|u[0-9a-f]{0,3})(?![0-9a-f])", line), lines
    assert "x" * start + "\\U0001f1ef\\U0001f1f5" * 3 in _names_column(lines)


@pytest.mark.parametrize("start", range(26, 32))
def test_top_hubs_fold_between_a_flags_indicators(start: int) -> None:
    console = Console(file=io.StringIO(), width=80, markup=False, emoji=False, soft_wrap=True)
    hubs = f"{'x' * start}{FLAG * 20} (9), dog (8)"
    columns = ["method", "skewness", "hub occupancy", "antihubs", "Robin Hood", "top hubs"]
    rows = [["none", "1.25", "10.0%", "5.0%", "0.40", hubs]]
    summary._print_named_rows(console, columns, rows, wraps=5, min_width=20)
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert len(lines) > 3  # folded
    for line in lines:
        for run in REGIONAL_INDICATORS.findall(line):
            assert len(run) % 2 == 0, ascii(lines)


def test_a_name_that_fits_is_not_folded(tmp_path: Path) -> None:
    console = Console(file=io.StringIO(), width=WIDTH, markup=False, emoji=False, soft_wrap=True)
    name = "x" * 10 + FLAG * 5  # 20 cells, in a column of 23
    lines = _table_lines(console, name, tmp_path)
    assert lines[0].startswith(name + " ") or lines[1].startswith(name + " "), ascii(lines)


@pytest.mark.parametrize("name", ["x" * 46 + " y", "x" * 45 + "  y", "x" * 46 + " " * 24 + "y"])
def test_the_word_after_a_folded_word_starts_its_line(tmp_path: Path, name: str) -> None:
    # rich carried the spaces after the fold's last piece to the next line, or to a blank one.
    console = Console(file=io.StringIO(), width=WIDTH, markup=False, emoji=False, soft_wrap=True)
    lines = [line.rstrip() for line in _table_lines(console, name, tmp_path)]
    assert "y" in lines, lines
    assert "" not in lines, lines
