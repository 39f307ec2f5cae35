"""Why nothing paired: a truth CSV is taken for one of ids only where none of its paths has a
file extension; one path without (a typo) leaves the hint that its relative paths start at the
CSV's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def _refusal(tmp_path: Path, rows: str) -> str:
    csv_path = tmp_path / "labels" / "truth.csv"
    csv_path.parent.mkdir(exist_ok=True)
    csv_path.write_text("path,label\n" + rows)
    prediction = Prediction("/nowhere/x/y.jpg", "cat", 0.9, (LabelScore("cat", 0.9),))
    with pytest.raises(ZslError) as refused:
        evaluate([prediction], load_truth(csv_path))
    return refused.value.message


def test_ids_are_said_only_where_no_truth_path_has_an_extension(tmp_path):
    ids = _refusal(tmp_path, "0001,cat\n0002,dog\n")
    assert "(the truth's paths have no file extension: ids, not file names?)" in ids
    one = _refusal(tmp_path, "0001,cat\n0002.jpg,dog\n")
    assert "no file extension" not in one
    assert "(a truth CSV's relative paths start at the CSV's folder)" in one
