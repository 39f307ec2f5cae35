"""Where a name in a terminal table's names column breaks into lines: as rich's own wrap breaks
it wherever no word is wider than the column (its words, spaces after them counted only where
the next word goes on the line too), and a word wider than the column folded into lines that
fit it, in cells, each cluster whole; on an ASCII stream the name's escaped form is what is
measured and folded."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from tests.evaluation_helpers import evaluated
from zsl_cli import summary
from zsl_cli.summary import _line_breaks, render_evaluation

FLAG = "\U0001f1ef\U0001f1f5"  # two regional indicators, one cluster
WORDS = ("a", "bb", "ccc", "dddd")


def _texts() -> list[str]:
    """Names of two to four words no wider than 4 cells, spaced by one or two spaces, some
    with spaces before them."""
    texts = []
    for count in (2, 3, 4):
        for words in itertools.product(WORDS, repeat=count):
            texts.append(" ".join(words))
            texts.append("  ".join(words))
    return texts + [" " + text for text in texts[::7]]


def _lines(text: str, breaks: list[int]) -> list[str]:
    return [line.plain.rstrip() for line in Text(text).divide(breaks)]


@pytest.mark.parametrize("width", range(4, 12))
def test_breaks_fall_where_rich_wraps_words_no_wider_than_the_column(width: int) -> None:
    console = Console(width=80, file=io.StringIO())
    for text in _texts():
        wrapped = [line.plain.rstrip() for line in Text(text).wrap(console, width)]
        assert _lines(text, _line_breaks(text, width)) == wrapped, (text, width)


@pytest.mark.parametrize(
    ("text", "width", "breaks"),
    [
        ("ab cd", 5, []),  # a line that fills the column exactly
        ("ab cd ef", 5, [6]),  # the space after `cd` not counted: `ab cd` fits
        ("abc de fgh", 5, [4, 7]),
        ("xxxxxxx   y", 5, [5, 10]),  # a folded word's spaces count where a word follows
        ("xxxxxxx y", 5, [5]),
    ],
)
def test_breaks_of_plain_text(text: str, width: int, breaks: list[int]) -> None:
    assert _line_breaks(text, width) == breaks


def test_a_word_of_wide_characters_folds_by_cells() -> None:
    text = "日本語日本語"
    breaks = _line_breaks(text, 5)
    assert breaks == [2, 4]
    assert all(cell_len(line) <= 5 for line in _lines(text, breaks))


@pytest.mark.parametrize("text", [FLAG, f"ab {FLAG}", f"{FLAG}{FLAG}"])
def test_a_cluster_wider_than_the_column_takes_a_line_of_its_own(text: str) -> None:
    # One cell wide: the flag's two cells cannot be cut, and no line is left empty after it.
    breaks = _line_breaks(text, 1)
    assert all(0 < cut < len(text) for cut in breaks)
    lines = _lines(text, breaks)
    assert all(line.strip() for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(FLAG in line or cell_len(line) <= 1 for line in lines)


def test_a_wide_character_in_a_one_cell_column_takes_a_line_of_its_own() -> None:
    assert _lines("日本", _line_breaks("日本", 1)) == ["日", "本"]


def _ascii_table(tmp_path: Path, name: str, width: int) -> list[str]:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    console = summary._Console(
        file=stream, width=width, markup=False, emoji=False, soft_wrap=True, highlight=False
    )
    render_evaluation(console, evaluated(tmp_path, [(name, name), ("cat", name)]))
    stream.flush()
    text = stream.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    table = text.split("Per class, worst first\n", 1)[1].split("Most common", 1)[0]
    return table.splitlines()[1:]


def test_a_short_escaped_name_that_fits_is_not_folded(tmp_path: Path) -> None:
    # Measured as written, escaped: its 23 characters fit a column of 100 cells.
    name = f"ab{FLAG}x"
    lines = _ascii_table(tmp_path, name, 100)
    assert any(line.startswith("ab\\U0001f1ef\\U0001f1f5x ") for line in lines), lines


def test_an_escaped_name_is_folded_to_the_table_s_width(tmp_path: Path) -> None:
    name = "x" * 10 + FLAG * 4
    lines = _ascii_table(tmp_path, name, 60)
    assert len(lines) > 3  # folded
    assert all(len(line) <= 60 for line in lines), lines
    column = "".join(re.split(r"\s{2,}", line.strip())[0] for line in lines if line.strip())
    assert "x" * 10 + "\\U0001f1ef\\U0001f1f5" * 4 in column
