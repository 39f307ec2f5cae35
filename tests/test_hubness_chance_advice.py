"""The advice of `zsl hubness` without truth where the N_k cannot show hubs: at k above half the
classes, with too few occurrences per class, and where N_k vary no more than chance makes them.

Where each image's k classes are drawn at random (no hubs), N_k ~ Binomial(N, k / C): its skewness
is about 1 / sqrt(mean N_k), near the cut-off of 1 when the mean N_k is near 1, and its std is
as likely as not above the binomial's, so neither alone tells hubs from chance.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from zsl_cli import hubness
from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def _noise(seed: int, n_images: int, n_classes: int, dim: int) -> np.ndarray:
    """Cosines of random unit images and classes: no class is nearer the images than another."""
    rng = np.random.default_rng(seed)
    images = _unit(rng.standard_normal((n_images, dim)))
    classes = _unit(rng.standard_normal((n_classes, dim)))
    return (images @ classes.T).astype(np.float32)


def _names(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def _advised(result: dict) -> bool:
    return result.recommended_method not in ("none", None)


@pytest.mark.parametrize(
    ("n_images", "n_classes", "k", "dim", "seeds"),
    [
        (100, 1000, 10, 256, 40),  # mean N_k 1: chance's skewness is 0.98, at the cut-off
        (1000, 1000, 1, 256, 20),  # mean N_k 1 too; 20 seeds: 0.7^20 < 0.1% to miss a 30% rate
        (48, 12, 1, 32, 100),  # mean N_k 4: chance's skewness 0.48 +- 0.5 over 12 classes
    ],
)
def test_noise_is_seldom_advised_a_reduction(n_images, n_classes, k, dim, seeds):
    # The advice said "Try --hubness-reduction" for 30% of the seeds at a mean N_k of 1, and for
    # 10% at a mean of 4 over 12 classes, where the skewness reached 1 by chance and the N_k std
    # exceeded the binomial's by a hair. Now 2% at most: chance's spread is exceeded at 0.1%.
    advised = [
        seed
        for seed in range(seeds)
        if _advised(hubness.compare(_noise(seed, n_images, n_classes, dim), _names(n_classes), k=k))
    ]
    assert len(advised) <= seeds // 50, advised


def test_noise_whose_skewness_reaches_1_is_not_told_from_chance():
    # Seed 2 at a mean N_k of 1: skewness 1.19, std 0.997 vs the binomial's 0.995. The mean is
    # too small to judge by; with 4 times the images, the counts are judged.
    sims = _noise(2, 100, 1000, 256)
    result = hubness.compare(sims, _names(1000))
    assert result.methods["none"].skewness >= hubness.LOW_SKEWNESS
    assert result.recommended_method is None
    assert result.recommendation.startswith("Too few images to judge hubness by (N_k skewness ")
    assert "x k=10 over 1000 classes make a mean N_k of 1, under the 4 " in result.recommendation
    assert "give 400 images or more, or --truth" in result.recommendation
    assert hubness.compare(_noise(2, 400, 1000, 256), _names(1000)).recommended_method == "none"


def test_a_skewness_over_1_within_chances_spread_gets_no_verdict():
    # 20 classes, 80 images, k=1 (mean N_k 4): chance's N_k std is 1.95, and exceeds 2.96 once in
    # 1000 draws. Counts between the two are no sign of hubs, nor of their absence.
    counts = [10, 7, 6, 6, 5, 5, 5, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1]
    assert sum(counts) == 80
    entries = {
        method: hubness._method_hubness(hubness.hubness_stats(np.array(n_k), 1, 80), _names(20))
        for method, n_k in {"none": counts, "mp": [4] * 20}.items()
    }
    expected, bound = hubness.chance_std(80, 1, 20)
    # The binomial's std, and the chi-square quantile of (C - 1) var / chance's var at 0.1%.
    assert expected == pytest.approx(math.sqrt(80 * 0.05 * 0.95))
    assert bound == pytest.approx(math.sqrt(3.8 * stats.chi2.ppf(0.999, 19) / 19), rel=2e-3)
    std = float(np.std(counts))
    assert expected < std < bound and entries["none"].skewness >= hubness.LOW_SKEWNESS
    advice = hubness._recommendation(entries, 1, n_images=80, n_classes=20, n_k_std=std)
    assert advice.method is None
    assert advice.text == (
        f"Hubness cannot be told from chance (N_k skewness {entries['none'].skewness:.2f} at "
        f"k=1, but N_k std {std:.2f} is within chance's: 1.95 if each image's k classes were drawn "
        "at random, over 2.96 in 0.1% of such draws): give more images, or --truth to compare the "
        "methods' accuracy."
    )
    # One class with a third of the images is beyond chance: judged as hubness.
    hub = [27] + [3] * 17 + [2, 0]
    assert sum(hub) == 80 and float(np.std(hub)) > bound
    entries["none"] = hubness._method_hubness(
        hubness.hubness_stats(np.array(hub), 1, 80), _names(20)
    )
    advice = hubness._recommendation(
        entries, 1, n_images=80, n_classes=20, n_k_std=float(np.std(hub))
    )
    assert advice.method == "mp" and advice.text.startswith("Try --hubness-reduction mp: ")


def test_a_planted_hub_is_still_found_at_a_mean_n_k_of_4():
    # A class pulled toward the direction all images share (CLIP's modality gap), 100 images over
    # 100 classes at k=4.
    rng = np.random.default_rng(0)
    dim = 64
    shared = _unit(rng.normal(size=dim))
    images = _unit(0.5 * shared + _unit(rng.normal(size=(100, dim))))
    classes = rng.normal(size=(100, dim))
    classes = _unit(classes - np.outer(classes @ shared, shared))
    classes[-1] = _unit(classes[-1] + 0.2 * shared)
    result = hubness.compare((images @ classes.T).astype(np.float32), _names(100), k=4)
    assert result.methods["none"].top_hubs[0].class_name == "c99"
    assert result.recommendation.startswith("Try --hubness-reduction ")


def _dominated(n_images: int, n_classes: int, share: float, seed: int = 0) -> np.ndarray:
    """Cosines where class 0 is the top-1 class of about `share` of the images."""
    sims = _noise(seed, n_images, n_classes, 32)
    rng = np.random.default_rng(seed + 1)
    taken = rng.random(n_images) < share
    sims[taken, 0] = sims[taken].max(axis=1) + 0.05
    return sims


def test_one_class_taking_most_images_over_11_classes_is_not_called_low_at_k_10():
    # At k=10 of 11 classes each image counts all classes but its last: the class that is the
    # top-1 of 90% of the images has N_k = 300 like most others, the skewness is near 0, and the
    # advice was "Hubness is low ... no reduction needed".
    sims = _dominated(300, 11, 0.9)
    assert np.mean(sims.argmax(axis=1) == 0) > 0.85
    result = hubness.compare(sims, _names(11), k=10)
    assert result.k == 10 and result.largest_hub_k == 5
    assert result.recommended_method is None
    assert result.recommendation.startswith(
        f"No verdict on hubness at k=10 (N_k skewness {result.methods['none'].skewness:.2f} "
        "at k=10): over 11 classes no class can be a hub at k above 5, and N_k count mostly the "
        "classes images rank last; give -k 5 or less, or --truth"
    )
    # At a k that leaves hubs room, the class is one; the default k over 11 classes is such.
    for small_k in (hubness.compare(sims, _names(11), k=3), hubness.compare(sims, _names(11))):
        assert small_k.methods["none"].top_hubs[0].class_name == "c0"
        assert small_k.recommended_method not in ("none", None)


def test_four_classes_with_five_images_are_not_called_low():
    # N_1 = 4, 1, 0, 0: a hub with 80% of the occurrences, skewness 0.96.
    sims = np.eye(4, dtype=np.float32)[[0, 0, 0, 0, 1]] + 0.01 * np.arange(4, dtype=np.float32)
    result = hubness.compare(sims, _names(4), k=1)
    assert result.methods["none"].skewness < hubness.LOW_SKEWNESS
    assert result.methods["none"].hub_occupancy == pytest.approx(0.8)
    assert result.recommended_method is None
    assert "make a mean N_k of 1.25, under the 4" in result.recommendation


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One image per class (30): the advice checked depends on the class count, and the mean N_k
    # stays above the 4 it needs to judge by (25 at k=10, 7.5 at k=3 over 12 classes).
    return make_image_set(tmp_path_factory.mktemp("shapes") / "set", seed=3, per_class=1).root


def test_the_cli_gives_no_verdict_at_k_10_over_12_classes_and_defaults_to_3(shapes, tmp_path):
    classes = tmp_path / "c12.txt"
    lines = (shapes / "classes.txt").read_text().splitlines()
    classes.write_text("\n".join(lines[:12]) + "\n")
    out = tmp_path / "hubness.json"
    command = ["hubness", str(shapes), "-c", str(classes), "-m", "shapes-demo", "--json", str(out)]
    result = CliRunner().invoke(app, [*command, "-k", "10"])
    assert result.exit_code == 0, result.stderr
    assert "Hubness is low" not in result.stdout
    assert "give -k 6 or less, or --truth" in " ".join(result.stdout.split())
    document = json.loads(out.read_text())
    assert document["k"] == 10 and document["largest_hub_k"] == 6
    assert document["recommended_method"] is None
    default = CliRunner().invoke(app, command)
    assert default.exit_code == 0, default.stderr
    assert "(k = 3, a quarter of the classes: the default under 40 classes)" in default.stdout
    document = json.loads(out.read_text())
    assert (document["k"], document["k_requested"]) == (3, None)
