"""Similarities and the grouping of equal class vectors over shapes with nothing in them: no
dimensions, no classes, or not a matrix at all."""

from __future__ import annotations

import numpy as np

from zsl_cli.scoring import equal_rows, similarities


def test_vectors_without_dimensions_give_zero_similarities_and_no_groups():
    assert equal_rows(np.zeros((3, 0), dtype=np.float32)) == []
    sims = similarities(np.zeros((2, 0), dtype=np.float32), np.zeros((3, 0), dtype=np.float32))
    assert sims.dtype == np.float32
    np.testing.assert_array_equal(sims, np.zeros((2, 3), dtype=np.float32))


def test_no_class_vectors_or_a_single_vector_make_no_groups():
    assert equal_rows(np.zeros((0, 4), dtype=np.float32)) == []
    assert equal_rows(np.zeros(3, dtype=np.float32)) == []
    assert equal_rows(np.ones((1, 4), dtype=np.float32)) == []
