"""A last line without its line end is left out as cut short only where it shows a cut: an
abstention ('unknown') whose first ranked class starts with "unknown" is a whole row."""

from __future__ import annotations

from zsl_cli.readers import read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS


def test_an_abstention_ranking_a_class_named_like_unknown_first_is_kept(tmp_path):
    output = tmp_path / "p.csv"
    rows = [
        ",".join(CSV_COLUMNS),
        "a.png,cat,0.6,cat|unknown species,0.6|0.4,ok,",
        "b.png,unknown,0.4,unknown species|cat,0.4|0.35,ok,",
    ]
    output.write_text("\n".join(rows))  # no line end after the last row
    told: list[str] = []
    predictions, _ = read_predictions_and_run_info(output, warn=told.append)
    assert [(p.path, p.label) for p in predictions] == [("a.png", "cat"), ("b.png", "unknown")]
    assert told == []
