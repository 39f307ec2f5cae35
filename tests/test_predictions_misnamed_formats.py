"""A shell redirection names an output whatever zsl wrote into it: `zsl label ... > p.json`
writes CSV (stdout's format), and such a file reads as the CSV it holds."""

from __future__ import annotations

import pytest

from zsl_cli.readers import read_predictions
from zsl_cli.records import CSV_COLUMNS


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_csv_under_a_json_name_reads_as_csv(tmp_path, suffix):
    output = tmp_path / f"p{suffix}"
    output.write_text(",".join(CSV_COLUMNS) + "\na.png,cat,0.75,cat|dog,0.75|0.25,ok,\n")
    (prediction,) = read_predictions(output)
    assert (prediction.path, prediction.label, prediction.score) == ("a.png", "cat", 0.75)
    assert prediction.top_k == (("cat", 0.75), ("dog", 0.25))
