"""Odd but readable predictions: a json document giving its run info twice (the last counts, as
json.loads keeps it), a header that names the JSON Lines top_k column beside CSV's, and rankings
summing to 1 within float32's rounding, which count as whole in the check for joined outputs."""

from __future__ import annotations

import json

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions, read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS

RECORD = {"path": "a.png", "label": "cat", "score": 0.5, "top_k": [], "status": "ok"}


def test_run_info_given_twice_is_the_last(tmp_path):
    output = tmp_path / "p.json"
    predictions = json.dumps([RECORD])
    output.write_text(
        f'{{"run": {{"model": "first"}}, "predictions": {predictions}, "run": {{"model": "last"}}}}'
    )
    read, run_info = read_predictions_and_run_info(output)
    assert [p.path for p in read] == ["a.png"]
    assert run_info == json.loads(output.read_text())["run"] == {"model": "last"}


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        (
            "path,label,score,top_k,status,error",
            " (its top_k column is JSON Lines': save a table read from JSON Lines as JSON Lines, "
            'df.to_json(path, orient="records", lines=True))',
        ),
        ("path,label,top_k,top_k_labels", ""),
    ],
)
def test_a_top_k_column_hints_at_json_lines_only_without_csvs_own(tmp_path, header, hint):
    output = tmp_path / "p.csv"
    output.write_text(header + "\n")
    with pytest.raises(ZslError) as refused:
        read_predictions(output)
    assert str(refused.value) == (
        f"'{output}' is not a zsl predictions CSV: the header must hold the columns "
        f"{','.join(CSV_COLUMNS)}{hint}"
    )


def test_a_ranking_summing_to_1_within_rounding_is_whole(tmp_path):
    rows = [
        {**RECORD, "top_k": [{"label": "cat", "score": 0.50005}, {"label": "dog", "score": 0.5}]},
        {
            **RECORD,
            "path": "b.png",
            "top_k": [
                {"label": "cat", "score": 0.5},
                {"label": "dog", "score": 0.3},
                {"label": "fox", "score": 0.2},
            ],
        },
    ]
    output = tmp_path / "p.jsonl"
    output.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with pytest.raises(ZslError) as refused:
        read_predictions(output)
    assert str(refused.value) == (
        f"{output}: line 2: ranks 3 classes where line 1 ranks 2 (outputs of runs with other "
        "classes or -k joined?); evaluate each run's output on its own"
    )
