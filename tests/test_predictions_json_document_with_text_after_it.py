"""A zsl json document followed by more text (a second document, as `cat a.json b.json` or `>>`
leaves) is no valid JSON: it is refused as the whole-document parse refuses it, not read as its
first document's predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions

RECORD = {"path": "a.png", "label": "cat", "score": 0.9, "top_k": [], "status": "ok"}


@pytest.mark.parametrize("after", ['\n{"predictions": []}\n', "\n[]\n", "\nx\n"])
def test_text_after_a_json_document_is_refused(tmp_path: Path, after: str) -> None:
    output = tmp_path / "p.json"
    output.write_text(json.dumps({"predictions": [RECORD], "run": {}}, indent=2) + after)
    with pytest.raises(ZslError, match="is not valid JSON"):
        read_predictions(output)
