"""Zero-shot accuracy of a CLIP-style model on freshly rendered shapes-world images.

Uses only the stock transformers API (get_image_features / get_text_features), so it measures the
saved model exactly as any other user of the files would see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from zsl_cli.demo.world import (
    ShapeClass,
    all_classes,
    check_per_class,
    check_seed,
    class_rng,
    render,
    seen_classes,
    unseen_classes,
)
from zsl_cli.encoders import quiet_transformers
from zsl_cli.encoders.limits import no_temporary_folder
from zsl_cli.errors import ZslError
from zsl_cli.metrics import mean_per_class

CLASS_TEMPLATE = "a photo of a {}."
NOT_SCORED = (
    "which evaluate cannot score: it measures CLIP models as train writes them; for another "
    "model, label a make-images set with zsl label and score it with zsl evaluate"
)
ATTRIBUTE_TEMPLATE = "a photo of something {}."
# A set's images are all held at once (some 36 KB each, 160 x 160 at most): 30,000 of them are
# about a gigabyte. A typo such as --per-class 1000000 asked for 1 TB and ran out of memory.
MAX_PER_CLASS = 1_000


@dataclass(frozen=True)
class WorldScores:
    """Mean per-class top-1 accuracies on one rendered set (candidates named per field)."""

    unseen_only: float  # unseen images, unseen candidates
    all_classes: float  # all images, all 30 candidates
    seen_gzsl: float  # seen images, all 30 candidates
    unseen_gzsl: float  # unseen images, all 30 candidates
    attributes_unseen: float  # unseen images, unseen candidates built from attribute prompts


def render_set(seed: int, classes: Sequence[ShapeClass], per_class: int) -> list[Image.Image]:
    """`per_class` images of each class, class-major, as `make-images` with this seed draws them."""
    images = []
    for cls in classes:
        rng = class_rng(seed, cls)
        images += [render(cls, rng) for _ in range(per_class)]
    return images


def pooled(output: Any) -> Any:
    """The projected embedding: transformers 5.x returns a model output, 4.x a tensor."""
    import torch

    return output if isinstance(output, torch.Tensor) else output.pooler_output


def embed_images(model: Any, image_processor: Any, images: Sequence[Image.Image]) -> Any:
    """L2-normalised image embeddings [N, dim] (torch tensor)."""
    import torch

    chunks = []
    with torch.no_grad():
        for start in range(0, len(images), 256):
            batch = image_processor(list(images[start : start + 256]), return_tensors="pt")
            chunks.append(pooled(model.get_image_features(pixel_values=batch["pixel_values"])))
    embeddings = torch.cat(chunks)
    return embeddings / embeddings.norm(dim=-1, keepdim=True)


def embed_texts(model: Any, tokenizer: Any, texts: Sequence[str]) -> Any:
    """L2-normalised text embeddings [N, dim] (torch tensor)."""
    import torch

    with torch.no_grad():
        tokens = tokenizer(list(texts), padding=True, truncation=True, return_tensors="pt")
        embeddings = pooled(
            model.get_text_features(
                input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"]
            )
        )
    return embeddings / embeddings.norm(dim=-1, keepdim=True)


def mean_per_class_top1(scores: np.ndarray, truth: np.ndarray) -> float:
    """Average over the true classes present of the share of their images ranked first."""
    return mean_per_class(scores.argmax(axis=1) == truth, truth, scores.shape[1])


def evaluate_world(
    model: Any, image_processor: Any, tokenizer: Any, seed: int, per_class: int
) -> WorldScores:
    """Render `per_class` images of every class with `seed` and score them zero-shot."""
    classes = all_classes()
    names = [c.name for c in classes]
    unseen_index = np.array([names.index(c.name) for c in unseen_classes()])
    seen_index = np.array([names.index(c.name) for c in seen_classes()])

    images = embed_images(model, image_processor, render_set(seed, classes, per_class)).numpy()
    truth = np.repeat(np.arange(len(classes)), per_class)
    texts = embed_texts(model, tokenizer, [CLASS_TEMPLATE.format(n) for n in names]).numpy()
    scores = images @ texts.T

    unseen_rows = np.isin(truth, unseen_index)
    seen_rows = np.isin(truth, seen_index)
    # Re-index unseen truths into 0..5 so the restricted score matrix lines up with them.
    unseen_truth = np.searchsorted(unseen_index, truth[unseen_rows])
    unseen_scores = scores[np.ix_(unseen_rows, unseen_index)]

    attribute_classes = attribute_class_embeddings(model, tokenizer, unseen_classes())
    attribute_scores = images[unseen_rows] @ attribute_classes.T

    return WorldScores(
        unseen_only=mean_per_class_top1(unseen_scores, unseen_truth),
        all_classes=mean_per_class_top1(scores, truth),
        seen_gzsl=mean_per_class_top1(scores[seen_rows], truth[seen_rows]),
        unseen_gzsl=mean_per_class_top1(scores[unseen_rows], truth[unseen_rows]),
        attributes_unseen=mean_per_class_top1(attribute_scores, unseen_truth),
    )


def evaluate_saved(model_dir: Path, seeds: Sequence[int], per_class: int) -> dict[int, WorldScores]:
    """Load a saved model with the Auto classes and score one fresh set per seed."""
    # Before the model loads; an empty set has no accuracy.
    check_per_class(per_class, MAX_PER_CLASS, " a set, held in memory at once")
    for seed in seeds:  # before the model loads too, as make-images checks its seed at once
        check_seed(seed)
    # The scores are keyed by seed: a seed given twice was one row, without a word.
    repeated = next((seed for seed in seeds if seeds.count(seed) > 1), None)
    if repeated is not None:
        raise ZslError(
            f"--seed {repeated} given {seeds.count(repeated)} times: a seed renders the same set "
            "every time, give it once"
        )
    if not (model_dir / "config.json").is_file():
        # transformers' own reason asks for a `model_type` key in a config.json that is not there.
        raise ZslError(
            f"{model_dir} is not a model folder transformers can load: it has no config.json "
            "(is it a save_pretrained folder?)"
        )
    import torch
    from transformers import AutoModel, AutoProcessor

    torch.set_num_threads(1)
    try:
        # As zsl label loads: a report on stdout, and no loading bar or warnings on stderr.
        with quiet_transformers():
            model = AutoModel.from_pretrained(model_dir).eval()
            processor = AutoProcessor.from_pretrained(model_dir)
    except (OSError, ValueError) as error:  # no config.json, not a model transformers knows
        if no_temporary_folder(error) is not None:
            raise  # not the model's fault: the command says what is
        detail = " ".join(str(error).split())
        raise ZslError(
            f"{model_dir} is not a model folder transformers can load: {detail}"
        ) from None
    image_processor = getattr(processor, "image_processor", None)
    tokenizer = getattr(processor, "tokenizer", None)
    if image_processor is None or tokenizer is None or not hasattr(model, "get_text_features"):
        raise ZslError(f"{model_dir} holds a {type(model).__name__}, {NOT_SCORED}")
    try:
        return {
            seed: evaluate_world(model, image_processor, tokenizer, seed, per_class)
            for seed in seeds
        }
    except (KeyError, TypeError, ValueError) as error:
        # Families that tokenize, embed or pool otherwise than CLIP (SigLIP's missing attention
        # mask, SigLIP2's patch grid, FLAVA's token sequence) fail inside transformers or here.
        detail = " ".join(str(error).split())
        raise ZslError(
            f"{model_dir} holds a {type(model).__name__}, {NOT_SCORED} "
            f"({type(error).__name__}: {detail})"
        ) from None


def attribute_class_embeddings(
    model: Any, tokenizer: Any, classes: Sequence[ShapeClass]
) -> np.ndarray:
    """Class vectors: the renormalised mean of the colour and the shape prompt embeddings."""
    colour = embed_texts(model, tokenizer, [ATTRIBUTE_TEMPLATE.format(c.colour) for c in classes])
    shape = embed_texts(model, tokenizer, [ATTRIBUTE_TEMPLATE.format(c.shape) for c in classes])
    mean = (colour + shape).numpy()
    return mean / np.linalg.norm(mean, axis=1, keepdims=True)
