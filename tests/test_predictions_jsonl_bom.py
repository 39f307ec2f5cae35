"""JSON Lines saved by an editor that starts the file with a byte order mark (Notepad's "UTF-8
with BOM") read as without it, a blank first line too."""

from __future__ import annotations

import json

import pytest

from zsl_cli.readers import read_predictions

RECORD = {"path": "a.png", "label": "cat", "score": 0.75, "top_k": [], "status": "ok"}


@pytest.mark.parametrize("first", ["", "\n", "  \r\n"], ids=["record", "blank", "spaces"])
def test_a_bom_before_the_first_line_reads_as_none(tmp_path, first):
    output = tmp_path / "p.jsonl"
    output.write_bytes(b"\xef\xbb\xbf" + (first + json.dumps(RECORD) + "\n").encode())
    assert [(p.path, p.label, p.score) for p in read_predictions(output)] == [
        ("a.png", "cat", 0.75)
    ]
