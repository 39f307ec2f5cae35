"""A CSV's last row that lacks only its line end is read whole, though its ranking's first cell
was emptied (an edited file): an empty first class is no label cut short, as a row whose label
and first ranked class differ only where one is the other cut short would be."""

from __future__ import annotations

from pathlib import Path

from zsl_cli.readers import read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS


def test_a_last_row_ranking_an_empty_class_first_is_read_not_left_out(tmp_path: Path) -> None:
    output = tmp_path / "p.csv"
    rows = [",".join(CSV_COLUMNS), "a.png,cat,0.75,cat|dog,0.75|0.25,ok,"]
    output.write_text("\n".join([*rows, "b.png,dog,0.6,|dog|cat,0.6|0.3|0.1,ok,"]))  # no line end
    told: list[str] = []
    read, _ = read_predictions_and_run_info(output, warn=told.append)
    assert [(p.path, p.label) for p in read] == [("a.png", "cat"), ("b.png", "dog")]
    assert told == []
