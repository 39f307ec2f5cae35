"""Hubness and its reductions on folders of about as few images as classes, or fewer: `label
--hubness-reduction` warns that its reference set is too small, and one image's pick is no hub."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from zsl_cli import hubness
from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set

WARNED = "is fitted on the images labelled"


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 30-class shapes world, one image a class."""
    return make_image_set(tmp_path_factory.mktemp("shapes") / "set", seed=3, per_class=1).root


def _first_images(world: Path, folder: Path, n: int) -> Path:
    folder.mkdir()
    for image in sorted(world.rglob("*.png"))[:n]:
        shutil.copy(image, folder / image.name)
    return folder


@pytest.mark.parametrize("method", ["isoftmax", "csls"])
def test_label_warns_that_a_reduction_fitted_on_few_images_is_not_comparable(
    world, tmp_path, method
):
    # 10 images over 30 classes at k=7: a mean N_k of 2.33, under the 4 `zsl hubness` judges
    # from; isoftmax labelled 3 of 10 right there (8 without), every score under 0.5.
    few = _first_images(world, tmp_path / "few", 10)
    classes = world / "classes.txt"
    result = run("label", few, "-c", classes, "-m", "shapes-demo", "--hubness-reduction", method)
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if WARNED in line]
    assert warned == [
        f"warning: --hubness-reduction {method} is fitted on the images labelled: 10 images over "
        "30 classes are too few for it (zsl hubness judges from 18 at k=7); its labels may be "
        "worse, and its scores, and --threshold on them, are not comparable to a run without it"
    ]
    plain = run("label", few, "-c", classes, "-m", "shapes-demo")
    assert plain.exit_code == 0, plain.stderr
    assert WARNED not in plain.stderr


def test_the_warning_counts_the_images_read_not_the_paths_found(world, tmp_path):
    # 10 images read and 15 broken files: the reduction is fitted on the 10, as with 10 alone.
    few = _first_images(world, tmp_path / "few", 10)
    for n in range(15):
        (few / f"broken_{n}.png").write_bytes(b"not a picture")
    classes = world / "classes.txt"
    result = run("label", few, "-c", classes, "-m", "shapes-demo", "--hubness-reduction", "csls")
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if WARNED in line]
    assert len(warned) == 1
    assert "10 images over 30 classes are too few" in warned[0]


def test_the_warning_over_three_classes_names_no_image_count_hubness_judges_from(world, tmp_path):
    # zsl hubness judges no hubness over 2 or 3 classes, whatever the images.
    few = _first_images(world, tmp_path / "few", 8)
    classes = tmp_path / "three.txt"
    classes.write_text("red circle\nblue square\ngreen star\n", encoding="utf-8")
    result = run("label", few, "-c", classes, "-m", "shapes-demo", "--hubness-reduction", "csls")
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if WARNED in line]
    assert len(warned) == 1
    assert "8 images over 3 classes are too few for it; its labels" in warned[0]
    assert "judges from" not in warned[0]


def test_label_does_not_warn_where_hubness_would_judge_the_images(world, tmp_path):
    # 30 images x k=7 over 30 classes: a mean N_k of 7.
    classes = world / "classes.txt"
    result = run("label", world, "-c", classes, "-m", "shapes-demo", "--hubness-reduction", "mp")
    assert result.exit_code == 0, result.stderr
    assert WARNED not in result.stderr


def test_the_warning_uses_the_rule_hubness_judges_by():
    # The fewest images label accepts are the fewest hubness judges from, at its default k.
    k = hubness.default_k(30)
    fewest = hubness.fewest_images(k, 30)
    assert not hubness.too_few_images(fewest, k, 30)
    assert hubness.too_few_images(fewest - 1, k, 30)


def test_a_class_one_image_picks_is_no_hub():
    # 3 images, k=1, 30 classes: 2 x 3 x 1 / 30 = 0.2, so every class picked passed for a hub
    # and hub occupancy was 100%.
    n_k = np.zeros(30, dtype=np.int64)
    n_k[[4, 9, 17]] = 1
    stats = hubness.hubness_stats(n_k, k=1, n_queries=3)
    assert stats.hub_threshold == 2.0
    assert (stats.n_hubs, stats.hub_occupancy, stats.top_hubs) == (0, 0.0, [])
    n_k[9] = 2  # two images sharing a class: a hub among 4 occurrences
    stats = hubness.hubness_stats(n_k, k=1, n_queries=4)
    assert (stats.n_hubs, stats.top_hubs) == (1, [(9, 2)])


def test_hubness_of_three_images_counts_no_single_pick_as_a_hub(world, tmp_path):
    few = _first_images(world, tmp_path / "few", 3)
    out = tmp_path / "hubness.json"
    classes = world / "classes.txt"
    result = run("hubness", few, "-c", classes, "-m", "shapes-demo", "-k", "1", "--json", out)
    assert result.exit_code == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["hub_threshold"] == 2.0
    for name, method in document["methods"].items():
        # Only a class two or three of the images share is a hub; one image's pick was too.
        hubs = [hub["n_k"] for hub in method["top_hubs"]]
        assert all(n_k >= 2 for n_k in hubs), (name, hubs)
        assert method["n_hubs"] == len(hubs), name
        assert method["hub_occupancy"] == pytest.approx(sum(hubs) / 3), name


def test_low_hubness_advice_says_only_that_the_n_k_are_even():
    # Each of 40 images nearest its own one of 10 classes: N_k 4 apiece, as even as can be. That
    # tells nothing of whether a reduction labels better: --truth showed 20 points of H gained
    # on folders so advised.
    sims = np.full((40, 10), 0.1, dtype=np.float32)
    sims[np.arange(40), np.arange(40) % 10] = 0.3
    result = hubness.compare(sims, [f"c{i}" for i in range(10)], k=1)
    assert result.recommended_method == "none"
    assert "no reduction needed" not in result.recommendation
    assert result.recommendation.endswith(
        "the N_k call for no reduction; whether one improves the labels only --truth can tell."
    )
