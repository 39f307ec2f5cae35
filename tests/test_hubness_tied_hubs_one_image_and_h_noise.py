"""Hub lists of many hubs tied on their N_k, centering over a folder of one image, and the noise
of H that the advice weighs a gain against, each held against what the definitions give by hand."""

from __future__ import annotations

import numpy as np
import pytest

from zsl_cli import hubness


def _tied_hubs() -> np.ndarray:
    # 100 classes; 30 of them (every third) are hubs: 15 with N_k 12, 15 with N_k 10.
    counts = np.zeros(100, dtype=np.int64)
    hubs = np.arange(0, 90, 3)
    counts[hubs] = 10
    counts[hubs[::2]] = 12
    return counts


def test_tied_hubs_are_listed_by_class_index_however_many_there_are():
    # N = 30, k = 10, C = 100: threshold 2 * 30 * 10 / 100 = 6, so the 30 non-zero classes are
    # hubs. Past 16 equal keys an unstable sort no longer keeps their index order.
    counts = _tied_hubs()
    stats = hubness.hubness_stats(counts, 10, 30, top=30)
    assert stats.n_hubs == 30
    largest = [(c, 12) for c in range(0, 90, 6)]
    next_largest = [(c, 10) for c in range(3, 90, 6)]
    assert stats.top_hubs == largest + next_largest


def test_the_five_largest_of_many_tied_hubs_are_the_lowest_indexed():
    stats = hubness.hubness_stats(_tied_hubs(), 10, 30)
    assert stats.top_hubs == [(0, 12), (6, 12), (12, 12), (18, 12), (24, 12)]


def test_centering_over_one_image_makes_all_its_classes_tie():
    # The class mean over a folder of one image is that image's own cosine, so every class's
    # centred score is the image's mean cosine.
    sims = np.array([[0.1, 0.4, 0.25, -0.05]], dtype=np.float32)
    (scores,) = list(hubness.reduced_chunks(sims, "centering"))
    np.testing.assert_allclose(scores, np.full((1, 4), sims.mean()), atol=1e-7)


def test_centering_subtracts_each_class_mean_over_the_images():
    # Two images: class means (0.2, 0.3, 0.1), mean offset 0.2, so offsets (0, 0.1, -0.1).
    sims = np.array([[0.3, 0.5, 0.0], [0.1, 0.1, 0.2]], dtype=np.float32)
    (scores,) = list(hubness.reduced_chunks(sims, "centering"))
    expected = np.array([[0.3, 0.4, 0.1], [0.1, 0.0, 0.3]])
    np.testing.assert_allclose(scores, expected, atol=1e-6)


def test_the_noise_of_h_keeps_each_accuracy_at_most_one():
    # Seen class 0: 10 truth images, 5 right (0.5), a share of 1/10 each; unseen class 1: its
    # one truth image right (1.0), already at the top. Two images turned right can only raise
    # the seen accuracy: to 0.7 at most, H(0.7, 1) = 14/17, against H(0.5, 1) = 2/3.
    labels = np.array([0] * 10 + [1])
    right = np.array([True] * 5 + [False] * 5 + [True])
    unseen_mask = np.array([False, True])
    accuracy = {
        "mean_per_class": 0.75,
        "overall": 6 / 11,
        "seen_mean_per_class": 0.5,
        "unseen_mean_per_class": 1.0,
        "harmonic_mean": 2 / 3,
    }
    entries = {
        "none": hubness.MethodHubness(0.0, 0.0, 0.0, 0.0, 0, (), accuracy),
        "csls": hubness.MethodHubness(0.0, 0.0, 0.0, 0.0, 0, (), accuracy),
    }
    flips = hubness._flips(
        {"none": (labels, right), "csls": (labels, right)}, entries, unseen_mask, 2
    )
    assert flips is not None
    assert flips.noise == pytest.approx(14 / 17 - 2 / 3)
