"""`scoring.similarities` gives images with equal embeddings equal rows, to the bit, whatever
their places in the matrix: a BLAS product rounds rows at the edges of its tiles otherwise than
rows inside them, and copies of one file in a batch then got scores a float step apart (and,
under a near-tie of two classes, another label)."""

from __future__ import annotations

import numpy as np
import pytest

from zsl_cli.scoring import similarities


def _unit_rows(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    rows = rng.standard_normal((n, d)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize("d", [8, 32, 64, 512])
def test_copies_of_one_image_at_every_place_get_equal_rows(d):
    rng = np.random.default_rng(d)
    for n in range(2, 20):
        for c in (3, 10, 50):
            classes = _unit_rows(rng, c, d)
            images = np.repeat(_unit_rows(rng, 1, d), n, axis=0)
            sims = similarities(images, classes)
            assert sims.dtype == np.float32
            assert (sims == sims[0]).all(), (n, c)


def test_copies_among_other_images_match_their_first_and_leave_the_others_alone():
    rng = np.random.default_rng(7)
    classes = _unit_rows(rng, 10, 64)
    images = _unit_rows(rng, 12, 64)
    copies = [0, 3, 7, 11]
    images[copies] = images[5]
    sims = similarities(images, classes)
    for row in copies:
        assert np.array_equal(sims[row], sims[5])
    others = [row for row in range(12) if row not in (*copies, 5)]
    # The other rows are the plain product's, within float32 rounding.
    expected = images[others].astype(np.float64) @ classes.T.astype(np.float64)
    np.testing.assert_allclose(sims[others], expected, atol=1e-6)
