"""A JSON file given as `--truth` that is not read as a Label Studio export is refused naming
both export formats that are read, JSON and JSON_MIN: it said "a Label Studio project's JSON
export" alone, though JSON_MIN is taken as well (and is the one a user whose record was refused
may have made)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import error_line, run
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth

ENDING = (
    "give a folder of class sub-folders, a CSV with columns path,label (from an annotation "
    "tool, export CSV or class folders) or a Label Studio project's JSON or JSON_MIN export"
)


@pytest.mark.parametrize(
    "content",
    [
        '{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": []}',
        '[{"path": "photos/a.png", "label": "cat"}]',
    ],
)
def test_a_json_truth_that_is_no_export_names_json_and_json_min(
    tmp_path: Path, content: str
) -> None:
    truth = tmp_path / "t.json"
    truth.write_text(content, encoding="utf-8")
    with pytest.raises(ZslError) as refused:
        load_truth(truth)
    assert refused.value.message.endswith(f"t.json holds JSON, not a ground-truth CSV: {ENDING}")


def test_the_cli_says_it_in_one_line(tmp_path: Path) -> None:
    predictions = tmp_path / "p.csv"
    predictions.write_text(
        "path,label,score,top_k_labels,top_k_scores,status,error\na.png,cat,0.9,cat,0.9,ok,\n",
        encoding="utf-8",
    )
    truth = tmp_path / "t.json"
    truth.write_text('{"a.png": "cat"}', encoding="utf-8")
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2
    assert error_line(result.stderr).endswith(ENDING)
