"""evaluate's results compare with == by value, numpy arrays and all, as the API's other records
do: the generated == of a dataclass holding arrays asked numpy for one truth value of a whole
array, and raised ValueError. Results stay unhashable: a hash could not agree with == by value
on arrays that can still be changed."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pytest

from tests.evaluation_helpers import evaluated, gzsl_evaluated, predicted
from zsl_cli import api
from zsl_cli.metrics import Confusion
from zsl_cli.writers import open_writer

ROWS = [("cat", "cat"), ("cat", "dog"), ("dog", "dog"), ("dog", "!")]


def test_two_evaluations_of_the_same_files_are_equal(tmp_path: Path) -> None:
    first, second = evaluated(tmp_path, ROWS), evaluated(tmp_path, ROWS)
    assert first == second
    assert first.metrics == second.metrics
    assert first.metrics.confusion == second.metrics.confusion
    assert first == pickle.loads(pickle.dumps(first))
    assert first == copy.deepcopy(first)


def test_evaluations_that_differ_are_unequal_rather_than_an_error(tmp_path: Path) -> None:
    changed = [*ROWS[:-1], ("dog", "cat")]
    first, second = evaluated(tmp_path, ROWS), evaluated(tmp_path, changed)
    assert first != second
    assert first.metrics != second.metrics
    assert first.metrics.confusion != second.metrics.confusion


def test_a_confusion_compares_its_cells_by_value() -> None:
    labels, columns = ("cat", "dog"), ("cat", "dog", "unknown", "failed")
    matrix = np.array([[2, 1, 0, 0], [0, 3, 0, 1]])
    confusion = Confusion.from_matrix(labels, columns, matrix)
    assert confusion == Confusion.from_matrix(labels, columns, matrix.copy())
    assert confusion != Confusion.from_matrix(labels, columns, matrix * 2)
    assert confusion != Confusion.from_matrix(labels, columns, np.array([[2, 0, 1, 0], matrix[1]]))
    assert confusion != Confusion.from_matrix(("cat", "cow"), columns, matrix)
    # Fewer cells: arrays of another length are unequal, not a broadcasting error.
    assert confusion != Confusion.from_matrix(labels, columns, np.array([[2, 1, 0, 0], [0] * 4]))
    assert confusion != matrix.tolist()


def test_gzsl_results_with_their_curves_compare_by_value(tmp_path: Path) -> None:
    first, second = gzsl_evaluated(tmp_path / "a"), gzsl_evaluated(tmp_path / "a")
    assert first.gzsl is not None and first.gzsl.calibrated is not None
    assert first.gzsl == second.gzsl
    assert first.gzsl.calibrated == pickle.loads(pickle.dumps(first.gzsl.calibrated))
    # A NaN equals itself, as in a tuple: a result equals itself whatever it holds.
    nan_gamma = dataclasses.replace(first.gzsl.calibrated, gamma=float("nan"))
    assert nan_gamma == nan_gamma
    moved = copy.deepcopy(first.gzsl.calibrated)
    moved.seen_curve[0] += 0.5  # arrays held can be changed: a hash could not follow them
    assert moved != first.gzsl.calibrated


def test_results_are_unhashable_as_their_arrays_are(tmp_path: Path) -> None:
    result = gzsl_evaluated(tmp_path)
    for unhashable in (result, result.metrics, result.metrics.confusion, result.gzsl):
        with pytest.raises(TypeError, match="unhashable"):
            hash(unhashable)


def test_api_evaluate_twice_gives_equal_results(tmp_path: Path) -> None:
    predictions = tmp_path / "p.jsonl"
    (tmp_path / "truth.csv").write_text("path,label\na.jpg,cat\nb.jpg,dog\n", encoding="utf-8")
    with open_writer(predictions, "jsonl") as writer:
        writer.write(predicted(tmp_path / "a.jpg", "cat", ["cat", "dog"]))
        writer.write(predicted(tmp_path / "b.jpg", "cat", ["cat", "dog"]))
        writer.close({})
    request = api.EvaluateRequest(predictions=predictions, truth=tmp_path / "truth.csv")
    assert api.evaluate(request) == api.evaluate(request)
