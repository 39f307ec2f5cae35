"""xlsa17's `att` (the class attribute vectors of its `att_splits.mat`, the ones most zero-shot
code reads) is AwA2's continuous table with each class's row scaled to unit length: its missing
values, -1 in `original_att`, are there one small negative number per row (-1 over the row's
length). Read as weights they count against their attributes as a -1 does, and are warned of
as a -1 is; they were read without a word, since none is exactly -1."""

from __future__ import annotations

import numpy as np

from zsl_cli.classes import parse_attributes

ORIGINAL = np.array(
    [[-1.0, -1.0, 12.34, 16.11], [39.25, 1.39, 0.0, 74.14], [83.4, 64.79, 0.0, -1.0]]
)
NAMES = ["antelope", "grizzly+bear", "killer+whale"]


def _table(matrix: np.ndarray) -> str:
    rows = ["class,black,white,brown,gray"]
    for name, row in zip(NAMES, matrix, strict=True):
        rows.append(f"{name}," + ",".join(map(repr, row.tolist())))
    return "\n".join(rows) + "\n"


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_missing_values_scaled_to_unit_length_are_warned_of() -> None:
    [warning] = parse_attributes(_table(_unit_rows(ORIGINAL)), "att.csv").warnings
    assert warning == (
        "att.csv: 3 weights are negative among weights otherwise 0 or more, one value in each "
        "row, in rows of unit length (the first at line 2: class 'antelope', column 2 ('black'); "
        "in 2 classes and 3 columns), such as xlsa17's att holds AwA2's missing values (-1 in "
        "its original_att): each counts against its attribute; write 0 for them, or give the "
        "original_att with its -1s written as 0"
    )


def test_the_unscaled_table_keeps_its_own_warning() -> None:
    [warning] = parse_attributes(_table(ORIGINAL), "a.csv").warnings
    assert warning.startswith("a.csv: 3 weights are -1 among weights otherwise 0 or more")


def test_signed_tables_are_not_warned_of() -> None:
    # Rows of unit length whose negatives differ: weights signed on purpose.
    signed = _unit_rows(np.array([[-1.0, -2.0, 3.0, 4.0], [1.0, 2.0, 0.0, -3.0]]))
    assert parse_attributes(_table(np.vstack([signed, signed[:1] * -1])), "a.csv").warnings == ()
    # A table of -1, 0 and 1 scaled to unit length: -1 says absent, as in the unscaled one.
    ternary = _unit_rows(np.array([[-1.0, 1.0, 0.0, 1.0], [1.0, -1.0, -1.0, 0.0], [0, 0, 1, 1.0]]))
    assert parse_attributes(_table(ternary), "a.csv").warnings == ()
    # One negative a row, each of the others' size: weights signed on purpose.
    one_each = _unit_rows(np.array([[0.6, -0.8, 0.0, 0.0], [0.8, 0.0, -0.6, 0.0], [0, 0, 1, 1.0]]))
    assert parse_attributes(_table(one_each), "a.csv").warnings == ()
    # Rows not of unit length: the negatives are the user's weights.
    assert parse_attributes(_table(_unit_rows(ORIGINAL) * 3), "a.csv").warnings == ()
