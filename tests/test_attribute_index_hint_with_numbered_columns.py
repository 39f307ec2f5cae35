"""pandas' to_csv of a bare matrix indexed by the class names (AwA2's predicate matrix read with
np.loadtxt) writes `,0,1,2,...`: the refusal of its unnamed first column says to head it 'class'
and, in the same line, that its numbered columns need names, which the next read refused in
turn (the user fixed one thing only to be told of the other)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.api import ClassOptions, class_prompts
from zsl_cli.errors import ZslError

ROWS = "red circle,1,0,1,0\nred square,1,0,0,1\ngreen circle,0,1,1,0\n"


def _refusal(tmp_path: Path, header: str) -> str:
    table = tmp_path / "a.csv"
    table.write_text(header + "\n" + ROWS, encoding="utf-8")
    with pytest.raises(ZslError) as refused:
        class_prompts(ClassOptions(attributes=table))
    return str(refused.value)


def test_an_index_over_numbered_columns_is_told_both_fixes(tmp_path: Path) -> None:
    message = _refusal(tmp_path, ",0,1,2,3")
    assert "head it 'class': `class,0,...`" in message
    assert "name the columns with words" in message
    assert "#phrase row" in message


def test_an_index_over_named_columns_is_told_only_the_header(tmp_path: Path) -> None:
    message = _refusal(tmp_path, ",red,green,circle,square")
    assert message.endswith("head it 'class': `class,red,...`)")
