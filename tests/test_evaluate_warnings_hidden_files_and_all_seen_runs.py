"""Evaluation warnings that must stay silent: a hidden file of a truth folder with an extension
zsl label leaves out (label skips hidden files anyway), and a run that offered only seen classes
where the truth has no unseen class either (nothing was left out of a generalised split)."""

from __future__ import annotations

import os

from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.records import LabelScore, Prediction


def _file(path) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"not decoded by evaluate")
    return os.fsdecode(path)


def _prediction(path: str, label: str) -> Prediction:
    return Prediction(path=path, label=label, score=0.9, top_k=(LabelScore(label, 0.9),))


def _left_out_warnings(result) -> list[str]:
    return [warning for warning in result.warnings if "as zsl label leaves" in warning]


def test_a_hidden_file_of_a_left_out_extension_is_not_warned_of(tmp_path):
    photos = tmp_path / "photos"
    predictions = [
        _prediction(_file(photos / "cat" / "a.jpg"), "cat"),
        _prediction(_file(photos / "dog" / "d.jpg"), "dog"),
    ]
    _file(photos / "cat" / ".scan.tga")  # hidden: label skips it whatever its extension
    assert _left_out_warnings(evaluate(predictions, load_truth(photos), ks=(1,))) == []
    _file(photos / "cat" / "scan.tga")  # not hidden: a truth image label left out
    (warning,) = _left_out_warnings(evaluate(predictions, load_truth(photos), ks=(1,)))
    assert warning.startswith("1 image of the truth folder is not evaluated")
    assert "'cat/scan.tga'" in warning and ".scan" not in warning


def test_a_run_of_seen_classes_only_over_a_truth_of_seen_classes_is_not_said_one_sided(tmp_path):
    photos = tmp_path / "photos"
    predictions = [
        _prediction(_file(photos / "cat" / "a.jpg"), "cat"),
        _prediction(_file(photos / "dog" / "d.jpg"), "cat"),
    ]
    result = evaluate(
        predictions, load_truth(photos), ks=(1,), seen=["cat", "dog"], class_names=["cat", "dog"]
    )
    assert not [warning for warning in result.warnings if "hold no" in warning]
    assert result.gzsl is not None and result.gzsl.unseen_classes == ()
