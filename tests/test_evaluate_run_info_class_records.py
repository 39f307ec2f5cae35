"""What a labelling's run info records of its classes, as evaluate takes it: a count or a
name list that says nothing (0, empty) is not taken for a run that chose from no class."""

from __future__ import annotations

import os

import pytest

from tests.evaluation_helpers import predicted, touch
from zsl_cli.evaluation import evaluate_files
from zsl_cli.writers import open_writer


@pytest.mark.parametrize("classes", [{"n": 2, "names": []}, {"n": 0}])
def test_a_run_info_with_no_class_names_or_a_zero_count_is_scored_from_the_rows(tmp_path, classes):
    root = tmp_path / "t"
    images = {"cat": touch(root / "cat" / "1.jpg"), "dog": touch(root / "dog" / "1.jpg")}
    output = tmp_path / "p.jsonl"
    with open_writer(output, "jsonl") as writer:
        writer.write(predicted(images["cat"], "cat", ["cat", "dog"]))
        writer.write(predicted(images["dog"], "cat", ["cat", "dog"]))
        writer.close({"classes": classes})
    result = evaluate_files(output, os.fspath(root), ks=(1, 5))
    top1, top5 = result.metrics.top_k
    assert (top1.overall, top1.mean_per_class) == (0.5, 0.5)
    # The classes the rows rank (2) stand in for the run's: top-5 is top-2, which every image
    # carries.
    assert (top5.k_used, top5.overall) == (2, 1.0)
    assert top5.note == "k=5 clipped to 2, the number of classes"


def test_a_zero_class_count_leaves_a_label_typed_since_out_of_the_class_count(tmp_path):
    # 'Cat' was typed over a label after labelling: no ranking holds it, and without a usable
    # class count it must not count as a class the run chose from (top-5 would be top-3, which
    # no two-class ranking carries: not computable).
    root = tmp_path / "t"
    images = {"cat": touch(root / "cat" / "1.jpg"), "dog": touch(root / "dog" / "1.jpg")}
    output = tmp_path / "p.jsonl"
    edited = predicted(images["cat"], "cat", ["cat", "dog"])
    with open_writer(output, "jsonl") as writer:
        writer.write(type(edited)(edited.path, "Cat", edited.score, top_k=edited.top_k))
        writer.write(predicted(images["dog"], "dog", ["dog", "cat"]))
        writer.close({"classes": {"n": 0}})
    top1, top5 = evaluate_files(output, os.fspath(root), ks=(1, 5)).metrics.top_k
    assert (top1.overall, top1.mean_per_class) == (0.5, 0.5)
    assert (top5.k_used, top5.overall, top5.mean_per_class) == (2, 1.0, 1.0)
