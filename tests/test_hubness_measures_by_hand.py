"""Hubness measures, their limits and the advice at the edges of their parameters, each held
against a value worked out by hand from the definitions (hubs at hub_size * N * k / C, N_k of
random draws binomial)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from zsl_cli import hubness


def test_no_hub_is_listed_when_none_is_asked_for():
    # N = 4, k = 2, C = 4: threshold 4, classes 0 (6) and 1 (5) are hubs.
    counts = np.array([6, 5, 0, 1])
    assert hubness.hubness_stats(counts, 2, 4).top_hubs == [(0, 6), (1, 5)]
    assert hubness.hubness_stats(counts, 2, 4, top=0).top_hubs == []
    assert hubness.hubness_stats(counts, 2, 4, top=-1).top_hubs == []
    assert hubness.hubness_stats(counts, 2, 4, top=-1).n_hubs == 2


def test_the_largest_hub_k_stays_below_the_number_of_classes_at_any_hub_size():
    # At hub size 1 a hub needs the mean N_k = N * k / C, which k = C - 1 still allows; k = C
    # would put every class among every image's k nearest.
    assert hubness.largest_hub_k(4, 1.0) == 3
    assert hubness.largest_hub_k(4, 0.5) == 3
    assert hubness.largest_hub_k(4) == 2
    assert hubness.largest_hub_k(5) == 2
    assert hubness.largest_hub_k(2) == 1


def _measured(skewness: float, robin_hood: float) -> hubness.MethodHubness:
    return hubness.MethodHubness(skewness, 0.0, 0.0, robin_hood, 0, ())


def test_chance_std_is_the_binomial_std_and_wilson_hilferty_quantile():
    # 300 images, k = 10 of 30 classes: p = 1/3, var N_k = 300 p (1 - p) = 66.67, and the
    # chi-square(29) 99.9% quantile by the cube-root normal approximation.
    expected_std, bound = hubness.chance_std(300, 10, 30)
    assert expected_std == pytest.approx(np.sqrt(300 * (1 / 3) * (2 / 3)), rel=1e-12)
    dof = 29
    z = stats.norm.ppf(0.999)
    quantile = dof * (1 - 2 / (9 * dof) + z * np.sqrt(2 / (9 * dof))) ** 3
    assert bound == pytest.approx(expected_std * np.sqrt(quantile / dof), rel=1e-9)
    # Within 0.2% of the exact quantile at 29 degrees of freedom, as documented.
    exact = expected_std * np.sqrt(stats.chi2.ppf(0.999, dof) / dof)
    assert bound == pytest.approx(exact, rel=2e-3)


def test_n_k_exactly_as_even_as_chance_are_called_evener_than_chance():
    # The std of N_k of random draws is no sign of hubs: at exactly that std, no reduction.
    entries = {"none": _measured(2.0, 0.3), "csls": _measured(0.2, 0.1)}
    expected_std, _ = hubness.chance_std(300, 10, 30)
    advice = hubness._recommendation(
        entries, k=10, n_images=300, n_classes=30, n_k_std=expected_std
    )
    assert advice.method == "none"
    assert "varies less than if each image's k classes were drawn at random" in advice.text


def test_n_k_exactly_at_chances_bound_are_not_told_from_chance():
    # Only a spread beyond the 99.9% bound is hubness: at the bound itself, no verdict.
    entries = {"none": _measured(2.0, 0.3), "csls": _measured(0.2, 0.1)}
    _, bound = hubness.chance_std(300, 10, 30)
    advice = hubness._recommendation(entries, k=10, n_images=300, n_classes=30, n_k_std=bound)
    assert advice.method is None
    assert advice.text.startswith("Hubness cannot be told from chance")
    beyond = hubness._recommendation(
        entries, k=10, n_images=300, n_classes=30, n_k_std=bound * 1.001
    )
    assert beyond.method == "csls"


def test_methods_given_twice_are_kept_once_in_the_order_first_given():
    assert hubness.check_methods(["csls", "none", "csls", "mp", "none"]) == ("csls", "none", "mp")


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4)])
def test_similarities_that_are_no_matrix_are_refused_as_such(shape):
    sims = np.zeros(shape, dtype=np.float32)
    with pytest.raises(ValueError, match=r"^sims must be a 2-D float array \[images, classes\]"):
        list(hubness.reduced_chunks(sims, "none"))
    with pytest.raises(ValueError, match=r"^sims must be a 2-D float array \[images, classes\]"):
        hubness.compare(sims, ["a", "b", "c"])


def test_a_similarity_matrix_of_exactly_the_dense_limit_is_kept(monkeypatch):
    images, classes = np.eye(4, dtype=np.float32), np.eye(4, dtype=np.float32)[:3]
    monkeypatch.setattr(hubness, "DENSE_SIMILARITY_CELLS", 12)  # 4 images x 3 classes
    kept = hubness.similarity_matrix(images, classes)
    assert isinstance(kept, np.ndarray)
    np.testing.assert_array_equal(kept, images @ classes.T)


def test_a_reduction_of_equal_skewness_is_not_advised_for_its_lower_robin_hood_index():
    # Only a method that lowers both measures lowers hubness; an equal skewness is not lower.
    entries = {"none": _measured(2.0, 0.3), "csls": _measured(2.0, 0.1)}
    advice = hubness._recommendation(entries, k=10, n_images=300, n_classes=30, n_k_std=50.0)
    assert advice.method == "none"
    assert "no measured reduction lowers both its skewness and its Robin Hood index" in advice.text
    mirrored = {"none": _measured(2.0, 0.3), "csls": _measured(-2.0, 0.1)}
    advice = hubness._recommendation(mirrored, k=10, n_images=300, n_classes=30, n_k_std=50.0)
    assert advice.method == "none"


@pytest.mark.parametrize(
    ("failed_truth", "message"),
    [
        (np.array([4]), r"truth values must be class indices in \[0, 4\) or -1"),
        (np.array([-2]), r"truth values must be class indices in \[0, 4\) or -1"),
        (np.array([1.0]), r"truth must be an integer array of shape \(1,\)"),
    ],
)
def test_the_truth_of_unreadable_images_is_checked_as_the_others_is(failed_truth, message):
    sims = np.random.default_rng(0).random((6, 4), dtype=np.float32)
    with pytest.raises(ValueError, match=message):
        hubness.compare(
            sims, ["a", "b", "c", "d"], truth=np.zeros(6, np.int64), failed_truth=failed_truth
        )


def test_an_unreadable_image_of_a_known_class_counts_as_wrong():
    # 2 images, both right, and one unreadable image of class 1: class 0 is 1/1, class 1 1/2.
    sims = np.array([[0.9, 0.1], [0.1, 0.9]], dtype=np.float32)
    result = hubness.compare(
        sims, ["a", "b"], truth=np.array([0, 1]), failed_truth=np.array([1, -1]), methods=("none",)
    )
    accuracy = result.methods["none"].accuracy
    assert accuracy == {"mean_per_class": pytest.approx(0.75), "overall": pytest.approx(2 / 3)}
