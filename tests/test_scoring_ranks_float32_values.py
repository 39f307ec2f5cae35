"""top_k ranks the float32 values it was built to rank, whatever the caller's dtype and whatever
the other rows of its block: float64 scores beyond float32's range list every class once, and a
NaN in one row leaves every other row's order as it is."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from zsl_cli.scoring import SMALL_K, top_k


@pytest.mark.parametrize("k", [3, SMALL_K + 1])
def test_float64_scores_beyond_float32s_range_list_each_class_once(k):
    # -1e39 is finite in float64 and -inf in float32: the argmax passes, which mark a class taken
    # with -inf, gave class 0 twice.
    row = [-1e39, -1e39, 5.0] + [-2e39] * (k - 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no "overflow encountered in cast"
        indices, values = top_k(np.array([row]), k)
    assert indices.tolist()[0][:3] == [2, 0, 1]
    assert sorted(indices.tolist()[0]) == list(range(k))
    assert values.tolist()[0][:3] == [5.0, -1e39, -1e39]  # the caller's values, as given


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e39])
def test_a_row_that_is_not_finite_leaves_the_other_rows_order_as_it_is(bad):
    # Scores that differ by less than float32 resolves tie, in class order, whatever the block.
    rows = np.array([[0.1, 0.1 + 1e-12, 0.0], [0.5, 0.2, 0.1]])
    alone = top_k(rows[:1], 2)[0][0].tolist()
    spoiled = rows.copy()
    spoiled[1, 2] = bad
    assert alone == [0, 1]
    assert top_k(rows, 2)[0][0].tolist() == alone
    assert top_k(spoiled, 2)[0][0].tolist() == alone


def test_few_and_many_classes_kept_rank_float64_scores_alike():
    row = np.array([[0.1, 0.1 + 1e-12, 0.1 + 2e-12, 0.0] + [-1.0] * SMALL_K])
    few = top_k(row, 3)[0][0].tolist()
    many = top_k(row, SMALL_K + 2)[0][0].tolist()
    assert few == many[:3] == [0, 1, 2]
