"""A CSV's last line that ends in "\r" alone (old Mac line ends, or a Windows "\r\n" whose "\n"
is all that is missing) has its line end: a row there that lacks cells is no row a writer
stopped in (left out with a warning) but a broken row, refused as any other line's."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS

ROWS = [",".join(CSV_COLUMNS), "a.png,cat,0.6,cat|dog,0.6|0.4,ok,", "b.png,dog"]


@pytest.mark.parametrize("line_end", ["\r", "\r\n"], ids=["old-mac", "windows"])
def test_a_short_last_row_ended_by_cr_is_refused_as_any_other(tmp_path: Path, line_end) -> None:
    output = tmp_path / "p.csv"
    output.write_bytes(line_end.join(ROWS).encode() + b"\r")
    told: list[str] = []
    with pytest.raises(ZslError) as caught:
        read_predictions_and_run_info(output, warn=told.append)
    assert caught.value.message == f"{output}: line 3: expected 7 columns, found 2"
    assert told == []


def test_the_same_row_without_a_line_end_is_left_out_as_cut_short(tmp_path: Path) -> None:
    output = tmp_path / "p.csv"
    output.write_bytes("\r".join(ROWS).encode())
    told: list[str] = []
    predictions, _ = read_predictions_and_run_info(output, warn=told.append)
    assert [prediction.path for prediction in predictions] == ["a.png"]
    assert len(told) == 1 and "line 3: the last line is cut short" in told[0]
