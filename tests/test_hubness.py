"""Hubness statistics and reductions, checked against scipy and naive textbook implementations."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from scipy import special, stats

from tests.hubness_helpers import k_occurrence, reduce_whole
from zsl_cli import hubness, scoring
from zsl_cli.errors import ZslError


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def _random_sims(n_images: int, n_classes: int, seed: int, dim: int = 16) -> np.ndarray:
    """Cosines of random unit images with random class vectors, some slightly non-unit."""
    rng = np.random.default_rng(seed)
    images = _unit(rng.normal(size=(n_images, dim)))
    classes = _unit(rng.normal(size=(n_classes, dim))) * rng.uniform(0.95, 1.05, (n_classes, 1))
    return (images @ classes.T).astype(np.float32)


def _planted_hub(
    seed: int = 0, n_images: int = 2000, n_classes: int = 50, antihub: bool = False
) -> np.ndarray:
    """Images are random unit vectors in 64-d sharing one direction m (like CLIP's modality gap).

    Ordinary classes are random unit vectors orthogonal to m, so no class is favoured; the last
    class is pulled toward m, so its cosines to all images are shifted up with the same spread.
    With `antihub`, class 0 is pushed away from m and falls out of every image's top classes.
    """
    rng = np.random.default_rng(seed)
    dim = 64
    shared = _unit(rng.normal(size=dim))
    images = _unit(0.5 * shared + _unit(rng.normal(size=(n_images, dim))))
    classes = rng.normal(size=(n_classes, dim))
    classes -= np.outer(classes @ shared, shared)
    classes = _unit(classes)
    classes[-1] = _unit(classes[-1] + 0.2 * shared)
    if antihub:
        classes[0] = _unit(classes[0] - 2.0 * shared)
    return (images @ classes.T).astype(np.float32)


def _descending_ranks(scores: np.ndarray) -> np.ndarray:
    return np.argsort(-np.asarray(scores, dtype=np.float64), axis=1, kind="stable")


# --- k-occurrence and statistics ---------------------------------------------------------------


def test_k_occurrence_by_hand():
    sims = np.array(
        [
            [0.9, 0.1, 0.5, 0.0],
            [0.8, 0.7, 0.0, 0.1],
            [0.6, 0.0, 0.1, 0.3],
        ],
        dtype=np.float32,
    )
    np.testing.assert_array_equal(k_occurrence(sims, 1), [3, 0, 0, 0])
    np.testing.assert_array_equal(k_occurrence(sims, 2), [3, 1, 1, 1])
    np.testing.assert_array_equal(k_occurrence(sims, 4), [3, 3, 3, 3])


@pytest.mark.parametrize("k", [1, 3, 10])
def test_k_occurrence_matches_a_loop_counts_zeros_and_sums_to_n_times_k(k):
    sims = _planted_hub(n_images=300, n_classes=40, antihub=True)
    expected = np.zeros(sims.shape[1], dtype=np.int64)
    for row in sims:
        for c in np.argsort(-row)[:k]:
            expected[c] += 1
    counts = k_occurrence(sims, k)
    np.testing.assert_array_equal(counts, expected)
    assert counts.shape == (40,)
    assert counts.sum() == 300 * k
    assert counts[0] == 0  # the antihub is counted, with N_k = 0


@pytest.mark.parametrize("k", [1, 2, 3])
def test_k_occurrence_breaks_ties_as_labelling_does(k):
    # Classes the model cannot tell apart score alike: the lower class index is the one ranked
    # (as top-1 labels are), so the hubs named are the classes the labels go to.
    rng = np.random.default_rng(0)
    sims = rng.normal(size=(50, 6)).astype(np.float32)
    top = sims.max(axis=1) + 1
    sims[:, 1] = sims[:, 2] = sims[:, 4] = sims[:, 5] = top  # a four-way tie at the top
    counts = k_occurrence(sims, k)
    np.testing.assert_array_equal(counts[[1, 2, 4, 5]], [50, 50 * (k >= 2), 50 * (k >= 3), 0])
    assert counts.sum() == 50 * k
    labels = scoring.top_k(sims, k)[0]
    np.testing.assert_array_equal(np.bincount(labels.ravel(), minlength=6), counts)


def test_skewness_with_a_planted_hub_matches_scipy_over_all_classes():
    sims = _planted_hub(antihub=True)
    counts = k_occurrence(sims, 10)
    result = hubness.hubness_stats(counts, 10, sims.shape[0])
    assert result.skewness == pytest.approx(stats.skew(counts), rel=1e-12)
    assert result.skewness > 1.5
    assert result.top_hubs == [(sims.shape[1] - 1, int(counts[-1]))]

    # Leaving the antihub's zero out would change the answer: it must be included.
    assert counts[0] == 0 and result.antihub_rate == pytest.approx(1 / sims.shape[1])
    assert result.skewness != pytest.approx(stats.skew(counts[counts > 0]), rel=1e-3)


def test_equal_counts_give_zero_skewness_and_no_hubs():
    # Each image's top-2 classes are itself and the next one, so every class is hit twice.
    n = 7
    sims = np.eye(n, dtype=np.float32) + 0.5 * np.roll(np.eye(n, dtype=np.float32), 1, axis=1)
    counts = k_occurrence(sims, 2)
    np.testing.assert_array_equal(counts, np.full(n, 2))
    result = hubness.hubness_stats(counts, 2, n)
    assert result.skewness == 0.0
    assert (result.n_hubs, result.hub_occupancy, result.antihub_rate) == (0, 0.0, 0.0)
    assert result.robin_hood == 0.0
    assert result.top_hubs == []


def test_stats_by_hand_on_tiny_counts():
    # N = 4 images, k = 2, C = 4 classes: mean N_k = 2, hub threshold 2 * 4 * 2 / 4 = 4.
    result = hubness.hubness_stats(np.array([6, 0, 1, 1]), k=2, n_queries=4)
    assert result.hub_threshold == 4.0
    assert result.n_hubs == 1
    assert result.hub_occupancy == pytest.approx(6 / 8)
    assert result.antihub_rate == pytest.approx(1 / 4)
    assert result.robin_hood == pytest.approx(0.5 * (4 + 2 + 1 + 1) / 8)
    assert result.top_hubs == [(0, 6)]
    assert result.skewness == pytest.approx(stats.skew([6, 0, 1, 1]))
    assert (result.k, result.n_queries, result.n_targets) == (2, 4, 4)


def test_top_hubs_largest_first_ties_by_index_and_limited():
    # N = 6, k = 2, C = 5: threshold 2 * 6 * 2 / 5 = 4.8, so only the counts of 5 are hubs.
    counts = np.array([1, 5, 0, 5, 1])
    assert hubness.hubness_stats(counts, 2, 6).top_hubs == [(1, 5), (3, 5)]
    assert hubness.hubness_stats(counts, 2, 6, top=1).top_hubs == [(1, 5)]
    assert hubness.hubness_stats(counts, 2, 6, hub_size=1.0).top_hubs == [(1, 5), (3, 5)]


def test_a_class_exactly_at_the_hub_threshold_is_a_hub():
    # N = 4, k = 2, C = 4: threshold 2 * 4 * 2 / 4 = 4, which class 0 reaches exactly.
    result = hubness.hubness_stats(np.array([4, 2, 1, 1]), k=2, n_queries=4)
    assert (result.n_hubs, result.top_hubs) == (1, [(0, 4)])
    assert result.hub_occupancy == pytest.approx(4 / 8)


@pytest.mark.parametrize("k", [0, -1])
def test_a_k_below_one_is_refused_naming_hubness_s_option(k):
    # As HubnessRequest(k=0) is: k is hubness's -k/--neighbours (README: "Error messages name
    # CLI options"), not "k must be at least 1".
    message = f"^--neighbours {k}: give a whole number, 1 or more$"
    with pytest.raises(ZslError, match=message):
        hubness.hubness_stats(np.array([4, 2, 1, 1]), k=k, n_queries=4)
    sims = np.eye(3, dtype=np.float32)
    with pytest.raises(ZslError, match=message):
        hubness.compare(sims, ["cat", "dog", "owl"], k=k)


def test_top_hubs_put_the_largest_first_whatever_their_index():
    # N = 6, k = 2, C = 4, hub_size 1: threshold 3, so classes 0 (5) and 1 (6) are hubs.
    result = hubness.hubness_stats(np.array([5, 6, 0, 1]), 2, 6, hub_size=1.0)
    assert result.top_hubs == [(1, 6), (0, 5)]


# --- reductions against naive implementations ---------------------------------------------------


def _naive_csls(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = sims.astype(np.float64)
    n, c = s.shape
    r_img = np.array([np.mean(sorted(s[i], reverse=True)[: min(k, c)]) for i in range(n)])
    r_cls = np.array([np.mean(sorted(s[:, j], reverse=True)[: min(k, n)]) for j in range(c)])
    csls = np.empty_like(s)
    for i in range(n):
        for j in range(c):
            csls[i, j] = 2 * s[i, j] - r_img[i] - r_cls[j]
    return csls, r_img, r_cls


@pytest.mark.parametrize(("seed", "k"), [(0, 5), (1, 10), (2, 100)])
def test_csls_matches_the_textbook_formula(seed, k):
    sims = _random_sims(30, 12, seed)
    csls, r_img, r_cls = _naive_csls(sims, k)
    reduced = reduce_whole(sims, "csls", k=k)
    assert reduced.dtype == np.float32 and reduced.shape == sims.shape
    np.testing.assert_array_equal(_descending_ranks(reduced), _descending_ranks(csls))
    # The documented cosine-scale form: (CSLS + r_img + mean r_cls) / 2.
    expected = (csls + r_img[:, None] + r_cls.mean()) / 2
    np.testing.assert_allclose(reduced, expected, atol=1e-5)


@pytest.mark.parametrize(("seed", "beta"), [(3, 20.0), (4, 5.0), (5, 30.0)])
def test_inverted_softmax_matches_the_textbook_formula(seed, beta):
    sims = _random_sims(25, 9, seed).astype(np.float64)
    weights = np.exp(beta * sims)
    unnormalised = weights / weights.sum(axis=0, keepdims=True)  # normalise over images first
    probabilities = unnormalised / unnormalised.sum(axis=1, keepdims=True)
    reduced = reduce_whole(sims.astype(np.float32), "isoftmax", temperature=beta)
    np.testing.assert_array_equal(_descending_ranks(reduced), _descending_ranks(probabilities))
    # Cosine-scale form: log of the unnormalised P / b, shifted back by the mean class offset.
    class_offsets = np.log(weights.sum(axis=0)) / beta
    expected = np.log(unnormalised) / beta + class_offsets.mean()
    np.testing.assert_allclose(reduced, expected, atol=1e-5)


def test_centering_matches_the_textbook_formula():
    sims = _random_sims(40, 11, seed=6).astype(np.float64)
    class_means = np.array([np.mean(sims[:, j]) for j in range(sims.shape[1])])
    centred = sims - class_means
    reduced = reduce_whole(sims.astype(np.float32), "centering")
    np.testing.assert_array_equal(_descending_ranks(reduced), _descending_ranks(centred))
    np.testing.assert_allclose(reduced, centred + class_means.mean(), atol=1e-5)


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_mutual_proximity_matches_the_textbook_formula(seed):
    sims = _random_sims(35, 10, seed).astype(np.float64)
    distances = 1.0 - sims
    n, c = sims.shape
    mp = np.empty_like(sims)
    for i in range(n):
        for j in range(c):
            # P(D_i > d) * P(D_c > d), each from a normal fitted to that point's distances.
            from_image = stats.norm.sf(distances[i, j], distances[i].mean(), distances[i].std())
            from_class = stats.norm.sf(
                distances[i, j], distances[:, j].mean(), distances[:, j].std()
            )
            mp[i, j] = from_image * from_class
    reduced = reduce_whole(sims.astype(np.float32), "mp")
    np.testing.assert_array_equal(_descending_ranks(reduced), _descending_ranks(mp))
    row_mean = sims.mean(axis=1, keepdims=True)
    row_std = sims.std(axis=1, keepdims=True)
    expected = row_mean + row_std * stats.norm.ppf(np.sqrt(mp))
    np.testing.assert_allclose(reduced, expected, atol=1e-5)


def test_mutual_proximity_takes_rounding_noise_for_no_spread():
    # Copies of one image embed alike up to float32 rounding (~1e-8): standardising each class
    # by that "spread" would turn noise into z-scores and give the copies different labels.
    rng = np.random.default_rng(3)
    row = rng.uniform(-0.2, 0.4, size=30).astype(np.float32)
    sims = row + rng.normal(scale=3e-8, size=(5, 30)).astype(np.float32)
    labels = reduce_whole(sims, "mp").argmax(axis=1)
    assert labels.tolist() == [int(row.argmax())] * 5


def test_copies_of_one_image_are_told_from_images_that_differ():
    rng = np.random.default_rng(4)
    image = rng.normal(size=512)
    image /= np.linalg.norm(image)
    # Copies encoded at other places in a batch differ in their last bits (~1e-8 a value).
    copies = (image + rng.normal(scale=1e-8, size=(3000, 512))).astype(np.float32)
    assert hubness.copies_of_one(copies)
    assert hubness.copies_of_one(copies[:1])
    assert not hubness.copies_of_one(copies[:0])
    # One image that differs anywhere, even in the last block of rows, is another image.
    for row in (1, 2999):
        differs = copies.copy()
        differs[row, 7] += 1e-4
        assert not hubness.copies_of_one(differs)
    with pytest.MonkeyPatch.context() as patch:  # as the blocks of a run of many images are
        patch.setattr(hubness, "_CHUNK_ELEMENTS", 512 * 100)
        assert hubness.copies_of_one(copies) and not hubness.copies_of_one(differs)


def test_none_returns_the_raw_similarities():
    sims = _random_sims(10, 4, seed=10)
    np.testing.assert_array_equal(reduce_whole(sims, "none"), sims)
    np.testing.assert_array_equal(reduce_whole(sims.astype(np.float64), "none"), sims)


@pytest.mark.parametrize("method", ["csls", "isoftmax", "centering"])
def test_offset_methods_keep_each_images_mean_score(method):
    sims = _random_sims(30, 8, seed=11)
    reduced = reduce_whole(sims, method)
    np.testing.assert_allclose(reduced.mean(axis=1), sims.mean(axis=1), atol=1e-6)


def test_normal_helpers_match_scipy_in_both_tails():
    z = np.linspace(-35, 35, 20001)
    exact = special.log_ndtr(z)
    assert np.max(np.abs(hubness._log_ndtr(z) - exact) / np.abs(exact)) < 2e-7
    log_p = -np.logspace(-250, 2.5, 20001)
    np.testing.assert_allclose(hubness._ndtri_from_log(log_p), special.ndtri_exp(log_p), rtol=2e-9)


def test_mutual_proximity_stays_finite_for_a_pair_extreme_both_ways():
    # One image and one class find each other ~39 sigmas out (at most sqrt(n - 1) among n):
    # both tails of Phi underflow unless z is clipped, and Phi^-1 of 1 is infinite.
    sims = np.zeros((1500, 1500), dtype=np.float32)
    sims[0, 0] = 1.0
    reduced = reduce_whole(sims, "mp")
    assert np.isfinite(reduced).all()
    assert reduced[0].argmax() == 0


def test_mutual_proximity_stays_finite_for_extreme_outliers():
    sims = np.zeros((500, 3), dtype=np.float32)
    sims[0, 0] = 1.0  # a 22-sigma outlier for class 0 over the images
    sims[:, 2] = np.linspace(-0.1, 0.1, 500)
    reduced = reduce_whole(sims, "mp")
    assert np.isfinite(reduced).all()


# --- the planted hub -----------------------------------------------------------------------------


def test_csls_and_centering_lower_the_skewness_of_a_planted_hub():
    sims = _planted_hub()
    hub = sims.shape[1] - 1

    def stats_of(method: str) -> tuple[float, int]:
        counts = k_occurrence(reduce_whole(sims, method), 10)
        return hubness.hubness_stats(counts, 10, sims.shape[0]).skewness, int(counts[hub])

    raw_skewness, raw_hub_count = stats_of("none")
    assert raw_skewness > 5 and raw_hub_count > 800  # a hub: over twice the mean N_k (400)
    csls_skewness, csls_hub_count = stats_of("csls")
    assert csls_skewness < raw_skewness / 2
    assert csls_hub_count < raw_hub_count * 0.75
    centering_skewness, _ = stats_of("centering")
    assert abs(centering_skewness) < 1


# --- chunking, in place, compare() ------------------------------------------------------------


@pytest.mark.parametrize("method", hubness.METHODS)
def test_chunked_equals_unchunked(method):
    sims = _random_sims(103, 9, seed=12)
    whole = reduce_whole(sims, method, k=20)
    chunked = reduce_whole(sims, method, k=20, chunk_rows=7)
    np.testing.assert_allclose(chunked, whole, atol=1e-6)
    np.testing.assert_array_equal(_descending_ranks(chunked), _descending_ranks(whole))
    np.testing.assert_array_equal(k_occurrence(whole, 3), k_occurrence(whole, 3, chunk_rows=7))


@pytest.mark.parametrize("method", hubness.METHODS)
def test_reductions_depend_on_the_set_of_images_not_their_order(method):
    # The folder is the query bank: an image's scores must not change when the same images are
    # listed in another order (as a shuffled path list gives them) or come in other blocks.
    sims = _random_sims(103, 9, seed=21)
    order = np.random.default_rng(21).permutation(103)
    whole = reduce_whole(sims, method, k=5)
    shuffled = reduce_whole(sims[order], method, k=5, chunk_rows=4)
    np.testing.assert_allclose(shuffled, whole[order], atol=1e-6)
    np.testing.assert_array_equal(_descending_ranks(shuffled), _descending_ranks(whole[order]))


def test_compare_layout_and_accuracy_by_hand():
    # 5 images, 3 classes; raw top-1 predictions are [0, 0, 0, 1, 2].
    sims = np.array(
        [
            [0.9, 0.1, 0.0],
            [0.8, 0.7, 0.0],
            [0.7, 0.1, 0.6],
            [0.2, 0.9, 0.1],
            [0.1, 0.2, 0.8],
        ],
        dtype=np.float32,
    )
    truth = np.array([0, 1, 2, 1, -1])
    unseen = np.array([False, False, True])
    result = hubness.compare(
        sims,
        ["cat", "dog", "owl"],
        k=1,
        truth=truth,
        unseen_mask=unseen,
        methods=("none",),
        hub_size=1.5,
    )
    # The records hold plain values: the `--json` document's entries are JSON as they are.
    for measured in result.methods.values():
        assert json.loads(json.dumps(measured.to_json())) == measured.to_json()
    assert (result.k, result.n_images, result.n_classes) == (1, 5, 3)
    assert list(result.methods) == ["none"]
    entry = result.methods["none"]
    # N_1 = [3, 1, 1]: threshold 1.5 * 5 * 1 / 3 = 2.5, cat is the one hub.
    assert entry.top_hubs == (hubness.Hub("cat", 3),)
    assert entry.to_json()["top_hubs"] == [{"class": "cat", "n_k": 3}]
    assert entry.n_hubs == 1
    assert entry.hub_occupancy == pytest.approx(3 / 5)
    assert entry.skewness == pytest.approx(stats.skew([3, 1, 1]))
    # Known images: cat 1/1, dog 1/2, owl 0/1 -> per class (1 + 0.5 + 0) / 3; overall 2/4;
    # seen (cat, dog) (1 + 0.5) / 2, unseen (owl) 0, so H = 0.
    assert entry.accuracy == {
        "mean_per_class": pytest.approx(0.5),
        "overall": pytest.approx(0.5),
        "seen_mean_per_class": pytest.approx(0.75),
        "unseen_mean_per_class": pytest.approx(0.0),
        "harmonic_mean": 0.0,
    }
    assert isinstance(result.recommendation, str) and result.recommendation
    # The fifth image's truth is a class outside the list (index 3): never predicted, so it
    # counts as a class at 0%, as evaluate counts it (here an unseen one).
    truth[4] = 3
    with pytest.raises(ValueError, match="truth values must be class indices"):
        hubness.compare(sims, ["cat", "dog", "owl"], k=1, truth=truth)
    outside = hubness.compare(
        sims,
        ["cat", "dog", "owl"],
        k=1,
        truth=truth,
        unseen_mask=np.append(unseen, True),
        unlisted_classes=1,
    )
    assert outside.methods["none"].accuracy == {
        "mean_per_class": pytest.approx(1.5 / 4),
        "overall": pytest.approx(2 / 5),
        "seen_mean_per_class": pytest.approx(0.75),
        "unseen_mean_per_class": pytest.approx(0.0),
        "harmonic_mean": 0.0,
    }
    # Owl's image right: unseen (owl 1/1, the unlisted class 0/1) 0.5, H = 2 (0.75 0.5) / 1.25.
    sims[2] = [0.1, 0.1, 0.9]
    outside = hubness.compare(
        sims,
        ["cat", "dog", "owl"],
        k=1,
        truth=truth,
        unseen_mask=np.append(unseen, True),
        unlisted_classes=1,
        methods=("none",),
    )
    accuracy = outside.methods["none"].accuracy
    assert accuracy["unseen_mean_per_class"] == pytest.approx(0.5)
    assert accuracy["harmonic_mean"] == pytest.approx(0.6)
    assert outside.recommendation.startswith(
        "Harmonic mean of seen and unseen accuracy (H) 60.0% without reduction;"
    )


def test_compare_counts_failed_images_as_wrong():
    # Three readable images, all right; a failed image of class 1 and one of unknown class.
    # Per class: 0 -> 2/2, 1 -> 1/2; overall 3 right of 4 with a known class.
    sims = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]], dtype=np.float32)
    result = hubness.compare(
        sims,
        ["a", "b"],
        k=1,
        truth=np.array([0, 1, 0]),
        failed_truth=np.array([1, -1]),
        methods=("none",),
    )
    assert result.methods["none"].accuracy == {
        "mean_per_class": pytest.approx(0.75),
        "overall": pytest.approx(0.75),
    }


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_compare_matches_sklearn_balanced_accuracy_and_clips_k():
    from sklearn.metrics import balanced_accuracy_score

    sims = _planted_hub(n_images=400, n_classes=6)
    truth = sims[:, :-1].argmax(axis=1)  # every image truly belongs to an ordinary class
    result = hubness.compare(sims, [f"c{i}" for i in range(6)], k=50, truth=truth)
    assert result.k == 5
    assert list(result.methods) == list(hubness.METHODS)
    for method, entry in result.methods.items():
        top1 = reduce_whole(sims, method).argmax(axis=1)
        expected = balanced_accuracy_score(truth, top1)
        assert entry.accuracy["mean_per_class"] == pytest.approx(expected)
        assert "unseen_mean_per_class" not in entry.accuracy


def test_compare_chunked_equals_unchunked():
    sims = _planted_hub(n_images=250, n_classes=20)
    names = [f"c{i}" for i in range(20)]
    truth = np.where(np.arange(250) % 5 == 0, -1, sims[:, :-1].argmax(axis=1))
    whole = hubness.compare(sims, names, truth=truth)
    chunked = hubness.compare(sims, names, truth=truth, chunk_rows=11)
    assert chunked.recommendation == whole.recommendation
    for method in hubness.METHODS:
        a, b = whole.methods[method], chunked.methods[method]
        assert a.top_hubs == b.top_hubs and a.n_hubs == b.n_hubs
        assert a.skewness == pytest.approx(b.skewness, abs=1e-9)
        assert a.accuracy == pytest.approx(b.accuracy)


def test_recommendations():
    sims = _planted_hub(n_images=600, n_classes=30)
    names = [f"c{i}" for i in range(30)]
    by_hubness = hubness.compare(sims, names)
    assert by_hubness.recommendation.startswith("Try --hubness-reduction centering")
    # The method advised, for a caller to pass on (LabelRequest's hubness_reduction).
    assert by_hubness.recommended_method == "centering"
    truth = sims[:, :-1].argmax(axis=1)  # the hub class owns no image
    by_accuracy = hubness.compare(sims, names, truth=truth)
    method = by_accuracy.recommended_method
    assert by_accuracy.recommendation.startswith(f"Try --hubness-reduction {method}:")
    assert "accuracy" in by_accuracy.recommendation and method in hubness.METHODS
    low = hubness.compare(_random_sims(300, 30, seed=14), names, k=10)
    assert low.hub_threshold == 2 * 300 * 10 / 30  # hub_size x images x k / classes
    assert low.largest_hub_k == 15  # 30 classes / hub_size 2
    # k = 10 over 15 classes: a hub would need 2 x 300 x 10 / 15 = 400 of the 300 images.
    few = hubness.compare(_random_sims(300, 15, seed=14), names[:15], k=10)
    assert few.hub_threshold == 400 and few.largest_hub_k == 7
    # The default k over 15 classes is a quarter of them, where a hub needs 2 x 300 x 3 / 15.
    default = hubness.compare(_random_sims(300, 15, seed=14), names[:15])
    assert (default.k, default.k_requested, default.hub_threshold) == (3, None, 120)
    assert [hubness.default_k(c) for c in (2, 7, 8, 39, 40, 1000)] == [1, 1, 2, 9, 10, 10]
    assert "the N_k call for no reduction" in low.recommendation
    assert low.recommended_method == "none"
    unmeasured = hubness.compare(sims, names, methods=("none",))
    assert unmeasured.recommended_method is None  # nothing compared: no advice


def _accurate(mean_per_class: float) -> hubness.MethodHubness:
    """A method's record with the one number the advice ranks it by with a truth."""
    return hubness.MethodHubness(0.0, 0.0, 0.0, 0.0, 0, (), {"mean_per_class": mean_per_class})


def _spread(skewness: float, robin_hood: float, n_hubs: int) -> hubness.MethodHubness:
    """A method's record with the numbers the advice reads of its N_k without a truth."""
    return hubness.MethodHubness(skewness, 0.0, 0.0, robin_hood, n_hubs, ())


def test_a_recommendation_never_rounds_an_accuracy_short_of_all_up_to_100_percent():
    entries = {
        "none": _accurate(0.9),
        "csls": _accurate(0.9996),
    }
    assert (
        "accuracy 99.9% vs 90.0% without"
        in hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text
    )
    entries["none"] = _accurate(0.9996)
    assert "(99.9%)" in hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text


def test_a_recommendation_needs_half_a_point_of_accuracy_or_a_lower_skewness():
    # Less than half a point of mean per-class accuracy is noise: no reduction is recommended.
    entries = {
        "none": _accurate(0.8),
        "csls": _accurate(0.804),
    }
    assert hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text.startswith(
        "Keep no reduction"
    )
    entries["csls"] = _accurate(0.806)
    assert hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text.startswith(
        "Try --hubness-reduction csls"
    )
    # Without truth: a reduction is recommended only if it lowers the skewness (its size) and
    # the Robin Hood index.
    entries = {
        "none": _spread(3.0, 0.3, 4),
        "mp": _spread(-3.5, 0.1, 0),
    }
    assert hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text.endswith(
        "no measured reduction lowers both its skewness and its Robin Hood index: keep none."
    )
    entries["mp"] = dataclasses.replace(entries["mp"], skewness=-2.5)
    assert hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text.startswith(
        "Try --hubness-reduction mp"
    )
    entries["mp"] = dataclasses.replace(entries["mp"], robin_hood=0.3)
    assert hubness._recommendation(entries, k=5, n_images=100, n_classes=10).method == "none"


def test_a_recommendation_counts_a_gain_of_exactly_half_a_point():
    # 137 then 138 right of 200: 0.685 + 0.005 rounds to 0.6900000000000001 in floats.
    entries = {
        "none": _accurate(137 / 200),
        "csls": _accurate(138 / 200),
    }
    assert hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text.startswith(
        "Try --hubness-reduction csls"
    )


def test_a_recommendation_picks_the_first_listed_of_equally_accurate_methods():
    # Both 138 of 150 right (the shapes world, seed 5150), summed over classes in other orders.
    entries = {
        "none": _accurate(0.8733333333333333),
        "csls": _accurate(0.9199999999999999),
        "isoftmax": _accurate(0.92),
    }
    assert hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text.startswith(
        "Try --hubness-reduction csls"
    )


def test_keeping_no_reduction_does_not_deny_a_gain_under_half_a_point():
    entries = {
        "none": _accurate(0.8),
        "csls": _accurate(0.804),
    }
    message = hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text
    assert message.startswith("Keep no reduction")
    assert "by half a point" in message


def test_a_recommendation_of_no_reduction_measured_claims_no_comparison():
    # `--methods none`: "no method improves" and "keep none" spoke of methods never measured,
    # and kept none at a skewness of 4.5.
    sims = _planted_hub(n_images=600, n_classes=30)
    names = [f"c{i}" for i in range(30)]
    truth = sims[:, :-1].argmax(axis=1)
    for result in (
        hubness.compare(sims, names, methods=("none",)),
        hubness.compare(sims, names, methods=("none",), truth=truth),
    ):
        assert result.recommendation.endswith(
            "no reduction was measured (--methods all measures every one)."
        )
    assert hubness.compare(sims, names, methods=("none",), truth=truth).recommendation == (
        "Mean per-class accuracy 87.8% without reduction; no reduction was measured "
        "(--methods all measures every one)."
    )


def test_a_recommendation_by_skewness_names_it_as_the_raw_similarities():
    # `--methods csls` leaves "none" out of the table: the skewness quoted is not one shown.
    names = [f"c{i}" for i in range(30)]
    low = hubness.compare(_random_sims(300, 30, seed=14), names, methods=("csls",))
    assert low.recommendation.startswith("Hubness is low without reduction (N_k skewness ")
    entries = {
        "none": _spread(3.0, 0.3, 4),
        "mp": _spread(-3.5, 0.1, 0),
    }
    assert hubness._recommendation(entries, k=5, n_images=100, n_classes=10).text == (
        "Hubness is high without reduction (N_k skewness 3.00 at k=5) but no measured reduction "
        "lowers both its skewness and its Robin Hood index: keep none."
    )


def test_unseen_accuracy_is_left_out_when_no_unseen_class_has_an_image():
    sims = _random_sims(6, 3, seed=16)
    truth = np.array([0, 1, 0, 1, 0, 1])  # class 2, the unseen one, has no image
    result = hubness.compare(
        sims, ["a", "b", "c"], truth=truth, unseen_mask=np.array([False, False, True])
    )
    for entry in result.methods.values():
        assert set(entry.accuracy) == {"mean_per_class", "overall", "seen_mean_per_class"}
    assert "mean per-class accuracy" in result.recommendation


def test_compare_reports_only_the_requested_methods():
    sims = _planted_hub(n_images=300, n_classes=20)
    result = hubness.compare(sims, [f"c{i}" for i in range(20)], methods=("mp", "mp"))
    assert list(result.methods) == ["mp"]
    assert result.recommendation.startswith("Try --hubness-reduction mp")
    # csls lowers the skewness here (3.57 -> 2.31) but leaves the N_k no more even (Robin Hood
    # index 0.038 both), and is less accurate than no reduction: it is not advised.
    result = hubness.compare(sims, [f"c{i}" for i in range(20)], methods=("csls",))
    assert result.recommended_method == "none"
    truth = sims[:, :-1].argmax(axis=1)
    entries = hubness.compare(sims, [f"c{i}" for i in range(20)], truth=truth).methods
    accuracy = {m: entry.accuracy["mean_per_class"] for m, entry in entries.items()}
    assert accuracy["csls"] < accuracy["none"]


@pytest.mark.parametrize("method", hubness.METHODS)
def test_reductions_accept_an_empty_folder(method):
    assert reduce_whole(np.zeros((0, 3), dtype=np.float32), method).shape == (0, 3)


def test_method_help_covers_every_method():
    from zsl_cli.cli import HUBNESS_METHOD_HELP

    assert set(HUBNESS_METHOD_HELP) == set(hubness.METHODS)
    assert f"K = {hubness.DEFAULT_K} most similar" in HUBNESS_METHOD_HELP["csls"]


# --- user errors ----------------------------------------------------------------------------------


def test_user_errors_are_zsl_errors():
    sims = _random_sims(5, 3, seed=15)
    with pytest.raises(ZslError, match="--methods 'foo': choose from none, csls"):
        reduce_whole(sims, "foo")
    with pytest.raises(ZslError, match="CSLS neighbourhood k must be at least 1"):
        reduce_whole(sims, "csls", k=0)
    for temperature in (0, float("inf")):
        with pytest.raises(ZslError, match="temperature must be a positive finite number"):
            reduce_whole(sims, "isoftmax", temperature=temperature)
    with pytest.raises(ZslError, match="no images"):
        hubness.compare(sims[:0], ["a", "b", "c"])
    with pytest.raises(ZslError, match="needs 2 or more classes; there is 1"):
        hubness.compare(sims[:, :1], ["a"])
    bad = sims.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ZslError, match="image 3 is NaN"):
        reduce_whole(bad, "csls")


@pytest.mark.parametrize("method", hubness.METHODS)
def test_lazy_similarities_reduce_as_the_matrix_does(method):
    rng = np.random.default_rng(5)
    images = _unit(rng.normal(size=(300, 16))).astype(np.float32)
    classes = _unit(rng.normal(size=(40, 16))).astype(np.float32)
    sims = images @ classes.T
    lazy = hubness.LazySimilarities(images, classes)
    chunks = list(hubness.reduced_chunks(lazy, method, chunk_rows=64))
    assert max(len(chunk) for chunk in chunks) == 64
    np.testing.assert_allclose(np.concatenate(chunks), reduce_whole(sims, method), atol=1e-5)
    dense = hubness.compare(sims, [str(c) for c in range(40)], methods=(method,))
    assert hubness.compare(lazy, [str(c) for c in range(40)], methods=(method,)) == dense


def test_lazy_similarities_refuse_invalid_embeddings():
    images = np.ones((3, 4), dtype=np.float32) / 2
    images[1, 2] = np.nan
    with pytest.raises(ZslError, match="image 1 is NaN"):
        list(hubness.reduced_chunks(hubness.LazySimilarities(images, np.eye(4)), "csls"))
    classes = np.eye(4)
    classes[2, 0] = np.inf
    with pytest.raises(ZslError, match="class prompt's embedding is NaN or infinite"):
        list(hubness.reduced_chunks(hubness.LazySimilarities(images[:1], classes), "csls"))


def test_similarity_matrix_is_kept_only_when_small(monkeypatch):
    images, classes = np.eye(4, dtype=np.float32), np.eye(4, dtype=np.float32)[:3]
    assert isinstance(hubness.similarity_matrix(images, classes), np.ndarray)
    monkeypatch.setattr(hubness, "DENSE_SIMILARITY_CELLS", 11)
    lazy = hubness.similarity_matrix(images, classes)
    assert isinstance(lazy, hubness.LazySimilarities) and lazy.shape == (4, 3)
    np.testing.assert_array_equal(lazy[1:3], (images @ classes.T)[1:3])


# --- one pass for every method ------------------------------------------------------------------


def _tied_sims() -> tuple[np.ndarray, np.ndarray]:
    """Images and classes with exact ties: repeated images, repeated classes, coarse vectors."""
    rng = np.random.default_rng(21)
    images = np.round(rng.normal(size=(120, 6))).astype(np.float32)
    images[np.abs(images).sum(axis=1) == 0, 0] = 1
    images[40:60] = images[0]
    classes = np.round(rng.normal(size=(25, 6))).astype(np.float32)
    classes[np.abs(classes).sum(axis=1) == 0, 0] = 1
    classes[10:13] = classes[0]
    return _unit(images).astype(np.float32), _unit(classes).astype(np.float32)


@pytest.mark.parametrize("lazy", [False, True])
def test_compare_in_one_pass_equals_each_method_reduced_on_its_own(monkeypatch, lazy):
    # compare fits all methods in one pass and adjusts each block for all of them; the counts and
    # top-1 labels must be those of reduced_chunks, method by method, ties and lazy blocks included.
    if lazy:
        monkeypatch.setattr(hubness, "DENSE_SIMILARITY_CELLS", 0)
    images, classes = _tied_sims()
    sims = hubness.similarity_matrix(images, classes)
    assert isinstance(sims, hubness.LazySimilarities) == lazy
    dense = images @ classes.T
    names = [f"c{i}" for i in range(25)]
    truth = np.arange(120) % 25
    result = hubness.compare(sims, names, k=3, truth=truth, chunk_rows=17)
    for method in hubness.METHODS:
        reduced = reduce_whole(dense, method)
        counts = k_occurrence(reduced, 3)
        expected = hubness._method_hubness(hubness.hubness_stats(counts, 3, 120), names)
        entry = result.methods[method]
        # The same counts, so the same statistics.
        assert dataclasses.replace(entry, accuracy=None) == expected
        correct = reduced.argmax(axis=1) == truth
        assert entry.accuracy is not None and entry.accuracy["overall"] == pytest.approx(
            correct.mean()
        )


def test_class_statistics_in_one_pass_match_numpy():
    sims = _random_sims(203, 30, seed=22).astype(np.float64)
    stats = hubness._ClassStatistics(30, top_k=7, beta=20.0, mean=True, std=True)
    for rows in hubness._row_chunks(203, 30, 11):
        stats.add(sims[rows])
    np.testing.assert_allclose(stats.mean(), sims.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats.std(), sims.std(axis=0), rtol=1e-12)
    np.testing.assert_allclose(
        stats.top_mean(), np.sort(sims, axis=0)[-7:].mean(axis=0), rtol=1e-12
    )
    np.testing.assert_allclose(
        stats.logsumexp(), special.logsumexp(20.0 * sims, axis=0), rtol=1e-12
    )


def test_reduced_chunks_of_lazy_similarities_are_arrays_for_every_method():
    # Lazily computed similarities are no array: each block is computed into one, "none" too.
    images = np.eye(3, dtype=np.float32)
    lazy = hubness.LazySimilarities(images, images)
    for method in hubness.METHODS:
        chunks = list(hubness.reduced_chunks(lazy, method, chunk_rows=2))
        assert all(isinstance(chunk, np.ndarray) for chunk in chunks)
        assert [chunk.shape for chunk in chunks] == [(2, 3), (1, 3)]
    np.testing.assert_array_equal(reduce_whole(lazy, "none"), np.eye(3, dtype=np.float32))


def test_too_few_images_for_their_classes_are_not_judged_by_skewness():
    # 8 images x k=3 = 24 occurrences for 30 classes: 6 or more classes get none whatever the
    # similarities, and the skewness is high by chance; the advice picked the method that lowered
    # it most, which in the shapes world took mean per-class accuracy from 50% to 0%.
    names = [f"c{i}" for i in range(30)]
    sims = _random_sims(8, 30, seed=21)
    sims[:, :2] += 1  # every image shows class 0 or 1, as two sub-folders of a world would
    result = hubness.compare(sims, names, k=3)
    assert result.methods["none"].skewness >= hubness.LOW_SKEWNESS
    assert result.recommendation.startswith("Too few images to judge hubness by (N_k skewness ")
    assert "8 images x k=3 are 24 occurrences for 30 classes, so at least 6 get none" in (
        result.recommendation
    )
    # One occurrence per class on average is still too few: chance alone makes a quarter of the
    # classes hubs (see test_hubness_advice). From a mean N_k of 4 the skewness speaks again;
    # truth always does.
    assert hubness.compare(_random_sims(10, 30, seed=21), names, k=3).recommendation.startswith(
        "Too few images to judge hubness by (N_k skewness "
    )
    enough = hubness.compare(_random_sims(40, 30, seed=21), names, k=3)
    assert not enough.recommendation.startswith("Too few")
    truth = sims.argmax(axis=1)
    assert "accuracy" in hubness.compare(sims, names, k=3, truth=truth).recommendation


def _labelled_sims(counts: list[int], seed: int = 0) -> np.ndarray:
    """Similarities whose top-1 classes occur `counts` times: each image is close to one class."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(counts)), counts)
    sims = np.eye(len(counts))[labels] * 0.3 + rng.normal(0.0, 0.01, (len(labels), len(counts)))
    return sims.astype(np.float32)


def test_counts_more_even_than_chance_are_not_called_hubness_at_k_1():
    # A good labelling of 10 images per class, two of them going to class 0: N_1 = 12, 10, ...,
    # 10, 9, 9. Skewness is blind to scale: those two images make it 2.24, where a Robin Hood
    # index of 0.007 and no hub say there is nothing to reduce, and the advice said "high".
    counts = [12] + [10] * 27 + [9, 9]
    sims = _labelled_sims(counts)
    names = [f"c{i}" for i in range(30)]
    result = hubness.compare(sims, names, k=1)
    none = result.methods["none"]
    assert none.skewness == pytest.approx(stats.skew(counts))
    assert none.skewness > 2 and none.n_hubs == 0
    assert result.recommendation == (
        "Hubness is low without reduction (N_k skewness 2.24 at k=1, but N_k varies less than if "
        "each image's k classes were drawn at random: std 0.45 vs 3.11): the N_k call for no "
        "reduction; whether one improves the labels only --truth can tell."
    )
    # A class that takes twice its share spreads the counts beyond chance: skewness speaks.
    hub = hubness.compare(_labelled_sims([30] + [10] * 27 + [0] * 2), names, k=1)
    assert hub.methods["none"].skewness > 2
    assert not hub.recommendation.startswith("Hubness is low")


@pytest.mark.parametrize("n_classes", [2, 3])
def test_two_or_three_classes_are_not_judged_by_skewness(n_classes):
    # Every image goes to class 0: a hub with all the occurrences. The skewness of 2 counts is
    # always 0 and of 3 at most 0.71, so "hubness is low" was the advice whatever the images.
    sims = _labelled_sims([20] + [0] * (n_classes - 1))
    names = [f"c{i}" for i in range(n_classes)]
    result = hubness.compare(sims, names, k=1)
    assert result.methods["none"].n_hubs == 1
    assert result.methods["none"].hub_occupancy == 1.0
    bound = (n_classes - 2) / math.sqrt(n_classes - 1)
    assert result.recommendation == (
        f"Too few classes to judge hubness by (N_k skewness {bound:.2f} at k=1): over "
        f"{n_classes} classes it is at most {bound:.2f}, under the 1 that marks hubness; give "
        "--truth to compare the methods' accuracy."
    )
    truth = np.arange(20) % n_classes
    assert "accuracy" in hubness.compare(sims, names, k=1, truth=truth).recommendation
    # Four classes can reach a skewness of 1.15: it is judged again.
    four = hubness.compare(_labelled_sims([20, 0, 0, 0]), ["a", "b", "c", "d"], k=1)
    assert "N_k skewness 1.15 -> " in four.recommendation


def test_a_method_name_given_for_a_list_of_them_is_refused_as_such():
    # Its letters were read as methods: "unknown hubness reduction 'c'".
    sims = _random_sims(20, 4, seed=3)
    with pytest.raises(ZslError, match=r"methods 'csls': give a list of method names"):
        hubness.compare(sims, ["a", "b", "c", "d"], methods="csls")
    assert set(hubness.compare(sims, ["a", "b", "c", "d"], methods=["csls"]).methods) == {"csls"}


def test_mutual_proximity_stays_finite_for_a_pair_far_below_both_ways():
    # One image and one class 40 sigmas below each other's means: log Phi of each is about
    # -800, whose exp underflows a float64 (below e^-745), and Phi^-1 of 0 is -infinite.
    sims = np.zeros((1600, 1600), dtype=np.float32)
    sims[0, 0] = -1.0
    reduced = reduce_whole(sims, "mp")
    assert np.isfinite(reduced).all()
    assert reduced[0].argmin() == 0 and reduced[:, 0].argmin() == 0
