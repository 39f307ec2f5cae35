"""Ranking and scores against values computed here with numpy in float64: every class once, ties in
class order, infinite and NaN scores, float64 similarities, empty inputs, the row blocks."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from zsl_cli.cli.label import label
from zsl_cli.encoders.base import ScoreHead
from zsl_cli.scoring import (
    SMALL_K,
    Decision,
    equal_rows,
    rank,
    row_blocks,
    rows_within,
    top_k,
)


def _stable_order(row: list[float]) -> list[int]:
    """Class indices best first, ties in class order, NaN last (as a sort puts it)."""
    return sorted(
        range(len(row)), key=lambda c: (np.isnan(row[c]), -row[c] if row[c] == row[c] else 0)
    )


@pytest.mark.parametrize("k", [3, SMALL_K + 4])
def test_top_k_lists_each_class_once_among_infinite_or_lowest_scores(k):
    lowest = np.finfo(np.float32).min
    rows = [
        [-np.inf, -np.inf, 0.5] + [-np.inf] * 21,
        [np.inf, 0.0, np.inf] + [-np.inf] * 21,
        [lowest, lowest, lowest] + [lowest] * 21,
        [0.25, -np.inf, lowest] + [0.25] * 21,
    ]
    # Each row on its own: a block of finite rows is ranked otherwise than one holding -inf.
    for row in rows:
        indices, values = top_k(np.array([row], dtype=np.float32), k)
        got, got_values = indices.tolist()[0], values.tolist()[0]
        assert got == _stable_order(row)[:k]
        assert len(set(got)) == k
        assert got_values == [np.float32(row[c]) for c in got]


@pytest.mark.parametrize("k", [2, 3, SMALL_K + 2])
def test_a_nan_score_ranks_last_however_many_classes_are_kept(k):
    # Ranked as a stable sort ranks it, with few classes kept as with many.
    row = [0.1, np.nan, 0.5, 0.1] + [-1.0] * (SMALL_K + 2)
    indices, _ = top_k(np.array([row], dtype=np.float32), k)
    assert indices.tolist()[0] == _stable_order(row)[:k]
    assert 1 not in indices.tolist()[0][:4]


def test_top_k_of_rows_without_classes_is_empty():
    indices, values = top_k(np.zeros((3, 0), dtype=np.float32), 5)
    assert indices.shape == values.shape == (3, 0)
    assert rows_within(100, 0) == 100


def test_row_blocks_cover_every_row_once_the_last_block_shorter():
    assert list(row_blocks(10, 4)) == [slice(0, 4), slice(4, 8), slice(8, 10)]
    assert list(row_blocks(8, 4)) == [slice(0, 4), slice(4, 8)]
    assert list(row_blocks(0, 4)) == []
    assert rows_within(10, 3) == 3 and rows_within(2, 3) == 1


def test_equal_rows_groups_only_rows_equal_to_the_bit_in_index_order():
    vectors = np.array(
        [[1.0, 2.0], [0.5, 0.0], [1.0, 2.0], [1.0, 3.0], [0.5, 0.0], [1.0, 2.0], [7.0, 7.0]],
        dtype=np.float32,
    )
    assert sorted(equal_rows(vectors)) == [[0, 2, 5], [1, 4]]
    # Row 3 shares its first value with rows 0, 2, 5 only: no group of one.
    assert equal_rows(vectors[[0, 3, 6]]) == []


def test_softmax_of_float64_similarities_keeps_float64_precision():
    rng = np.random.default_rng(21)
    sims = rng.uniform(-0.3, 0.5, size=(6, 50))
    indices, values = rank(sims, ScoreHead("softmax", 100.0), 0)
    assert values.dtype == np.float64
    exact = np.exp(100.0 * sims) / np.exp(100.0 * sims).sum(axis=1, keepdims=True)
    np.testing.assert_array_equal(indices, np.argsort(-sims, axis=1, kind="stable"))
    np.testing.assert_allclose(values, np.take_along_axis(exact, indices, axis=1), rtol=1e-12)


def test_softmax_scores_of_a_row_sum_to_one_and_ties_score_alike():
    sims = np.array([[0.2, 0.3, 0.3, -0.1]], dtype=np.float32)
    indices, values = rank(sims, ScoreHead("softmax", 10.0), 0)
    assert indices.tolist() == [[1, 2, 0, 3]]
    exact = np.exp(10.0 * sims.astype(np.float64))
    exact /= exact.sum()
    np.testing.assert_allclose(values[0], exact[0, [1, 2, 0, 3]], rtol=1e-6)
    assert values[0, 0] == values[0, 1]
    assert values.sum() == pytest.approx(1.0, rel=1e-6)


def test_the_library_keeps_as_many_classes_as_the_cli_by_default():
    assert Decision().top_k == inspect.signature(label).parameters["top_k"].default == 5
    assert Decision().threshold is None
