"""`evaluate`'s selective-labelling parts (`SelectiveLabelling` and its `CoveragePoint`s) compare
by value and are not hashable, as the rest of the result: a frozen dataclass is hashable by
default, so they could be put in a set or used as keys where the result cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli import api
from zsl_cli.writers import open_writer

N = 24  # scored images: at least the 20 a selective-labelling table needs


def _written(tmp_path: Path) -> api.EvaluateRequest:
    """N images of cat and dog, scored apart, every fourth one labelled wrong."""
    truth = tmp_path / "truth.csv"
    rows = "".join(f"{i}.jpg,{'cat' if i % 2 else 'dog'}\n" for i in range(N))
    truth.write_text(f"path,label\n{rows}", encoding="utf-8")
    predictions = tmp_path / "p.jsonl"
    with open_writer(predictions, "jsonl") as writer:
        for i in range(N):
            true = "cat" if i % 2 else "dog"
            other = "dog" if true == "cat" else "cat"
            label = other if i % 4 == 0 else true
            score = 0.99 - i / 100
            top_k = (
                api.LabelScore(label, score),
                api.LabelScore(true if label == other else other, 0.01),
            )
            writer.write(api.Prediction(str(tmp_path / f"{i}.jpg"), label, score, top_k=top_k))
        writer.close({})
    return api.EvaluateRequest(predictions=predictions, truth=truth)


def test_selective_labelling_and_its_points_are_unhashable(tmp_path: Path) -> None:
    request = _written(tmp_path)
    selective = api.evaluate(request).selective
    assert isinstance(selective, api.SelectiveLabelling) and selective.available
    assert selective.points and isinstance(selective.points[0], api.CoveragePoint)
    for part in (selective, selective.points[0]):
        with pytest.raises(TypeError, match="unhashable"):
            hash(part)
    # Still compared by value: another evaluation of the same files is equal, part for part.
    again = api.evaluate(request).selective
    assert again == selective and again.points[0] == selective.points[0]
    assert again.points[0] != selective.points[-1]


def test_a_table_left_out_is_unhashable_too(tmp_path: Path) -> None:
    left_out = api.SelectiveLabelling(3, 0, 0, (), "fewer than 20 scored images (3)")
    with pytest.raises(TypeError, match="unhashable"):
        hash(left_out)
    assert left_out == api.SelectiveLabelling(3, 0, 0, (), "fewer than 20 scored images (3)")
