"""Model families beyond CLIP and SigLIP, tiny and random, through the real CLI and loader."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.pipeline_parity import assert_same_as_pipeline
from zsl_cli.cli import app
from zsl_cli.encoders import pil_image_processor

CLASSES = ["red circle", "blue square", "a cat", "a dog"]
TEMPLATE = "a photo of a {}."


def transformers_before(major: int, minor: int) -> bool:
    try:
        installed = version("transformers")
    except PackageNotFoundError:
        return True
    return tuple(int(part) for part in installed.split(".")[:2]) < (major, minor)


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


# zsl loads CLIPSeg's weights on 5.10-5.20 too (tests/test_weights_under_a_prefix.py); the
# pipeline it is compared with loads them only from 5.21.
@pytest.mark.skipif(
    transformers_before(5, 21),
    reason="transformers' pipeline loads CLIPSeg without its weights before 5.21",
)
def test_clipseg_takes_the_larger_images_its_processor_makes(tmp_path, classes_file):
    """CLIPSeg's ViT resizes its position embeddings to its processor's 352 px (config: 224)."""
    from tests.tiny_models import make_tiny_clipseg

    model = make_tiny_clipseg(tmp_path / "clipseg")
    paths = write_images(tmp_path / "images", [(64, 48), (40, 90), (48, 48)])
    assert_same_as_pipeline(model, paths, classes_file, TEMPLATE)


@pytest.mark.parametrize(("log_logit_scale", "scale"), [(6.0, 100.0), (-2.0, 1.0)])
def test_aimv2_scores_with_the_logit_scale_its_forward_clamps_to(
    tmp_path, classes_file, log_logit_scale, scale
):
    """AIMv2 clamps its logit scale to [1, 100]: e^6 and e^-2 score as 100 and 1."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from tests.tiny_models import make_tiny_aimv2
    from zsl_cli.encoders import load_encoder

    model_dir = make_tiny_aimv2(tmp_path / "aimv2", log_logit_scale=log_logit_scale)
    assert load_encoder(str(model_dir)).head.scale == pytest.approx(scale)
    (path,) = write_images(tmp_path / "images", [(64, 48)])
    args = ["label", path, "-c", classes_file, "-m", model_dir, "-t", TEMPLATE, "-k", "0"]
    result = CliRunner().invoke(app, [str(a) for a in [*args, "-f", "jsonl", "-q"]])
    assert result.exit_code == 0, result.stderr
    ours = {e["label"]: e["score"] for e in json.loads(result.stdout)["top_k"]}

    model = AutoModel.from_pretrained(model_dir).eval()
    texts = AutoTokenizer.from_pretrained(model_dir)(
        [TEMPLATE.format(c) for c in CLASSES], padding=True, return_tensors="pt"
    )
    pixels = pil_image_processor(str(model_dir))(images=[Image.open(path)], return_tensors="pt")
    with torch.no_grad():
        theirs = model(**texts, **pixels).logits_per_image[0].softmax(-1).tolist()
    assert max(abs(ours[c] - p) for c, p in zip(CLASSES, theirs, strict=True)) < 1e-4


def test_flava_scores_as_its_contrastive_head(tmp_path, classes_file):
    """FLAVA's feature heads give one vector per token; its pre-training contrastive logits
    compare the first token's."""
    import torch
    from transformers import AutoTokenizer, FlavaForPreTraining

    from tests.tiny_models import make_tiny_flava

    model_dir = make_tiny_flava(tmp_path / "flava")
    paths = write_images(tmp_path / "images", [(64, 48), (40, 90)])
    args = ["label", *paths, "-c", classes_file, "-m", model_dir, "-t", TEMPLATE, "-k", "0"]
    result = CliRunner().invoke(app, [str(a) for a in [*args, "-f", "jsonl", "-q"]])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]

    model = FlavaForPreTraining.from_pretrained(model_dir).eval()
    texts = AutoTokenizer.from_pretrained(model_dir)(
        [TEMPLATE.format(c) for c in CLASSES], padding=True, return_tensors="pt"
    )
    processor = pil_image_processor(str(model_dir))
    for path, row in zip(paths, rows, strict=True):
        pixels = processor(images=[Image.open(path)], return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            batch = pixels.expand(len(CLASSES), -1, -1, -1)
            output = model(**texts, pixel_values=batch, return_loss=False)
        theirs = output.contrastive_logits_per_image[0].softmax(-1).tolist()
        ours = {e["label"]: e["score"] for e in row["top_k"]}
        assert max(abs(ours[c] - p) for c, p in zip(CLASSES, theirs, strict=True)) < 1e-4


# Landscape, portrait, square, smaller than one patch, a strip: grids of every shape, and
# images the NaFlex resize enlarges as well as ones it shrinks.
NAFLEX_SIZES = [(64, 48), (40, 90), (33, 33), (7, 5), (300, 20), (1, 50)]


@pytest.fixture(scope="module")
def tiny_siglip2(tmp_path_factory) -> Path:
    from tests.tiny_models import make_tiny_siglip2

    return make_tiny_siglip2(tmp_path_factory.mktemp("siglip2"))


def label_jsonl(*args: str | Path) -> dict[str, dict[str, float]]:
    """Every class's score per image name, from `zsl label ... -f jsonl`."""
    result = CliRunner().invoke(app, [str(a) for a in ["label", *args, "-k", "0", "-f", "jsonl"]])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(row["status"] == "ok" for row in rows)
    return {Path(row["path"]).name: {e["label"]: e["score"] for e in row["top_k"]} for row in rows}


def test_siglip2_naflex_scores_as_transformers(tmp_path, classes_file, tiny_siglip2):
    """Each image keeps its aspect ratio as a grid of patches of its own shape, padded to
    max_num_patches with a mask: scores as Siglip2Model's own forward gives them."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    paths = write_images(tmp_path / "images", NAFLEX_SIZES)
    ours = label_jsonl(*paths, "-c", classes_file, "-m", tiny_siglip2, "-t", TEMPLATE, "-q")

    model = AutoModel.from_pretrained(tiny_siglip2).eval()
    texts = AutoTokenizer.from_pretrained(tiny_siglip2)(
        [TEMPLATE.format(c) for c in CLASSES],
        padding="max_length",  # as SigLIP was trained, and its pipeline pads
        max_length=64,
        return_tensors="pt",
    )
    processor = pil_image_processor(str(tiny_siglip2))
    grids = set()
    for path in paths:
        pixels = processor(images=[Image.open(path)], return_tensors="pt")
        grids.add(tuple(pixels["spatial_shapes"][0].tolist()))
        with torch.no_grad():
            theirs = torch.sigmoid(model(**texts, **pixels).logits_per_image[0]).tolist()
        scores = ours[path.name]
        assert max(abs(scores[c] - p) for c, p in zip(CLASSES, theirs, strict=True)) < 1e-4
        assert min(theirs) > 0.01 and max(theirs) < 0.99  # scores that tell a difference
    assert len(grids) == len(NAFLEX_SIZES)


def test_siglip2_naflex_scores_do_not_depend_on_the_batch(tmp_path, classes_file, tiny_siglip2):
    """Every image is padded to max_num_patches, whatever the other images in its batch."""
    paths = write_images(tmp_path / "images", NAFLEX_SIZES)
    common = ["-c", classes_file, "-m", tiny_siglip2, "-q"]
    together = label_jsonl(*paths, *common, "--batch-size", "64")
    alone = label_jsonl(*paths, *common, "--batch-size", "1")
    assert together.keys() == alone.keys() == {path.name for path in paths}
    for name, scores in together.items():
        assert max(abs(scores[c] - alone[name][c]) for c in CLASSES) < 1e-6


def test_siglip2_naflex_embeddings_label_as_its_images(tmp_path, classes_file, tiny_siglip2):
    paths = write_images(tmp_path / "images", NAFLEX_SIZES)
    store = tmp_path / "photos.zsl"
    args = ["embed", *paths, "--store", store, "-m", tiny_siglip2, "-q"]
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    stored = label_jsonl("--embeddings", store, "-c", classes_file, "-m", tiny_siglip2, "-q")
    direct = label_jsonl(*paths, "-c", classes_file, "-m", tiny_siglip2, "-q")
    assert stored.keys() == direct.keys() == {path.name for path in paths}
    for name, scores in direct.items():
        assert max(abs(scores[c] - stored[name][c]) for c in CLASSES) < 1e-6
