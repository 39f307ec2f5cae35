"""The bundled shapes-demo model: loading with stock transformers, zero-shot accuracy, training.

Accuracies are computed here with the stock API (AutoModel + AutoProcessor, get_image_features /
get_text_features) and a direct mean per-class top-1, independent of zsl_cli.demo.evaluate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import zsl_cli
from zsl_cli.demo import world
from zsl_cli.demo.captions import training_captions
from zsl_cli.demo.train import (
    Subject,
    TrainSettings,
    hue_rotation,
    positive_mask,
    train,
)
from zsl_cli.errors import ZslError

MODEL_DIR = Path(zsl_cli.__file__).parent / "models" / "shapes-demo"
FRESH_SEED = 4242  # used by no other file, by training or by the sample set
PER_CLASS = 20


def _pooled(output: object) -> torch.Tensor:
    # transformers 5.x returns a BaseModelOutputWithPooling, 4.x the projected tensor itself.
    return output if isinstance(output, torch.Tensor) else output.pooler_output


def _load(model_dir: Path) -> tuple[object, object]:
    from transformers import AutoModel, AutoProcessor

    return AutoModel.from_pretrained(model_dir).eval(), AutoProcessor.from_pretrained(model_dir)


def _image_embeddings(model: object, processor: object, images: list) -> np.ndarray:
    with torch.no_grad():
        inputs = processor(images=images, return_tensors="pt")
        embeds = _pooled(model.get_image_features(pixel_values=inputs["pixel_values"]))
    return torch.nn.functional.normalize(embeds, dim=-1).numpy()


def _text_embeddings(model: object, processor: object, texts: list[str]) -> np.ndarray:
    with torch.no_grad():
        inputs = processor(text=texts, padding=True, truncation=True, return_tensors="pt")
        embeds = _pooled(
            model.get_text_features(
                input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]
            )
        )
    return torch.nn.functional.normalize(embeds, dim=-1).numpy()


def _mean_per_class_top1(scores: np.ndarray, truth: np.ndarray) -> float:
    predicted = scores.argmax(axis=1)
    return float(np.mean([np.mean(predicted[truth == c] == c) for c in np.unique(truth)]))


def _render(seed: int, classes: list[world.ShapeClass], per_class: int) -> list:
    images = []
    for cls in classes:
        rng = world.class_rng(seed, cls)
        images += [world.render(cls, rng) for _ in range(per_class)]
    return images


def _unseen_only_accuracy(model_dir: Path, seed: int, per_class: int) -> float:
    model, processor = _load(model_dir)
    unseen = world.unseen_classes()
    images = _image_embeddings(model, processor, _render(seed, unseen, per_class))
    texts = _text_embeddings(model, processor, [f"a photo of a {c.name}." for c in unseen])
    return _mean_per_class_top1(images @ texts.T, np.repeat(np.arange(len(unseen)), per_class))


# ---------------------------------------------------------------------------------------------
# The shipped model


@pytest.fixture(scope="module")
def shipped() -> dict[str, float]:
    """Accuracies of the shipped model on a freshly rendered set (seed FRESH_SEED)."""
    model, processor = _load(MODEL_DIR)
    classes = world.all_classes()
    names = [c.name for c in classes]
    unseen = [names.index(name) for name in world.UNSEEN_CLASSES]

    images = _image_embeddings(model, processor, _render(FRESH_SEED, classes, PER_CLASS))
    truth = np.repeat(np.arange(len(classes)), PER_CLASS)
    texts = _text_embeddings(model, processor, [f"a photo of a {n}." for n in names])
    scores = images @ texts.T

    rows = np.isin(truth, unseen)
    unseen_truth = np.array([unseen.index(t) for t in truth[rows]])
    colour = _text_embeddings(
        model, processor, [f"a photo of something {names[i].split()[0]}." for i in unseen]
    )
    shape = _text_embeddings(
        model, processor, [f"a photo of something {names[i].split()[1]}." for i in unseen]
    )
    attribute_classes = colour + shape
    attribute_classes /= np.linalg.norm(attribute_classes, axis=1, keepdims=True)
    return {
        "unseen_only": _mean_per_class_top1(scores[np.ix_(rows, unseen)], unseen_truth),
        "all_classes": _mean_per_class_top1(scores, truth),
        "attributes_unseen": _mean_per_class_top1(images[rows] @ attribute_classes.T, unseen_truth),
        "logit_scale": model.logit_scale.exp().item(),
    }


def test_shipped_model_labels_unseen_classes(shipped: dict[str, float]) -> None:
    assert shipped["unseen_only"] >= 0.90, shipped


def test_shipped_model_labels_all_classes(shipped: dict[str, float]) -> None:
    assert shipped["all_classes"] >= 0.70, shipped


def test_shipped_model_attribute_prompts(shipped: dict[str, float]) -> None:
    assert shipped["attributes_unseen"] >= 0.80, shipped


def test_logit_scale_is_learned_and_sensible(shipped: dict[str, float]) -> None:
    assert 5.0 < shipped["logit_scale"] < 100.0


def test_model_files_are_small_and_complete() -> None:
    names = {p.name for p in MODEL_DIR.iterdir()}
    expected = {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.json",
        "merges.txt",
        "preprocessor_config.json",
        "README.md",
    }
    assert expected <= names
    assert sum(p.stat().st_size for p in MODEL_DIR.iterdir()) < 5_000_000
    config = json.loads((MODEL_DIR / "config.json").read_text())
    assert config["model_type"] == "clip"
    preprocessor = json.loads((MODEL_DIR / "preprocessor_config.json").read_text())
    assert preprocessor["image_processor_type"] == "CLIPImageProcessor"
    assert preprocessor["resample"] == 3 and preprocessor["do_center_crop"]
    size = config["vision_config"]["image_size"]
    assert preprocessor["size"] == {"shortest_edge": size}
    assert preprocessor["crop_size"] == {"height": size, "width": size}


# ---------------------------------------------------------------------------------------------
# Loading like a hub checkpoint


def test_loads_with_auto_classes() -> None:
    from transformers import (
        AutoImageProcessor,
        AutoModel,
        AutoProcessor,
        AutoTokenizer,
        CLIPModel,
        CLIPProcessor,
    )

    assert isinstance(AutoModel.from_pretrained(MODEL_DIR), CLIPModel)
    processor = AutoProcessor.from_pretrained(MODEL_DIR)
    assert isinstance(processor, CLIPProcessor)
    image_processor = AutoImageProcessor.from_pretrained(MODEL_DIR)
    assert type(image_processor).__name__.startswith("CLIPImageProcessor")
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    assert type(tokenizer).__name__.startswith("CLIPTokenizer")


def test_tokenizer_adds_special_tokens_and_handles_any_text() -> None:
    from transformers import AutoConfig, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    config = AutoConfig.from_pretrained(MODEL_DIR).text_config
    ids = tokenizer("a photo of a red circle.")["input_ids"]
    assert ids[0] == tokenizer.bos_token_id == config.bos_token_id
    assert ids[-1] == tokenizer.eos_token_id == config.eos_token_id
    assert tokenizer.bos_token == "<|startoftext|>" and tokenizer.eos_token == "<|endoftext|>"
    assert tokenizer.decode(ids, skip_special_tokens=True) == "a photo of a red circle ."
    # Words the corpus never had, accents and emoji fall back to bytes, never to failure.
    odd = tokenizer("A Zebra über 🦓 café")["input_ids"]
    assert tokenizer.unk_token_id not in odd[1:-1]
    assert tokenizer.decode(odd, skip_special_tokens=True) == "a zebra über 🦓 café"
    # Truncation keeps the sequence inside the position table and still ends with EOS.
    long = tokenizer(["red " * 500], truncation=True)["input_ids"][0]
    assert len(long) == tokenizer.model_max_length <= config.max_position_embeddings
    assert long[-1] == tokenizer.eos_token_id


def test_zero_shot_pipeline(tmp_path: Path) -> None:
    from transformers import pipeline

    classifier = pipeline("zero-shot-image-classification", model=str(MODEL_DIR))
    rng = world.class_rng(FRESH_SEED + 1, world.ShapeClass("blue", "star"))
    image = world.render(world.ShapeClass("blue", "star"), rng)
    result = classifier(image, candidate_labels=["blue star", "red square", "green circle"])
    assert [r["label"] for r in result][0] == "blue star"
    assert abs(sum(r["score"] for r in result) - 1.0) < 1e-4


# ---------------------------------------------------------------------------------------------
# Training


def test_positive_mask_agrees_with_caption_matches() -> None:
    captions = training_captions().all_captions()[::7]
    classes = world.seen_classes()
    subjects = [Subject(c.colour, c.shape) for c in classes]
    mask = positive_mask(subjects, captions)
    expected = [[float(caption.matches(cls)) for caption in captions] for cls in classes]
    assert mask.tolist() == expected
    # A recoloured image matches shape-only captions of its shape and nothing that names a colour.
    recoloured = positive_mask([Subject(None, "circle")], captions)[0]
    for caption, positive in zip(captions, recoloured, strict=True):
        assert positive == float(caption.colour is None and caption.shape in (None, "circle"))


def test_hue_rotation_recolours_into_off_palette_bands() -> None:
    import colorsys

    for colour, hue in world.COLOUR_HUES.items():
        rgb = np.array(colorsys.hsv_to_rgb(hue, 0.9, 0.9))
        for low, high in world.OFF_PALETTE_HUE_BANDS:
            target = (low + high) / 2
            rotated = 0.5 + hue_rotation(2 * np.pi * (target - hue)) @ (rgb - 0.5)
            new_hue = colorsys.rgb_to_hsv(*np.clip(rotated, 0, 1))[0]
            assert abs(new_hue - target) < 0.02, (colour, target, new_hue)
            # The new hue is far from every colour of the world.
            for palette_hue in world.COLOUR_HUES.values():
                assert abs((new_hue - palette_hue + 0.5) % 1.0 - 0.5) > 0.03


def test_tokenizer_merges_do_not_depend_on_the_process() -> None:
    """BPE ties are broken the same way in every process (the tokenizers trainer's are not)."""
    code = (
        "from zsl_cli.demo.captions import training_captions as t; "
        "from zsl_cli.demo.tokenizer import learn_merges as m; "
        "print(m(c.text for c in t().all_captions()))"
    )
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
    printed = outputs.pop()
    assert "('o', 'f</w>')" in printed and printed.count("), (") > 100


# 60 steps already label the unseen classes at 0.97-1.0 (seeds 1-4 and 3, against 1.0 at 120),
# far above the 0.6 asked; each step costs as much as one at the default settings.
SHORT = TrainSettings(
    seed=3,
    steps=60,
    text_warmup_steps=30,
    warmup_steps=20,
    batch_size=64,
    images_per_class=30,
    eval_sets=0,
)


# Reproducibility does not depend on how long training runs: a few steps of every phase (text
# warm-up, learning-rate warm-up, recoloured images from the first joint step) at SHORT's batch
# size show any difference between two runs, at a fraction of SHORT's cost.
BRIEF = TrainSettings(
    seed=3,
    steps=8,
    text_warmup_steps=4,
    warmup_steps=4,
    recolour_ramp_steps=1,
    batch_size=64,
    images_per_class=8,
    eval_sets=0,
)


@pytest.fixture(scope="module")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("short") / "model"
    train(out, SHORT)
    return out


def test_short_training_beats_chance_on_unseen_classes(short_run: Path) -> None:
    accuracy = _unseen_only_accuracy(short_run, seed=FRESH_SEED + 2, per_class=10)
    assert accuracy >= 0.6, accuracy  # chance is 1/6


def test_training_is_reproducible(tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    runs = [tmp_path / "first", tmp_path / "second"]
    for out in runs:
        train(out, BRIEF)
    first = load_file(runs[0] / "model.safetensors")
    second = load_file(runs[1] / "model.safetensors")
    assert first.keys() == second.keys()
    for name in first:
        assert np.array_equal(first[name], second[name]), name
    for name in ("tokenizer.json", "vocab.json", "merges.txt", "preprocessor_config.json"):
        assert (runs[0] / name).read_bytes() == (runs[1] / name).read_bytes()


def test_training_refuses_a_seed_its_image_sets_cannot_use(tmp_path: Path) -> None:
    # Its evaluation sets use seeds 2,000,000 above it; make-images seeds are 32-bit.
    for seed in (-1, 2**32 - 2_000_000):
        with pytest.raises(ZslError, match="--seed must be from 0 to 4292967293"):
            train(tmp_path / "model", TrainSettings(seed=seed, steps=1))
    assert not (tmp_path / "model").exists()


def test_training_refuses_an_output_that_cannot_be_a_folder(tmp_path: Path) -> None:
    # Refused before training (which takes minutes at the default steps), as one line.
    a_file = tmp_path / "model"
    a_file.write_text("x")
    for out_dir in (a_file, a_file / "inside"):
        with pytest.raises(ZslError, match="cannot create .*model"):
            train(out_dir, TrainSettings(seed=0, steps=1, text_warmup_steps=0, eval_sets=0))


def test_training_refuses_a_transformers_that_cannot_build_its_tokenizer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # transformers 4.x loads the bundled model but cannot build its tokenizer from a vocabulary
    # in memory: one line, before any work, not a TypeError from inside it.
    import transformers

    monkeypatch.setattr(transformers, "__version__", "4.57.6")
    with pytest.raises(ZslError, match="needs transformers 5 or later .this is 4.57.6."):
        train(tmp_path / "model", TrainSettings(seed=0, steps=1))
    assert not (tmp_path / "model").exists()


def test_training_writes_no_progress_bar_of_transformers(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # Its log is a line per phase on stderr; save_pretrained added a "Writing model shards"
    # bar there, its carriage returns in the middle of the log.
    import transformers

    transformers.logging.enable_progress_bar()  # as in a fresh process
    log: list[str] = []
    train(
        tmp_path / "model",
        # One step of one batch of 8: the bar comes from saving, whatever the training was.
        TrainSettings(
            seed=0, steps=1, eval_sets=0, images_per_class=1, text_warmup_steps=0, batch_size=8
        ),
        log.append,
    )
    assert (tmp_path / "model" / "model.safetensors").is_file()
    assert capfd.readouterr().err == ""
    assert any(line.startswith("saved to ") for line in log)
    assert transformers.logging.is_progress_bar_enabled()  # the setting is put back
