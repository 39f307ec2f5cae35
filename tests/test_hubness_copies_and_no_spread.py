"""What the hubness module takes for copies of one image, and for rounding noise rather than a
spread, where the values are not those of unit vectors near 0."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests.hubness_helpers import reduce_whole
from zsl_cli import hubness


def test_two_images_each_copied_in_blocks_of_its_own_are_not_copies_of_one(monkeypatch):
    # Every block of rows holds copies of one image, but the blocks hold different images: each
    # row is held against the folder's first image, not its own block's.
    rng = np.random.default_rng(5)
    first, second = (v / np.linalg.norm(v) for v in rng.normal(size=(2, 64)))
    embeddings = np.stack([first, first, second, second]).astype(np.float32)
    monkeypatch.setattr(hubness, "_CHUNK_ELEMENTS", 64 * 2)
    assert not hubness.copies_of_one(embeddings)
    assert hubness.copies_of_one(embeddings[:2]) and hubness.copies_of_one(embeddings[2:])


def test_mutual_proximity_scales_the_rounding_it_ignores_with_similarities_above_one():
    # Class vectors longer than 1 give similarities near 3, where float32 rounds to 2.4e-7 and
    # copies of one image differ by a few such steps (class std up to 2.2e-6, over 8 float32
    # epsilons but under 8 epsilons times the mean): that is rounding, and every copy keeps the
    # image's own best class.
    rng = np.random.default_rng(3)
    row = rng.uniform(2.6, 3.4, size=30).astype(np.float32)
    sims = row + rng.normal(scale=1.5e-6, size=(5, 30)).astype(np.float32)
    spread = sims.std(axis=0)
    eps = float(np.finfo(np.float32).eps)
    assert spread.max() > 8 * eps and spread.max() < 8 * eps * 2.6
    labels = reduce_whole(sims, "mp").argmax(axis=1)
    assert labels.tolist() == [int(row.argmax())] * 5


@pytest.mark.parametrize("offset", [0.0, 2.0])
def test_mutual_proximity_of_copies_ranks_each_row_as_the_image_does(offset):
    # No class varies over copies of one image: each class's percentile is the same typical
    # one, so mutual proximity ranks the classes as the raw similarities do.
    rng = np.random.default_rng(8)
    row = (rng.uniform(-0.2, 0.4, size=12) + offset).astype(np.float32)
    sims = np.tile(row, (4, 1))
    reduced = reduce_whole(sims, "mp")
    expected = np.argsort(-row.astype(np.float64), kind="stable")
    for scores in reduced:
        np.testing.assert_array_equal(
            np.argsort(-scores.astype(np.float64), kind="stable"), expected
        )


@pytest.mark.parametrize("method", hubness.METHODS)
def test_an_empty_folder_is_reduced_without_fitting_statistics_of_no_images(method):
    # Means over no images are 0 / 0: fitting them would warn on stderr for nothing.
    sims = np.empty((0, 5), dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(hubness.reduced_chunks(sims, method)) == []
