"""Embeddings a model cannot make: an image whose embedding overflows (fp16) or is zero fails on
its own (status encode_error, a reason with the way out), and never stops the run or shifts the
other images' results; prompts that embed so end the run. Features too large for a norm in
float32 are still unit vectors, and a score head that cannot separate scores is warned of."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file, save_file
from transformers import CLIPImageProcessor, CLIPModel
from typer.testing import CliRunner

from zsl_cli.api import head_warnings
from zsl_cli.cli import app
from zsl_cli.encoders import load_encoder
from zsl_cli.encoders.base import ScoreHead
from zsl_cli.encoders.hf import _normalised, _pooled
from zsl_cli.errors import ZslError

FP16_MAX = 65504.0


def cli(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def rows_of(text: str) -> dict[str, dict[str, str]]:
    return {Path(row["path"]).name: row for row in csv.DictReader(io.StringIO(text))}


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
    folder = tmp_path / "images"
    folder.mkdir()
    for name, colour in {
        "black": (0, 0, 0),
        "white": (255, 255, 255),
        "red": (200, 30, 30),
    }.items():
        Image.new("RGB", (50, 40), colour).save(folder / f"{name}.png")
    noise = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    Image.fromarray(noise).save(folder / "noise.png")
    return folder


@pytest.fixture()
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("cat\ndog\nbird\n")
    return path


def overflowing_for_one(model: Path, folder: Path, images: Path) -> tuple[Path, str]:
    """A copy of `model` whose first embedding value overflows fp16 (65504) for one of the
    images only, and stays within float32 for all: returns it and that image's name.

    The pooled value at the position k where one image stands out most from the others (by a
    factor r of 4 or more) is scaled up in the post-layernorm, and the projection's first row
    reads that position alone: that image's value lands at 65504 * sqrt(r), the others' below
    65504 / sqrt(r), so fp16's rounding inside the towers leaves the split as it is."""
    paths = sorted(images.iterdir())
    clip = CLIPModel.from_pretrained(model).eval()
    inputs = CLIPImageProcessor.from_pretrained(model)(
        images=[Image.open(path).convert("RGB") for path in paths], return_tensors="pt"
    )
    with torch.no_grad():
        pooled = clip.vision_model(**inputs).pooler_output.abs().double()
    best = (0.0, 0, 0)  # ratio, image, position
    for i in range(len(paths)):
        others = torch.cat([pooled[:i], pooled[i + 1 :]]).amax(dim=0)
        ratios = pooled[i] / others
        best = max(best, (float(ratios.max()), i, int(ratios.argmax())))
    ratio, bad, k = best
    assert ratio >= 4, "no image's pooled value stands out enough to overflow alone"
    shutil.copytree(model, folder)
    weights = load_file(folder / "model.safetensors")
    reads = 3e4  # the projection's weight: a value fp16 holds
    stretch = FP16_MAX * ratio**0.5 / (reads * float(pooled[bad, k]))
    weights["vision_model.post_layernorm.weight"][k] *= stretch
    weights["vision_model.post_layernorm.bias"][k] *= stretch
    weights["visual_projection.weight"][0] = 0.0
    weights["visual_projection.weight"][0, k] = reads
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})
    return folder, paths[bad].name


@pytest.fixture()
def one_overflows(tiny_clip, tmp_path, images) -> tuple[Path, str]:
    return overflowing_for_one(tiny_clip, tmp_path / "one-overflows", images)


def test_rows_are_unit_vectors_or_marked_unusable():
    features = torch.tensor(
        [
            [1e30, 1.0, 2.0],  # its norm overflows float32: divided by it, a zero vector
            [3.0, 4.0, 0.0],
            [0.0, 0.0, 0.0],
            [torch.inf, 1.0, 1.0],
            [torch.nan, 0.0, 0.0],
            [1e-40, 0.0, 0.0],  # subnormal: its square underflows to 0
        ]
    )
    rows = _normalised(features)
    np.testing.assert_allclose(rows[0], [1.0, 1e-30, 2e-30], rtol=1e-6)
    np.testing.assert_allclose(rows[1], [0.6, 0.8, 0.0], rtol=1e-6)
    assert not rows[2].any()  # all zero stays so: the caller fails it
    assert np.isnan(rows[3]).all() and np.isnan(rows[4]).all()
    np.testing.assert_array_equal(rows[5], [1.0, 0.0, 0.0])
    assert rows.dtype == np.float32


def test_an_image_that_embeds_as_nan_or_zero_gets_that_row_alone(tiny_clip):
    encoder = load_encoder(str(tiny_clip))
    forward = encoder._model.get_image_features
    scale = torch.tensor([[1.0], [torch.inf], [0.0], [1.0]])
    encoder._model.get_image_features = lambda **kwargs: _pooled(forward(**kwargs)) * scale
    pixels = np.random.default_rng(1).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    rows = encoder.encode_images(pixels)
    assert np.isnan(rows[1]).all() and not rows[2].any()
    np.testing.assert_allclose(np.linalg.norm(rows[[0, 3]], axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize(
    ("precision", "expected", "not_expected"),
    [
        ("fp16", "not finite: an overflow in fp16; --precision fp32 or bf16 avoids it", "weights"),
        ("bf16", "not finite: an overflow in bf16; --precision fp32 avoids it", "weights"),
        ("fp32", "not finite: the model's weights give NaN or infinite embeddings", "--precision"),
    ],
)
def test_prompts_that_embed_as_nan_end_the_run_naming_the_cause(
    tiny_clip, precision, expected, not_expected
):
    encoder = load_encoder(str(tiny_clip), precision=precision)
    forward = encoder._model.get_text_features
    encoder._model.get_text_features = lambda **kwargs: _pooled(forward(**kwargs)) * torch.inf
    with pytest.raises(ZslError, match="its embeddings of class prompts are") as info:
        encoder.encode_texts(["a photo of a cat", "a photo of a dog"])
    assert expected in info.value.message and not_expected not in info.value.message


def test_label_fails_the_overflowing_image_alone(one_overflows, images, classes, tmp_path):
    model, bad = one_overflows
    out = tmp_path / "out.csv"
    # One batch of all four: the image fails, its batch's other images do not.
    result = cli("label", images, "-c", classes, "-m", model, "--precision", "fp16", "-o", out)
    assert result.exit_code == 0, result.output
    rows = rows_of(out.read_text())
    assert len(rows) == 4
    failed = rows.pop(bad)
    assert failed["status"] == "encode_error" and failed["label"] == "" and failed["score"] == ""
    assert failed["error"] == (
        "the model's embedding of this image is not finite: an overflow in fp16; "
        "--precision fp32 or bf16 avoids it"
    )
    assert {row["status"] for row in rows.values()} == {"ok"}
    # Counted with the failures, and the way out said once, naming the image.
    assert "1 failed" in result.stderr and "encode_error" in result.stderr
    assert f"{bad}: the model's embedding of this image is not finite" in result.stderr
    assert "--precision fp32 or bf16 avoids it" in result.stderr
    # The others' results are theirs alone: as labelled without the failing image (a batch
    # each, so that batch rounding cannot differ).
    alone = tmp_path / "alone.csv"
    good = sorted(path for path in images.iterdir() if path.name != bad)
    args = ["-c", classes, "-m", model, "--precision", "fp16", "-b", 1]
    assert cli("label", *good, *args, "-o", alone).exit_code == 0
    assert cli("label", images, *args, "-o", out).exit_code == 0
    assert {name: row for name, row in rows_of(out.read_text()).items() if name != bad} == (
        rows_of(alone.read_text())
    )
    # In fp32 the model embeds every image.
    result = cli("label", images, "-c", classes, "-m", model, "-o", out)
    assert result.exit_code == 0, result.output
    assert {row["status"] for row in rows_of(out.read_text()).values()} == {"ok"}


def test_embed_stores_the_overflowing_image_as_failed_and_goes_on(
    one_overflows, images, classes, tmp_path
):
    model, bad = one_overflows
    store, counts = tmp_path / "store.zsl", tmp_path / "counts.json"
    args = ["--store", store, "-m", model, "--precision", "fp16", "--json", counts]
    # A batch each, in one worker: the failing image is not the last.
    result = cli("embed", images, *args, "-b", 1, "-j", 1)
    assert result.exit_code == 0, result.output
    report = json.loads(counts.read_text())
    assert (report["encoded"], report["failed"]) == (3, 1)
    assert report["failed_by_status"] == {"encode_error": 1}
    # The store keeps the model's fp16 vectors: another precision takes a new store.
    advice = "--precision fp32 or bf16 avoids it, in a new store (this one keeps the model's fp16"
    assert advice in result.stderr and bad in result.stderr
    # Read from the store, the image fails as it did, the others are labelled.
    out = tmp_path / "out.csv"
    result = cli("label", "--embeddings", store, "-c", classes, "-m", model, "-o", out)
    assert result.exit_code == 0, result.output
    rows = rows_of(out.read_text())
    assert rows.pop(bad)["status"] == "encode_error"
    assert len(rows) == 3 and {row["status"] for row in rows.values()} == {"ok"}
    # A rerun keeps the three and tries the failed image again (it may pass on another device),
    # failing it as before rather than stopping there.
    result = cli("embed", images, *args)
    assert result.exit_code == 0, result.output
    report = json.loads(counts.read_text())
    assert (report["encoded"], report["reused"], report["failed"]) == (0, 3, 1)


def test_weights_that_give_nan_fail_every_image_naming_the_weights(
    tiny_clip, tmp_path, images, classes
):
    model = edited(tiny_clip, tmp_path / "nan-images", **{"visual_projection.weight": np.nan})
    result = cli("label", images, "-c", classes, "-m", model)
    assert result.exit_code == 1, result.output
    rows = rows_of(result.stdout)
    assert {row["status"] for row in rows.values()} == {"encode_error"}
    for row in rows.values():
        assert "the model's weights give NaN or infinite embeddings" in row["error"]
        assert "--precision" not in row["error"]  # fp32 already: no precision helps
    model = edited(tiny_clip, tmp_path / "zero-images", **{"visual_projection.weight": 0.0})
    result = cli("label", images, "-c", classes, "-m", model)
    assert result.exit_code == 1, result.output
    assert "all zero: the model's weights give zero embeddings" in result.stdout
    # The prompts are the run's set-up: the run ends, in one line, at the load's one prompt.
    model = edited(tiny_clip, tmp_path / "nan-texts", **{"text_projection.weight": np.nan})
    result = cli("label", images, "-c", classes, "-m", model)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert "its text model's embedding of a plain prompt is not finite" in result.stderr
    assert "weights give NaN" in result.stderr and "--precision" not in result.stderr


def test_features_whose_norm_overflows_float32_are_still_unit_vectors(
    tiny_clip, tmp_path, images, classes
):
    # Every image's first value ~1e30: its square overflows float32, and each embedding was a
    # zero vector, every score 1/3 and every stored vector "damaged" to the store's reader.
    model = shutil.copytree(tiny_clip, tmp_path / "large")
    weights = load_file(model / "model.safetensors")
    weights["visual_projection.weight"][0] = 1e30
    save_file(weights, model / "model.safetensors", metadata={"format": "pt"})
    result = cli("label", images, "-c", classes, "-m", model, "-k", 0)
    assert result.exit_code == 0, result.output
    rows = rows_of(result.stdout)
    assert {row["status"] for row in rows.values()} == {"ok"}
    assert all(row["score"] != "0.3333333" for row in rows.values())
    store, export = tmp_path / "store.zsl", tmp_path / "vectors.npy"
    result = cli("embed", images, "--store", store, "-m", model, "--export", export)
    assert result.exit_code == 0, result.output
    vectors = np.load(export)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    from_store = cli("label", "--embeddings", store, "-c", classes, "-m", model, "-k", 0)
    assert from_store.exit_code == 0, from_store.output
    assert rows_of(from_store.stdout) == rows


@pytest.mark.parametrize(
    ("head", "warned"),
    [
        (ScoreHead("softmax", 100.0), None),
        (ScoreHead("softmax", 0.01), None),  # scores within 2% of each other: still some
        (ScoreHead("softmax", 4e-4), "every score within 0.1% of 1 / the number of classes"),
        (ScoreHead("softmax", 2e-9), "every score within 0.1% of 1 / the number of classes"),
        (ScoreHead("sigmoid", 10.0, -10.0), None),  # SigLIP's own
        (ScoreHead("sigmoid", 10.0, 26.0), None),  # the lowest logit, 16, is below 1 still
        (ScoreHead("sigmoid", 10.0, 28.0), "every score 1 (to 7 digits)"),
        (ScoreHead("sigmoid", 10.0, -1000.0), "every score below 1e-7"),
        (ScoreHead("sigmoid", 100.0, -1000.0), "every score below 1e-7"),
        (ScoreHead("sigmoid", 100.0, 50.0), None),  # the scale spans both ends
    ],
)
def test_a_head_that_cannot_separate_scores_is_warned_of(head, warned):
    warnings = head_warnings(head)
    if warned is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and warned in warnings[0]
        assert "--threshold tell nothing" in warnings[0]


def test_label_warns_of_such_a_head(tiny_clip, tiny_siglip, tmp_path, images, classes):
    flat = edited(tiny_clip, tmp_path / "flat", logit_scale=-20.0)
    result = cli("label", images, "-c", classes, "-m", flat)
    assert result.exit_code == 0, result.output
    assert "warning: the model's score scale of 2.06e-09 makes every score within" in (
        result.stderr
    )
    saturated = edited(tiny_siglip, tmp_path / "saturated", logit_bias=40.0)
    result = cli("label", images, "-c", classes, "-m", saturated)
    assert result.exit_code == 0, result.output
    assert "and bias of 40 make every score 1 (to 7 digits)" in result.stderr
    result = cli("label", images, "-c", classes, "-m", tiny_clip)
    assert "tell nothing" not in result.stderr


def test_a_store_of_another_width_is_named_as_the_users_store(tiny_clip, tmp_path, images, classes):
    store = tmp_path / "store.zsl"
    assert cli("embed", images, "--store", store, "-m", tiny_clip).exit_code == 0
    # Its model row and vectors made 8 values wide, as one another model filled would be.
    with sqlite3.connect(store) as connection:
        connection.execute("UPDATE models SET dim = 8")
        for path, blob in connection.execute("SELECT path, vector FROM files").fetchall():
            vector = np.frombuffer(blob, dtype="<f4")[:8]
            vector = (vector / np.linalg.norm(vector)).astype("<f4")
            connection.execute(
                "UPDATE files SET vector = ? WHERE path = ?", (vector.tobytes(), path)
            )
    connection.close()
    result = cli("label", "--embeddings", store, "-c", classes, "-m", tiny_clip)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert "its vectors have 8 values, the model's 16: another model's store, or a damaged" in (
        result.stderr
    )
    assert "an Encoder gives" not in result.stderr


@pytest.mark.parametrize(("value", "said"), [(np.nan, "not finite"), (0.0, "all zero")])
def test_a_callers_encoder_whose_prompt_embeds_as_nan_or_zero_is_refused(tiny_clip, value, said):
    # One NaN prompt made every image's scores NaN, status ok, where an Encoder of a caller's
    # own gave it (ours refuses it itself).
    from zsl_cli import api

    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip), device="cpu"))

    class OneBadPrompt:
        def __getattr__(self, name):
            return getattr(encoder, name)

        def encode_texts(self, texts):
            embeddings = encoder.encode_texts(texts)
            embeddings[1] = value
            return embeddings

    plan = api.plan_classes(api.ClassOptions(classes=["cat", "dog"], templates="imagenet7"))
    with pytest.raises(ZslError, match=f"its embeddings of class prompts are {said}"):
        api.build_classifier(*plan, OneBadPrompt())


def test_hubness_says_why_an_image_failed_as_label_does(one_overflows, images, classes):
    # It counted encode_error among the failures without the reason and the way out.
    model, bad = one_overflows
    result = cli("hubness", images, "-c", classes, "-m", model, "--precision", "fp16")
    assert result.exit_code == 0, result.output
    assert f"{bad}: the model's embedding of this image is not finite" in result.stderr
    assert "--precision fp32 or bf16 avoids it" in result.stderr
