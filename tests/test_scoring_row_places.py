"""Copies of an image in one matrix get equal similarities, wherever their rows are.

Identical files in one batch give embeddings equal to the bit; their scores must then be equal
too. A float32 matrix product does not promise that: OpenBLAS rounds the edges of its tiles
differently, so rows at other places in the matrix got other last bits. (Between matrices of
other sizes, as with another --batch-size, a row may still round otherwise: README, Output.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.scoring import similarities, top_k


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    vectors = rng.standard_normal(shape).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


@pytest.mark.parametrize("dim", [64, 512])
def test_identical_rows_at_different_places_in_one_matrix_get_equal_similarities(dim):
    rng = np.random.default_rng(1)
    classes = _unit(rng, (30, dim))
    images = _unit(rng, (64, dim))
    copies = [0, 5, 6, 11, 12, 15, 16, 31, 47, 63]
    images[copies] = images[3]
    sims = similarities(images, classes)
    for row in copies:
        np.testing.assert_array_equal(sims[row], sims[3])
    assert np.abs(sims - images @ classes.T).max() < 1e-6
    # Equal in their first value only: told apart.
    images[40, 1:] = images[3, 1:]
    images[41, 0] = images[3, 0]
    sims = similarities(images, classes)
    assert (sims[40] != sims[3]).any() and (sims[41] != sims[3]).any()
    # A row alone in the matrix: 16 copies of one vector give one row.
    tiled = similarities(np.tile(images[3], (16, 1)), classes)
    assert len({row.tobytes() for row in tiled}) == 1


def test_copies_of_an_image_under_a_near_tie_of_two_classes_get_one_label():
    # A near-tie: a class vector within 3e-8 of the best one; copies of the image at rows
    # 6-15 of a batch of 16 got the other label with a plain float32 product.
    rng = np.random.default_rng(1)
    img = _unit(rng, (64,))
    cls = _unit(rng, (30, 64))
    assert len({row.tobytes() for row in similarities(np.tile(img, (16, 1)), cls)}) == 1
    for _ in range(2000):
        img = _unit(rng, (64,))
        cls = _unit(rng, (30, 64))
        best = int(np.argmax(cls @ img))
        cls[5] = cls[best] + rng.standard_normal(64).astype(np.float32) * 3e-8
        indices, _ = top_k(similarities(np.tile(img, (16, 1)), cls), 1)
        assert len(set(indices[:, 0].tolist())) == 1


def test_copies_of_a_file_in_a_batch_get_equal_scores(tmp_path: Path):
    shapes = make_image_set(tmp_path / "shapes", seed=1, per_class=1).root
    copies = tmp_path / "copies"
    copies.mkdir()
    original = shapes / "blue star" / "blue_star_0000.png"
    for i in range(32):
        shutil.copy(original, copies / f"c{i:02d}.png")
    classes = shapes / "classes.txt"
    runner = CliRunner()

    def scores(*options: str) -> set[tuple[float, ...]]:
        result = runner.invoke(
            app,
            ["label", str(copies), "-c", str(classes), "-m", "shapes-demo", "-k", "0", "-q"]
            + ["-f", "jsonl", *options],
        )
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert len(rows) == 32
        return {tuple(entry["score"] for entry in row["top_k"]) for row in rows}

    # Two batches of 16 (copies at every place in a batch), and one batch of 32: the image
    # model gives the copies one vector, and the similarity step keeps their scores equal.
    assert len(scores()) == 1
    assert len(scores("-b", "32")) == 1
