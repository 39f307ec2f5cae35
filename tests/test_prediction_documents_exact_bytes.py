"""The exact bytes of JSON and Label Studio documents: one record a line between the brackets,
and an empty run's list closed on its own line's bracket."""

from __future__ import annotations

import json
from pathlib import Path

from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer


def test_an_empty_runs_json_document(tmp_path: Path) -> None:
    output = tmp_path / "empty.json"
    with open_writer(str(output), "json") as writer:
        writer.close({"model": "m"})
    assert output.read_bytes() == b'{"predictions": [],\n"run": {"model": "m", "complete": true}}\n'
    assert json.loads(output.read_bytes()) == {
        "predictions": [],
        "run": {"model": "m", "complete": True},
    }


def test_a_json_document_holds_one_record_a_line(tmp_path: Path) -> None:
    output = tmp_path / "two.json"
    with open_writer(str(output), "json") as writer:
        writer.write(Prediction("a.png", "cat", 0.75, (LabelScore("cat", 0.75),)))
        writer.write(Prediction("b.png", "", None, status="truncated", error="cut"))
        writer.close({}, complete=False)
    assert output.read_bytes().split(b"\n") == [
        b'{"predictions": [',
        b'{"path": "a.png", "label": "cat", "score": 0.75, "top_k": '
        b'[{"label": "cat", "score": 0.75}], "status": "ok", "error": ""},',
        b'{"path": "b.png", "label": "", "score": null, "top_k": [], "status": "truncated", '
        b'"error": "cut"}',
        b"],",
        b'"run": {"complete": false}}',
        b"",
    ]


def test_an_empty_runs_label_studio_tasks(tmp_path: Path) -> None:
    output = tmp_path / "empty.json"
    options = LabelStudioOptions(url_prefix="http://localhost:8081/")
    with open_writer(str(output), "label-studio", label_studio=options) as writer:
        writer.close({})
    assert output.read_bytes() == b"[]\n"
    assert json.loads(output.read_bytes()) == []
