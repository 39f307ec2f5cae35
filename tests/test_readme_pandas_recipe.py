"""README's recipe for reading a predictions CSV in pandas keeps every label as written, class
names that pandas would take for numbers or missing values too, through a read and a save."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.helpers import run, write_images

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Names pandas guesses as numbers (the column then reads as floats where a failed row left a
# label empty) or as a missing value, as digit and rating datasets name their classes.
CLASSES = ["1", "007", "1e3", "-0", "NA"]


def _recipe() -> str:
    """The README's `pd.read_csv(p, ...)` that reads a predictions CSV keeping its labels."""
    [call] = re.findall(r"`(pd\.read_csv\(p, keep_default_na=False[^`]*)`", README)
    return call


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -k 1: a ranking of one name, which pandas reads as a number too.
@pytest.fixture(params=["0", "1"])
def predictions(request, tiny_clip, tmp_path: Path) -> tuple[Path, Path]:
    photos = tmp_path / "photos"
    for index, name in enumerate(CLASSES):
        write_images(photos / name, 2, seed=index)
    (photos / "1" / "broken.png").write_bytes(b"not an image")  # a failed row: an empty label
    classes = tmp_path / "classes.txt"
    classes.write_text("\n".join(CLASSES) + "\n", encoding="utf-8")
    output = tmp_path / "p.csv"
    top_k = request.param
    result = run("label", photos, "-c", classes, "-m", tiny_clip, "-k", top_k, "-o", output)
    assert result.exit_code == 0, result.stderr
    return output, photos


def test_the_readme_recipe_keeps_labels_pandas_would_read_as_numbers(predictions):
    output, photos = predictions
    frame = eval(_recipe(), {"pd": pd, "p": output})
    saved = output.with_name("saved.csv")
    frame.to_csv(saved, index=False)
    before, after = _rows(output), _rows(saved)
    # The cases that went wrong are there: a failed row, and labels that read as numbers.
    labels = {row["label"] for row in before}
    assert "" in labels and labels - {"", "NA"}, labels
    for column in ("path", "label", "top_k_labels", "status"):
        assert [row[column] for row in after] == [row[column] for row in before], column
    # The scores stay numbers to compute with.
    assert frame["score"].dtype.kind == "f"
    # zsl evaluate scores the saved file as the one zsl wrote.
    metrics = []
    for file in (output, saved):
        result = run("evaluate", file, "--truth", photos, "--json", "-")
        assert result.exit_code == 0, result.stderr
        assert "neither a truth class" not in result.stderr
        metrics.append(json.loads(result.stdout))
    # Top-1 only: beyond it, a file without zsl's run info beside it is read otherwise.
    assert metrics[1]["top_k"]["1"] == metrics[0]["top_k"]["1"]
    for key in ("per_class", "failed", "abstained"):
        assert metrics[1][key] == metrics[0][key], key
