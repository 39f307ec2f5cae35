"""A shell redirection names an output whatever zsl wrote into it: `zsl label ... > p.json`
writes CSV (stdout's format), and such a file reads as the CSV it holds."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions
from zsl_cli.records import CSV_COLUMNS


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_csv_under_a_json_name_reads_as_csv(tmp_path, suffix):
    output = tmp_path / f"p{suffix}"
    output.write_text(",".join(CSV_COLUMNS) + "\na.png,cat,0.75,cat|dog,0.75|0.25,ok,\n")
    (prediction,) = read_predictions(output)
    assert (prediction.path, prediction.label, prediction.score) == ("a.png", "cat", 0.75)
    assert prediction.top_k == (("cat", 0.75), ("dog", 0.25))


def test_one_line_of_json_cut_short_without_a_name_reads_as_a_json_lines_record(tmp_path):
    # A record on one line, not a document over several: its error is a line's.
    output = tmp_path / "p"
    output.write_text('{"path": "a.png", "label": "cat", "sco')
    with pytest.raises(ZslError) as refused:
        read_predictions(output)
    assert str(refused.value).startswith(f"{output}: line 1: not valid JSON (")
