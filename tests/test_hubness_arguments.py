"""The hubness module's functions refuse what they cannot measure (no images, no classes, NaN
embeddings, truth or masks of the wrong shape) with the reason, and a truth that knows no
image's class gives no accuracy rather than 0%."""

from __future__ import annotations

import numpy as np
import pytest

from zsl_cli import hubness
from zsl_cli.errors import ZslError

NAMES = ["a", "b", "c", "d"]


def _sims(n: int = 6) -> np.ndarray:
    return np.random.default_rng(0).random((n, len(NAMES)), dtype=np.float32)


@pytest.mark.parametrize(
    ("counts", "n_queries", "message"),
    [
        (np.array([1.0, 2.0]), 3, "n_k must be a non-empty 1-D integer array"),
        (np.array([], dtype=np.int64), 3, "n_k must be a non-empty 1-D integer array"),
        (np.array([[1, 2]]), 3, "n_k must be a non-empty 1-D integer array"),
        (np.array([1, -1]), 3, "n_k must not contain negative counts"),
    ],
)
def test_hubness_stats_refuses_counts_that_are_none(counts, n_queries, message):
    with pytest.raises(ValueError, match=message):
        hubness.hubness_stats(counts, 1, n_queries)


def test_hubness_stats_of_no_image_is_a_user_error():
    with pytest.raises(ZslError, match="no images to measure hubness on"):
        hubness.hubness_stats(np.array([0, 0]), 1, 0)


def test_compare_of_no_image_is_a_user_error():
    with pytest.raises(ZslError, match="no images to measure hubness on"):
        hubness.compare(np.zeros((0, 4), np.float32), NAMES)


@pytest.mark.parametrize("lazy", [False, True])
def test_no_class_to_score_is_a_user_error(lazy):
    images = np.ones((3, 2), np.float32)
    classes = np.zeros((0, 2), np.float32)
    sims = hubness.LazySimilarities(images, classes) if lazy else np.zeros((3, 0), np.float32)
    with pytest.raises(ZslError, match="no classes to score: the class file defines none"):
        hubness.compare(sims, [])


def test_lazy_similarities_refuse_nan_image_embeddings_naming_the_image():
    images = np.eye(3, dtype=np.float32)
    images[2, 0] = np.nan
    sims = hubness.LazySimilarities(images, np.eye(4, 3, dtype=np.float32))
    with pytest.raises(ZslError, match="similarity of image 2 is NaN or infinite"):
        hubness.compare(sims, NAMES)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"truth": np.zeros(5, np.int64)}, r"truth must be an integer array of shape \(6,\)"),
        ({"truth": np.zeros(6)}, r"truth must be an integer array of shape \(6,\)"),
        ({"truth": np.full(6, 4)}, r"truth values must be class indices in \[0, 4\) or -1"),
        ({"truth": np.full(6, -2)}, r"truth values must be class indices in \[0, 4\) or -1"),
        (
            {"truth": np.zeros(6, np.int64), "unseen_mask": np.zeros(3, bool)},
            r"unseen_mask must be a bool array of shape \(4,\)",
        ),
        (
            {"truth": np.zeros(6, np.int64), "unseen_mask": np.zeros(4, np.int64)},
            r"unseen_mask must be a bool array of shape \(4,\)",
        ),
        ({"chunk_rows": 0}, "chunk_rows must be at least 1, got 0"),
    ],
)
def test_compare_refuses_arguments_of_the_wrong_shape(options, message):
    with pytest.raises(ValueError, match=message):
        hubness.compare(_sims(), NAMES, **options)


def test_a_truth_that_knows_no_image_gives_no_accuracy():
    result = hubness.compare(_sims(), NAMES, truth=np.full(6, -1), methods=("none", "csls"))
    assert [method.accuracy for method in result.methods.values()] == [None, None]
    known = hubness.compare(_sims(), NAMES, truth=np.zeros(6, np.int64), methods=("none",))
    assert known.methods["none"].accuracy is not None
