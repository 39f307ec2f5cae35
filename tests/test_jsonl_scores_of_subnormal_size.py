"""Scores too small for a float to hold 7 significant digits (subnormal, below about 1e-308):
a JSON Lines record holds each as json.dumps writes the float read back, in the ranking too,
not the 7 digits asked for that the float does not have."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer


@pytest.mark.parametrize("score", [1.234567e-319, 1.234567e-318, 2.5e-317])
def test_a_subnormal_score_is_written_as_json_writes_its_float(
    tmp_path: Path, score: float
) -> None:
    out = tmp_path / "p.jsonl"
    ranked = (LabelScore("a", 0.5), LabelScore("b", score))
    with open_writer(str(out), "jsonl") as writer:
        writer.write(Prediction("/data/x.png", "a", score, ranked))
        writer.close({})
    line = out.read_text(encoding="utf-8").rstrip("\n")
    record = json.loads(line)
    assert line == json.dumps(record, ensure_ascii=False)
    written = float(format(score, ".7g"))
    assert record["score"] == record["top_k"][1]["score"] == written
