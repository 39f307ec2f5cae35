"""The JSON confusion matrix is written whole up to DENSE_JSON_CELLS cells (1,000,000) and as
its non-zero cells beyond: exactly at the limit it is still whole."""

from __future__ import annotations

import numpy as np

from zsl_cli.evaluation import DENSE_JSON_CELLS, _confusion_json
from zsl_cli.metrics import Confusion


def _confusion(n_labels: int, n_columns: int) -> Confusion:
    labels = tuple(f"c{i}" for i in range(n_labels))
    columns = (*labels, *(f"x{i}" for i in range(n_columns - n_labels - 2)), "unknown", "failed")
    # Two images: c0 labelled c0, c1 labelled the last predicted-only class.
    return Confusion.tally(labels, columns, np.array([0, 1]), np.array([0, n_columns - 3]))


def test_a_confusion_of_exactly_the_limit_is_written_whole():
    assert DENSE_JSON_CELLS == 1_000_000
    written = _confusion_json(_confusion(800, 1250))  # 800 x 1250 = 1,000,000 cells
    assert "cells" not in written
    matrix = written["matrix"]
    assert (len(matrix), len(matrix[0])) == (800, 1250)
    assert (matrix[0][0], matrix[1][1247], sum(map(sum, matrix))) == (1, 1, 2)


def test_a_confusion_one_row_over_the_limit_is_written_as_its_cells():
    written = _confusion_json(_confusion(801, 1250))
    assert "matrix" not in written
    assert written["cells"] == [[0, 0, 1], [1, 1247, 1]]
