"""A predictions CSV turned into JSON by pandas holds its top_k_scores cell as text, or as a
number where each row ranked one class; true or false is neither, and is refused as a record's
field of the wrong type."""

from __future__ import annotations

import json

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions


def record(scores: object) -> dict:
    return {
        "path": "a.png",
        "label": "cat",
        "score": 0.5,
        "top_k_labels": "cat",
        "top_k_scores": scores,
        "status": "ok",
        "error": None,
    }


@pytest.mark.parametrize("scores", ["0.5", 0.5, 1])
def test_a_score_cell_of_text_or_a_number_reads_as_the_ranking(tmp_path, scores):
    output = tmp_path / "p.jsonl"
    output.write_text(json.dumps(record(scores)) + "\n")
    (prediction,) = read_predictions(output)
    assert prediction.top_k == (("cat", float(scores)),)


def test_a_score_cell_of_true_is_refused_as_no_string(tmp_path):
    output = tmp_path / "p.jsonl"
    output.write_text(json.dumps(record(True)) + "\n")
    with pytest.raises(ZslError) as refused:
        read_predictions(output)
    assert str(refused.value) == (
        f"{output}: line 1: not a zsl prediction record (top_k_scores is true or false, not a "
        "string)"
    )
