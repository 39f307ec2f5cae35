"""A stray quote in a predictions CSV runs its cell to the end of the file: the error names the
line its row starts on, where the quote is, and only where the row runs over several lines."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions
from zsl_cli.records import CSV_COLUMNS

HEADER = ",".join(CSV_COLUMNS) + "\n"


def refusal(tmp_path, body: str) -> str:
    output = tmp_path / "p.csv"
    output.write_text(HEADER + body)
    with pytest.raises(ZslError) as refused:
        read_predictions(output)
    return str(refused.value).removeprefix(f"{output}: ")


def test_a_quote_left_open_before_the_last_line_names_the_line_it_is_on(tmp_path):
    body = 'a.png,cat,0.75,"cat,0.75,ok,\nb.png,dog,0.5,dog,0.5,ok,\nc.png,dog,0.5,dog,0.5,ok,\n'
    assert refusal(tmp_path, body) == (
        "line 4: expected 7 columns, found 4 in a row that starts on line 2: is a quote left "
        "open there?"
    )


def test_a_quote_left_open_on_the_last_line_says_only_the_columns(tmp_path):
    body = 'a.png,cat,0.75,cat,0.75,ok,\nb.png,dog,0.5,"dog,0.5,ok,\n'
    assert refusal(tmp_path, body) == "line 3: expected 7 columns, found 4"
