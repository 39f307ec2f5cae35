"""Rows of an image that failed rank no class the check for joined outputs compares: a ranking
left in a failed row (kept from an edited file, or another tool's) is not taken for another
run's, in either order."""

from __future__ import annotations

import json

import pytest

from zsl_cli.readers import read_predictions


def record(path: str, status: str, ranking: list[tuple[str, float]]) -> str:
    top_k = [{"label": label, "score": score} for label, score in ranking]
    label, score = ranking[0] if status == "ok" else ("", None)
    return json.dumps(
        {"path": path, "label": label, "score": score, "top_k": top_k, "status": status}
    )


@pytest.mark.parametrize("failed_first", [False, True])
def test_a_failed_row_ranking_more_classes_than_a_whole_ranking_is_read(tmp_path, failed_first):
    rows = [
        record("a.png", "ok", [("cat", 0.75), ("dog", 0.25)]),
        record("b.png", "decode_error", [("cat", 0.5), ("dog", 0.3), ("fox", 0.2)]),
        record("c.png", "ok", [("dog", 0.5), ("cat", 0.5)]),
    ]
    if failed_first:
        rows.insert(0, rows.pop(1))
    output = tmp_path / "p.jsonl"
    output.write_text("\n".join(rows) + "\n")
    predictions = read_predictions(output)
    assert [(p.path, p.status) for p in predictions] == [
        (json.loads(row)["path"], json.loads(row)["status"]) for row in rows
    ]
