"""A seen list may name a class that no evaluated image belongs to but that the labeller chose
from (it ranks in the predictions): without the run info, the predicted classes stand in for the
run's, so such a name is a class, not a name to warn of as unknown."""

from __future__ import annotations

import os

from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def _image(path) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"not decoded by evaluate")
    return os.fsdecode(path)


def _prediction(path: str, ranking: list[str]) -> Prediction:
    top_k = tuple(LabelScore(name, 0.6 - 0.2 * i) for i, name in enumerate(ranking))
    return Prediction(path=path, label=ranking[0], score=top_k[0].score, top_k=top_k)


def _predictions(root) -> list[Prediction]:
    return [
        _prediction(_image(root / "cat" / "1.png"), ["cat", "horse", "dog"]),
        _prediction(_image(root / "dog" / "1.png"), ["horse", "dog", "cat"]),
    ]


def _unknown_seen_warnings(result) -> list[str]:
    return [warning for warning in result.warnings if "neither in the truth" in warning]


def test_a_seen_class_only_ranked_is_no_unknown_seen_name(tmp_path):
    root = tmp_path / "animals"
    result = evaluate(_predictions(root), load_truth(root), seen=["cat", "horse"])
    assert _unknown_seen_warnings(result) == []
    g = result.gzsl
    assert g.seen_classes == ("cat",) and g.unseen_classes == ("dog",)
    assert (g.seen, g.unseen) == (1.0, 0.0)  # dog's image was labelled horse


def test_a_seen_name_neither_in_the_truth_nor_ranked_is_warned_of(tmp_path):
    root = tmp_path / "animals"
    result = evaluate(_predictions(root), load_truth(root), seen=["cat", "horse", "zebra"])
    (warning,) = _unknown_seen_warnings(result)
    assert "zebra" in warning and "horse" not in warning
