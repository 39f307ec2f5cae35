"""The note that says why top-k is not computable names an image whose ranking is too short, as
the calibrated-stacking note does: one hand-edited record among thousands is then found."""

from __future__ import annotations

from pathlib import Path

from tests.evaluation_helpers import predicted, touch
from zsl_cli.evaluation import evaluate, load_truth


def test_top_k_not_computable_names_an_image_with_the_shortest_ranking(tmp_path: Path) -> None:
    for name in ("cat/a.jpg", "cat/b.jpg", "dog/c.jpg"):
        touch(tmp_path / "truth" / name)
    folder = tmp_path / "truth"
    predictions = [
        predicted(folder / "cat" / "a.jpg", "cat", ["cat", "dog", "fox"]),
        predicted(folder / "cat" / "b.jpg", "cat", ["cat"]),  # top_k emptied by hand
        predicted(folder / "dog" / "c.jpg", "dog", ["dog", "cat", "fox"]),
    ]
    result = evaluate(predictions, load_truth(folder), ks=(1, 3))
    assert (
        f"some images carry only 1 ranked class (e.g. '{folder / 'cat' / 'b.jpg'}' has 1), "
        "fewer than 3" in " ".join(result.notes)
    )
