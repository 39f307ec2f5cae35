"""Exact values of scoring (decisions, thresholds) and of hubness (k-occurrence statistics,
reductions, advice) at their edges, each checked against an independent computation: every test
fails with a small change to the code that users would see, and passes without."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from scipy import special

from tests.hubness_helpers import reduce_whole
from zsl_cli import hubness
from zsl_cli.errors import ZslError
from zsl_cli.scoring import Decision


def test_a_decision_keeps_python_numbers_so_the_run_info_can_record_them():
    # A library caller may pass numpy numbers (a k or threshold read from an array): the run
    # info is JSON, which takes neither numpy's integers nor its float32.
    decision = Decision(top_k=np.int64(3), threshold=np.float32(0.5))
    assert type(decision.top_k) is int and type(decision.threshold) is float
    assert json.loads(json.dumps(dataclasses.asdict(decision))) == {"top_k": 3, "threshold": 0.5}


def test_a_threshold_given_as_a_bool_is_refused():
    # True is 1 to Python: taken as a threshold it would silently label every image "unknown"
    # short of a score of 1.
    with pytest.raises(ZslError, match="--threshold True"):
        Decision(threshold=True)


def test_mutual_proximity_works_over_more_classes_than_its_cache_block_holds():
    # Mutual proximity works a few rows at a time, as many as fit _CACHED_ELEMENTS (65,536)
    # cells: a row of more classes than that is still one row, not none.
    rng = np.random.default_rng(0)
    n_classes = hubness._CACHED_ELEMENTS + 10
    sims = rng.uniform(-0.1, 0.3, size=(3, n_classes)).astype(np.float32)
    reduced = reduce_whole(sims, "mp")
    values = sims.astype(np.float64)
    z_image = (values - values.mean(axis=1, keepdims=True)) / values.std(axis=1, keepdims=True)
    z_class = (values - values.mean(axis=0)) / values.std(axis=0)
    root = np.sqrt(special.ndtr(z_image) * special.ndtr(z_class))
    expected = values.mean(axis=1, keepdims=True) + values.std(axis=1, keepdims=True) * (
        special.ndtri(root)
    )
    np.testing.assert_allclose(reduced, expected, atol=1e-5)


def test_mutual_proximity_keeps_a_pair_fourteen_sigmas_out_both_ways_at_its_place():
    # Image 0 and class 0 find each other sqrt(199) = 14.1 stds out, each among 200: MP is within
    # 1e-44 of 1, and image 0's score for class 0 is about 14 of its stds above its mean. Clipping
    # z far below where Phi's upper tail underflows (z ~ 37.5) would flatten it to the clip.
    n = 200
    sims = np.zeros((n, n), dtype=np.float32)
    sims[0, 0] = 1.0
    reduced = reduce_whole(sims, "mp")
    row = sims[0].astype(np.float64)
    z = (1.0 - row.mean()) / row.std()  # the same for the class's column
    assert z == pytest.approx(np.sqrt(n - 1))
    log_root = special.log_ndtr(z)  # 0.5 * (log Phi(z) + log Phi(z))
    expected = row.mean() + row.std() * special.ndtri_exp(log_root)
    assert special.ndtri_exp(log_root) == pytest.approx(z, rel=1e-6)
    assert reduced[0, 0] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("lazy", [False, True])
def test_an_invalid_similarity_beyond_the_first_block_names_its_own_image(monkeypatch, lazy):
    # Similarities are checked a block of rows at a time: the image named must be the row's
    # place in the folder, not its place in its block.
    monkeypatch.setattr(hubness, "_CHUNK_ELEMENTS", 4 * 8)
    rng = np.random.default_rng(1)
    images = rng.normal(size=(10, 8)).astype(np.float32)
    classes = rng.normal(size=(8, 8)).astype(np.float32)
    images[6, 2] = np.nan
    sims = hubness.LazySimilarities(images, classes) if lazy else images @ classes.T
    with pytest.raises(ZslError, match="similarity of image 6 is NaN"):
        reduce_whole(sims, "centering")


def _spread(skewness: float, robin_hood: float) -> hubness.MethodHubness:
    return hubness.MethodHubness(skewness, 0.0, 0.0, robin_hood, 0, ())


def test_a_skewness_of_exactly_the_cut_off_is_not_called_low():
    # Only a skewness below LOW_SKEWNESS (1) is mild: at 1.00 the advice goes on to the methods.
    entries = {"none": _spread(hubness.LOW_SKEWNESS, 0.3), "csls": _spread(0.2, 0.1)}
    advice = hubness._recommendation(entries, k=10, n_images=300, n_classes=30, n_k_std=50.0)
    assert advice.method == "csls"
    assert advice.text.startswith("Try --hubness-reduction csls: N_k skewness 1.00 -> 0.20")


def test_the_advice_weighs_the_population_std_of_n_k_against_chance():
    # chance_std's 1.95 is the std of N_k over the classes about their mean (ddof 0), as the
    # chi-square law it is tested with: the std of the folder's N_k must be taken alike. These
    # top-1 counts (80 images, 20 classes, k=1) have a std of 2.10, within chance's 2.96; as a
    # sample std (ddof 1) they would read 2.15.
    counts = [10, 7, 6, 6, 5, 5, 5, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1]
    truth = np.repeat(np.arange(20), counts)
    rng = np.random.default_rng(2)
    sims = rng.uniform(0.0, 0.1, size=(80, 20)).astype(np.float32)
    sims[np.arange(80), truth] += 0.5
    result = hubness.compare(sims, [f"c{i}" for i in range(20)], k=1, methods=("none",))
    assert result.recommended_method is None
    assert f"N_k std {np.std(counts):.2f} is within chance's: 1.95" in result.recommendation
    assert f"{np.std(counts):.2f}" == "2.10"


def test_too_few_images_names_the_fewest_that_would_do():
    # A mean N_k of 4 over 30 classes at k=7 takes 4 x 30 / 7 = 17.1 images: 18, since 17 make
    # a mean of 3.97, still too few.
    entries = {"none": _spread(3.0, 0.3), "csls": _spread(0.2, 0.1)}
    advice = hubness._recommendation(entries, k=7, n_images=10, n_classes=30)
    assert advice.method is None
    assert "give 18 images or more" in advice.text
    for n_images, judged in ((17, False), (18, True)):
        advice = hubness._recommendation(entries, k=7, n_images=n_images, n_classes=30)
        assert (advice.method == "csls") is judged, advice.text


def test_the_inverted_softmax_labelling_uses_is_qb_norms_b_20():
    # --hubness-reduction isoftmax passes no temperature: the default is QB-Norm's b = 20.
    rng = np.random.default_rng(3)
    sims = rng.uniform(-0.1, 0.4, size=(25, 9))
    weights = np.exp(20.0 * sims)
    class_offsets = np.log(weights.sum(axis=0)) / 20.0
    expected = sims - (class_offsets - class_offsets.mean())
    reduced = reduce_whole(sims.astype(np.float32), "isoftmax")
    np.testing.assert_allclose(reduced, expected, atol=1e-5)
