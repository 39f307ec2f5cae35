"""The exact bytes of Label Studio tasks: a task a line, its data with the image URL first (the
Data Manager's columns follow the data's order) and zsl's record after it in the record's order,
then the prediction of a labelled image; a failed image's task holds the record alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer


def test_tasks_are_written_key_by_key_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "tasks.json"
    options = LabelStudioOptions(url_prefix="http://localhost:8081/", model_version="v1")
    with open_writer(str(output), "label-studio", label_studio=options) as writer:
        ranking = (LabelScore("cat", 0.75), LabelScore("dog", 0.125))
        writer.write(Prediction("photos/a b.png", "cat", 0.75, ranking))
        writer.write(Prediction("photos/c.png", "", None, status="truncated", error="cut"))
        writer.close({})
    assert output.read_bytes().split(b"\n") == [
        b"[",
        b'{"data": {"image": "http://localhost:8081/photos/a%20b.png", "zsl_path": '
        b'"photos/a b.png", "zsl_label": "cat", "zsl_score": 0.75, "zsl_top_k": [{"label": '
        b'"cat", "score": 0.75}, {"label": "dog", "score": 0.125}], "zsl_status": "ok", '
        b'"zsl_error": ""}, "predictions": [{"model_version": "v1", "score": 0.75, "result": '
        b'[{"from_name": "choice", "to_name": "image", "type": "choices", "value": {"choices": '
        b'["cat"]}}]}]},',
        b'{"data": {"image": "http://localhost:8081/photos/c.png", "zsl_path": "photos/c.png", '
        b'"zsl_label": "", "zsl_score": null, "zsl_top_k": [], "zsl_status": "truncated", '
        b'"zsl_error": "cut"}}',
        b"]",
        b"",
    ]
