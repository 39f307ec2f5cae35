"""Predictions saved as UTF-32 hold runs of NUL bytes (four or five where a character above
U+00FF follows an ASCII one), which are text there, not the binary content that is refused."""

from __future__ import annotations

import json

import pytest

from zsl_cli.readers import read_predictions


@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be", "utf-32"])
@pytest.mark.parametrize("label", ["a\u4e00", "x\U00010000", "\u0100\U00010000"])
def test_class_names_in_utf32_read_as_in_utf8(tmp_path, encoding, label):
    record = {"path": "a.png", "label": label, "score": 1.0, "status": "ok"}
    record["top_k"] = [{"label": label, "score": 1.0}]
    output = tmp_path / "p.jsonl"
    output.write_bytes((json.dumps(record, ensure_ascii=False) + "\n").encode(encoding))
    (prediction,) = read_predictions(output)
    assert prediction.label == label
    assert prediction.top_k == ((label, 1.0),)
