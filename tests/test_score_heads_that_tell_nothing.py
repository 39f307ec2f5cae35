"""Score heads whose written scores, and --threshold, tell nothing: a SigLIP head too flat to
move any score, one whose bias saturates every score the run gives though not every cosine, a
CLIP head whose scores all sit next to 1/C on the run's images. Each is one warning; heads that
separate scores, and a run whose sigmoid scores are merely all tiny, get none."""

from __future__ import annotations

import csv
import io
import math
import shutil
from pathlib import Path

import pytest
from safetensors.torch import load_file, save_file

from tests.helpers import run, write_images
from zsl_cli.api import head_warnings
from zsl_cli.encoders.base import ScoreHead

CLASSES = ["red", "green", "blue", "cat", "dog"]
TELL_NOTHING = "--threshold tell nothing"


def edited(model: Path, folder: Path, **tensors: float) -> Path:
    """A copy of `model` with each named weight filled with a value."""
    shutil.copytree(model, folder)
    weights = load_file(folder / "model.safetensors")
    for key, value in tensors.items():
        weights[key] = weights[key].clone().fill_(value)
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})
    return folder


@pytest.fixture()
def images(tmp_path: Path) -> Path:
    write_images(tmp_path / "images", 8)
    return tmp_path / "images"


@pytest.fixture()
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("\n".join(CLASSES) + "\n")
    return path


def scores_of(text: str) -> list[float]:
    """Every score written in a CSV output (all classes: -k 0)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    return [float(score) for row in rows for score in row["top_k_scores"].split("|")]


def test_a_sigmoid_too_flat_to_move_a_score_is_warned_of() -> None:
    (warning,) = head_warnings(ScoreHead("sigmoid", 2e-9, -1.0))
    assert "score scale of 2e-09 and bias of -1 make each image's scores within 0.1% of" in (
        warning
    )
    assert TELL_NOTHING in warning
    # A trained SigLIP's head, and one whose scores move by some 1.5% over cosines in [-1, 1].
    assert head_warnings(ScoreHead("sigmoid", 110.0, -10.0)) == []
    assert head_warnings(ScoreHead("sigmoid", 0.01, -1.0)) == []


def test_label_warns_of_a_sigmoid_with_a_tiny_scale(tiny_siglip, tmp_path, images, classes):
    flat = edited(tiny_siglip, tmp_path / "flat", logit_scale=-20.0, logit_bias=-1.0)
    result = run("label", images, "-c", classes, "-m", flat, "-k", 0)
    assert result.exit_code == 0, result.output
    assert set(scores_of(result.stdout)) == {0.2689414}
    assert "and bias of -1 make each image's scores within 0.1% of one another" in result.stderr
    assert result.stderr.count(TELL_NOTHING) == 1


def test_a_bias_that_saturates_every_score_the_run_gives_is_warned_of(
    tiny_siglip, tmp_path, images, classes
):
    # Scale e^2: over cosines in [-1, 1] the lowest logit, 12.6, is below 1 still; but the
    # cosines of real image-text pairs lie in a narrow band, and every score written is 1.
    saturated = edited(tiny_siglip, tmp_path / "saturated", logit_bias=20.0)
    assert head_warnings(ScoreHead("sigmoid", math.exp(2.0), 20.0)) == []
    result = run("label", images, "-c", classes, "-m", saturated, "-k", 0)
    assert result.exit_code == 0, result.output
    assert set(scores_of(result.stdout)) == {1.0}
    assert "score scale of 7.39 and bias of 20 make every score 1 (to 7 digits)" in result.stderr
    assert "on this run's images" in result.stderr
    assert result.stderr.count(TELL_NOTHING) == 1


def test_a_softmax_whose_scores_all_sit_at_one_over_c_is_warned_of(
    tiny_clip, tmp_path, images, classes
):
    flat = edited(tiny_clip, tmp_path / "flat", logit_scale=math.log(0.01))
    assert head_warnings(ScoreHead("softmax", 0.01)) == []  # over [-1, 1]: 2% apart
    result = run("label", images, "-c", classes, "-m", flat, "-k", 0)
    assert result.exit_code == 0, result.output
    spread = max(abs(score * len(CLASSES) - 1) for score in scores_of(result.stdout))
    assert 0 < spread < 0.01
    assert "score scale of 0.01 makes every score within" in result.stderr
    assert "of 1 / the number of classes on this run's images" in result.stderr


def test_trained_looking_heads_are_not_warned_of(tiny_clip, tiny_siglip, images, classes):
    for model in (tiny_clip, tiny_siglip):
        result = run("label", images, "-c", classes, "-m", model, "-k", 0)
        assert result.exit_code == 0, result.output
        assert "tell nothing" not in result.stderr
        assert len(set(scores_of(result.stdout))) > len(CLASSES)


def test_a_run_whose_sigmoid_scores_are_all_tiny_is_no_warning(
    tiny_siglip, tmp_path, images, classes
):
    # Below 1e-7 on every pair of this run, yet written to 7 digits and apart: no class fits
    # these images, which a head able to reach 1 over other cosines says nothing against.
    low = edited(tiny_siglip, tmp_path / "low", logit_bias=-22.0)
    assert head_warnings(ScoreHead("sigmoid", math.exp(2.0), -22.0)) == []
    result = run("label", images, "-c", classes, "-m", low, "-k", 0)
    assert result.exit_code == 0, result.output
    scores = scores_of(result.stdout)
    assert max(scores) < 1e-7 and len(set(scores)) > len(CLASSES)
    assert "tell nothing" not in result.stderr
