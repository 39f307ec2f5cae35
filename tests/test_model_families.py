"""Model families beyond CLIP and SigLIP, tiny and random, through the real CLI and loader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.pipeline_parity import assert_same_as_pipeline

CLASSES = ["red circle", "blue square", "a cat", "a dog"]
TEMPLATE = "a photo of a {}."


def write_images(folder: Path, sizes: list[tuple[int, int]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    paths = []
    for i, (width, height) in enumerate(sizes):
        path = folder / f"img_{i}.png"
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


@pytest.fixture()
def classes_file(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("\n".join(CLASSES) + "\n")
    return path


def test_clipseg_takes_the_larger_images_its_processor_makes(tmp_path, classes_file):
    """CLIPSeg's ViT resizes its position embeddings to its processor's 352 px (config: 224)."""
    from tests.tiny_models import make_tiny_clipseg

    model = make_tiny_clipseg(tmp_path / "clipseg")
    paths = write_images(tmp_path / "images", [(64, 48), (40, 90), (48, 48)])
    assert_same_as_pipeline(model, paths, classes_file, TEMPLATE)
