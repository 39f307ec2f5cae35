"""Class vectors and classes alike at the edges of their arithmetic: a mean of length zero, a
sum that arrives in many chunks, weights that round to zero in float32. Expected values are
worked out by hand (powers of two, so that each rounding is known)."""

from __future__ import annotations

import numpy as np
import pytest

from zsl_cli import prompts
from zsl_cli.classes import parse_attributes, parse_classes
from zsl_cli.prompts import DENSE_MIX_CELLS, ClassMix, Templates, plan_prompts


def test_an_ensemble_whose_prompts_cancel_out_is_a_zero_vector_not_nan() -> None:
    # Renormalising a mean of length zero: no division by zero, a class that scores 0 everywhere.
    plan = plan_prompts(parse_classes("a: up; down\nb: up\n"), Templates("x", ()))
    text = np.array([[1.0, 0.0], [-1.0, 0.0]], dtype=np.float32)
    vectors = plan.class_vectors(text)
    assert vectors.tolist() == [[0.0, 0.0], [1.0, 0.0]]


def test_a_class_sum_over_many_chunks_rounds_to_float32_once() -> None:
    # Weights 1/2, 1/4, 1/4: 0.5 + 2^-25 + 2^-25 is 0.5 + 2^-24 summed in float64 then rounded,
    # but 0.5 summed in float32 a chunk at a time (each 2^-25 is half an ulp of 0.5, rounded to
    # even). Not renormalised, so the sum is the vector.
    plan = plan_prompts(parse_attributes("class,a,b,c\nx,2,1,1\n"), Templates("x", ()))
    assert plan.weights.tolist() == [0.5, 0.25, 0.25]
    embeddings = np.array([[1.0], [2.0**-23], [2.0**-23]], dtype=np.float32)
    mix = ClassMix(plan)
    for row in range(3):  # a chunk a text, as an encoder may stream them
        mix.add(np.array([row]), embeddings[row : row + 1])
    assert mix.vectors().tolist() == [[0.5 + 2.0**-24]]


@pytest.mark.parametrize("dense_cells", [DENSE_MIX_CELLS, 0])
def test_chunks_in_any_order_and_of_any_size_make_the_same_vectors(
    monkeypatch: pytest.MonkeyPatch, dense_cells: int
) -> None:
    # Mixed as a matrix product, or summed entry by entry (past DENSE_MIX_CELLS): q is b's and
    # a's, so the entries of one chunk are of several classes, out of class order.
    monkeypatch.setattr(prompts, "DENSE_MIX_CELLS", dense_cells)
    plan = plan_prompts(parse_classes("a: p; q; r\nb: q; s\nc\n"), Templates("x", ("{} t",)))
    assert plan.texts == ("p", "q", "r", "s", "c t")
    rng = np.random.default_rng(5)
    embeddings = rng.normal(size=(5, 4)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    mean_a = embeddings[[0, 1, 2]].astype(np.float64).mean(axis=0)
    mean_b = embeddings[[1, 3]].astype(np.float64).mean(axis=0)
    expected = np.array(
        [mean_a / np.linalg.norm(mean_a), mean_b / np.linalg.norm(mean_b), embeddings[4]]
    )
    mix = ClassMix(plan)
    for rows in (np.array([3, 1]), np.array([4]), np.array([2, 0])):
        mix.add(rows, embeddings[rows])
    np.testing.assert_allclose(mix.vectors(), expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("dense_cells", [DENSE_MIX_CELLS, 0])
def test_attribute_rows_sharing_prompts_mix_alike_dense_or_not(
    monkeypatch: pytest.MonkeyPatch, dense_cells: int
) -> None:
    monkeypatch.setattr(prompts, "DENSE_MIX_CELLS", dense_cells)
    plan = plan_prompts(
        parse_attributes("class,a,b,c\nx,1,1,2\ny,0,3,-1\nz,4,0,0\n"), Templates("x", ())
    )
    embeddings = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype=np.float32)
    expected = [[0.5, 0.5], [-0.125, 0.625], [1.0, 0.0]]  # x: a/4 + b/4 + c/2
    np.testing.assert_allclose(plan.class_vectors(embeddings), expected, rtol=0, atol=1e-7)


def test_attribute_rows_whose_differences_round_to_zero_in_float32_are_alike() -> None:
    # The mix is float32: x's -1e-300 and y's 1e-300 are -0.0 and 0.0 there, the same class
    # vector, and the two classes must be found alike for it.
    plan = plan_prompts(
        parse_attributes("class,red,round\nx,1,-1e-300\ny,1,1e-300\n"), Templates("x", ())
    )
    text = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    vectors = plan.class_vectors(text)
    assert vectors[0].tobytes() == vectors[1].tobytes()
    assert plan.identical_classes(np.arange(2)) == [[0, 1]]


def test_weights_of_texts_read_alike_are_added_exactly_whatever_their_order() -> None:
    # x and y weigh one text (three spellings the model reads alike) 7 + 2/3 + 1e-7 in all, in
    # opposite orders: added in float32 one at a time, the orders round apart (0.99999994 and
    # 1.0 once normalised); added exactly and rounded once, they are the same class.
    plan = plan_prompts(
        parse_attributes(
            "class,red,Red,RED\nx,7,0.6666666666666666,1e-07\ny,1e-07,0.6666666666666666,7\n"
        ),
        Templates("x", ()),
    )
    assert plan.identical_classes(np.zeros(3, dtype=np.int64)) == [[0, 1]]
    assert plan.identical_classes(np.arange(3)) == []
