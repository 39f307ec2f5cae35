"""Train the shapes-demo CLIP from scratch on the SEEN classes of the shapes world.

Images and captions of unseen classes never appear, not even as negatives. Captions name a seen
class (several templates, description-style phrases) or only one attribute ("something red",
"a circle shape"). The loss is CLIP's symmetric in-batch loss with every caption that is true of
an image counted as a positive ("something red" describes every red image in a batch), plus each
image scored against the full prompt sets of one template (all shapes, all colours, all seen
classes). Against the seen-class shortcut ("red and round, so the red hexagon") the text tower is
warmed up first and part of the images are recoloured into hues no class uses, captioned by their
shape only.

torch and transformers are imported inside the functions, so importing this module stays cheap.
Training needs transformers 5.x (the tokenizer is built from an in-memory vocabulary); the saved
files load with 4.45+ as well.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zsl_cli.demo.captions import Caption, CaptionPools, training_captions
from zsl_cli.demo.evaluate import evaluate_world, pooled, render_set
from zsl_cli.demo.tokenizer import build_tokenizer, write_slow_tokenizer_files
from zsl_cli.demo.world import (
    COLOUR_HUES,
    COLOURS,
    MAX_SEED,
    OFF_PALETTE_HUE_BANDS,
    SHAPES,
    seen_classes,
)
from zsl_cli.errors import ZslError
from zsl_cli.files import why_not_created

if TYPE_CHECKING:
    from transformers.image_processing_utils import BaseImageProcessor

# Training images are rendered with make-images seed TRAIN_SEED_OFFSET + seed and the closing
# evaluation with EVAL_SEED_OFFSET + seed + k, so small seeds stay free for tests and samples.
TRAIN_SEED_OFFSET = 1_000_000
EVAL_SEED_OFFSET = 2_000_000

Log = Callable[[str], None]


@dataclass(frozen=True)
class TrainSettings:
    seed: int = 0
    steps: int = 1200
    # One thread: on a 2-core machine shared with other work, two threads measured 2x slower.
    threads: int = 1
    batch_size: int = 128
    images_per_class: int = 480  # rendered once per seen class, reused every epoch
    learning_rate: float = 2e-3
    weight_decay: float = 0.05
    warmup_steps: int = 100
    text_warmup_steps: int = 200  # text-only steps before joint training (see _warm_up_text)
    # Share of captions per kind; the rest name the whole class.
    colour_only_share: float = 0.2
    shape_only_share: float = 0.2
    # Share of images recoloured to hues no class uses (captioned by their shape only).
    recolour_share: float = 0.7
    recolour_ramp_steps: int = 400  # the share grows linearly from 0 over these steps
    image_size: int = 32
    patch_size: int = 8
    vision_width: int = 96
    vision_layers: int = 3
    text_width: int = 64
    text_layers: int = 2
    heads: int = 4
    embed_dim: int = 64
    initial_logit_scale: float = 30.0
    max_logit_scale: float = 100.0  # CLIP's clamp
    eval_sets: int = 3  # closing evaluation: this many fresh sets ...
    eval_per_class: int = 20  # ... of this many images per class
    log_every: int = 100

    @property
    def largest_seed(self) -> int:
        """The largest --seed whose closing evaluation sets (the last seeds used) have a
        make-images seed."""
        return MAX_SEED - EVAL_SEED_OFFSET - self.eval_sets + 1


def build_image_processor(image_size: int) -> Any:
    """CLIP preprocessing at the model's size: shortest edge, bicubic, centre crop, normalise."""
    # The PIL backend resizes exactly as the tool's own preprocessing does (PIL bicubic); it saves
    # as "CLIPImageProcessor", so any backend can load the files.
    processor_class: type[BaseImageProcessor]  # one of two classes, by transformers version
    try:
        from transformers import CLIPImageProcessorPil as processor_class
    except ImportError:  # transformers 4.x has only the PIL-based class, under this name
        from transformers import CLIPImageProcessor as processor_class

    return processor_class(
        size={"shortest_edge": image_size},
        crop_size={"height": image_size, "width": image_size},
        resample=3,  # PIL bicubic
        do_center_crop=True,
        # Mid-grey centre and a spread that suits the world's saturated colours.
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.25, 0.25, 0.25],
    )


def build_model(settings: TrainSettings, tokenizer: Any) -> Any:
    from transformers import CLIPConfig, CLIPModel

    text_config = {
        "vocab_size": len(tokenizer),
        "hidden_size": settings.text_width,
        "intermediate_size": settings.text_width * 2,
        "num_hidden_layers": settings.text_layers,
        "num_attention_heads": settings.heads,
        "max_position_embeddings": tokenizer.model_max_length,
        "projection_dim": settings.embed_dim,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    vision_config = {
        "hidden_size": settings.vision_width,
        "intermediate_size": settings.vision_width * 2,
        "num_hidden_layers": settings.vision_layers,
        "num_attention_heads": settings.heads,
        "image_size": settings.image_size,
        "patch_size": settings.patch_size,
        "projection_dim": settings.embed_dim,
    }
    config = CLIPConfig(
        text_config=text_config,
        vision_config=vision_config,
        projection_dim=settings.embed_dim,
        logit_scale_init_value=math.log(settings.initial_logit_scale),
    )
    return CLIPModel(config)


@dataclass(frozen=True)
class Subject:
    """What a training image shows: colour None means recoloured to a hue no class uses."""

    colour: str | None
    shape: str


class CaptionSampler:
    """Draws one caption per image: class captions, colour-only or shape-only ones."""

    def __init__(
        self, pools: CaptionPools, settings: TrainSettings, rng: np.random.Generator
    ) -> None:
        self._pools = pools
        self._settings = settings
        self._rng = rng

    def sample(self, subject: Subject) -> Caption:
        draw = self._rng.random()
        if subject.colour is None:  # no colour word is true of it, and it is no class
            pool = self._pools.by_shape[subject.shape]
        elif draw < self._settings.colour_only_share:
            pool = self._pools.by_colour[subject.colour]
        elif draw < self._settings.colour_only_share + self._settings.shape_only_share:
            pool = self._pools.by_shape[subject.shape]
        else:
            pool = self._pools.by_class[f"{subject.colour} {subject.shape}"]
        return pool[int(self._rng.integers(len(pool)))]


def train(out_dir: Path, settings: TrainSettings, log: Log | None = None) -> None:
    """Train, save in save_pretrained form into `out_dir`, evaluate on fresh sets; progress and
    scores go to `log` where one is given."""
    for option, count in (("--steps", settings.steps), ("--threads", settings.threads)):
        if count < 1:
            raise ZslError(f"{option} must be at least 1, got {count}")
    import transformers

    if int(transformers.__version__.split(".")[0]) < 5:
        # 4.x builds no tokenizer from an in-memory vocabulary (a TypeError deep in it).
        raise ZslError(
            f"training the demo model needs transformers 5 or later (this is "
            f"{transformers.__version__}); the bundled model loads with 4.45 and later"
        )
    if not 0 <= settings.seed <= settings.largest_seed:
        raise ZslError(f"--seed must be from 0 to {settings.largest_seed}, got {settings.seed}")
    made = not out_dir.exists()
    try:
        # Now, not after minutes of training: an output path that cannot be a folder fails here.
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ZslError(f"cannot create {out_dir}: {why_not_created(error)}") from None
    try:
        _train_and_save(out_dir, settings, log or (lambda message: None))
    except BaseException:
        # A run that fails or is stopped before saving (no temporary folder, Ctrl-C) leaves no
        # empty model folder to be taken for a model.
        if made and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise


def _train_and_save(out_dir: Path, settings: TrainSettings, say: Log) -> None:
    import torch
    import torch.nn.functional as F

    wall_start, cpu_start = time.perf_counter(), time.process_time()
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    rng = np.random.default_rng(settings.seed)

    pools = training_captions()
    captions = pools.all_captions()
    tokenizer = build_tokenizer(c.text for c in captions)
    image_processor = build_image_processor(settings.image_size)
    model = build_model(settings, tokenizer)
    parameters = sum(p.numel() for p in model.parameters())
    say(f"model: {parameters:,} parameters; vocabulary {len(tokenizer)} tokens")

    classes = seen_classes()
    images = render_set(TRAIN_SEED_OFFSET + settings.seed, classes, settings.images_per_class)
    pixels = image_processor(images, return_tensors="pt")["pixel_values"]
    image_class = np.repeat(np.arange(len(classes)), settings.images_per_class)
    recolour = Recolourer(image_processor.image_mean, image_processor.image_std)
    say(f"rendered {len(images)} training images of {len(classes)} seen classes")

    tokens = tokenizer([c.text for c in captions], padding=True, return_tensors="pt")
    caption_index = {caption: i for i, caption in enumerate(captions)}
    lengths = tokens["attention_mask"].sum(dim=1)
    sampler = CaptionSampler(pools, settings, rng)
    if settings.text_warmup_steps:
        text_loss = _warm_up_text(model, tokens, captions, settings, rng)
        say(f"text warm-up: {settings.text_warmup_steps} steps, loss {text_loss:.3f}")

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embedding" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2 or "embedding" in n]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": settings.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=settings.learning_rate,
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _warmup_cosine(settings))

    model.train()
    loss_value = float("nan")
    for step in range(1, settings.steps + 1):
        batch = rng.integers(len(image_class), size=settings.batch_size)
        batch_pixels = _mirror(pixels[torch.from_numpy(batch)], rng)
        # Recolour nothing at first: shape is picked up much sooner from the plain images, and
        # the recoloured ones then teach it apart from colour.
        share = settings.recolour_share * min(1.0, step / settings.recolour_ramp_steps)
        recoloured = rng.random(settings.batch_size) < share
        batch_pixels = recolour(
            batch_pixels, [classes[i].colour for i in image_class[batch]], recoloured, rng
        )
        subjects = [
            Subject(None if recoloured[k] else classes[i].colour, classes[i].shape)
            for k, i in enumerate(image_class[batch])
        ]
        batch_captions = [sampler.sample(subject) for subject in subjects]
        prompt_sets = _prompt_sets(pools, rng)
        all_captions = batch_captions + [c for prompts in prompt_sets for c in prompts]
        rows = torch.tensor([caption_index[c] for c in all_captions])
        text_embeds = _caption_embeddings(model, tokens, lengths, rows)
        image_embeds = F.normalize(pooled(model.get_image_features(pixel_values=batch_pixels)))
        scale = model.logit_scale.exp()
        batch_text, shape_text, colour_text, class_text = text_embeds.split(
            [len(batch_captions), *(len(prompts) for prompts in prompt_sets)]
        )

        # CLIP's in-batch loss, with every true caption a positive.
        logits = scale * image_embeds @ batch_text.T
        positives = torch.from_numpy(positive_mask(subjects, batch_captions))
        image_to_text = -(F.log_softmax(logits, dim=1) * positives).sum(1) / positives.sum(1)
        text_to_image = -(F.log_softmax(logits, dim=0) * positives).sum(0) / positives.sum(0)
        in_batch = (image_to_text.mean() + text_to_image.mean()) / 2
        # Each image against the full prompt sets of one template: a dense signal for shape,
        # colour and (seen) class that in-batch negatives alone give only slowly.
        shape_target = torch.tensor([SHAPES.index(s.shape) for s in subjects])
        coloured = torch.from_numpy(~recoloured)
        colour_target = torch.tensor([COLOURS.index(s.colour or "red") for s in subjects])
        class_target = torch.from_numpy(image_class[batch])
        shape_loss = F.cross_entropy(scale * image_embeds @ shape_text.T, shape_target)
        if coloured.any():
            colour_loss = F.cross_entropy(
                scale * image_embeds[coloured] @ colour_text.T, colour_target[coloured]
            )
            class_loss = F.cross_entropy(
                scale * image_embeds[coloured] @ class_text.T, class_target[coloured]
            )
        else:  # a batch that is all recoloured has no colour or class to learn
            colour_loss = class_loss = torch.zeros(())
        loss = (in_batch + shape_loss + colour_loss + class_loss) / 4

        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0.0, math.log(settings.max_logit_scale))
        loss_value = float(loss.detach())
        if step % settings.log_every == 0 or step == settings.steps:
            elapsed = time.perf_counter() - wall_start
            say(
                f"step {step}/{settings.steps}  loss {loss_value:.4f}  "
                f"scale {model.logit_scale.exp().item():.1f}  {elapsed:.0f}s  "
                f"[in-batch {in_batch.item():.3f} shape {shape_loss.item():.3f} "
                f"colour {colour_loss.item():.3f} class {class_loss.item():.3f}]"
            )

    model.eval()
    save_model(out_dir, model, tokenizer, image_processor)
    wall_s = time.perf_counter() - wall_start
    cpu_s = time.process_time() - cpu_start
    say(f"saved to {out_dir} after {wall_s:.1f}s wall, {cpu_s:.1f}s CPU")

    for k in range(settings.eval_sets):
        eval_seed = EVAL_SEED_OFFSET + settings.seed + k
        scores = evaluate_world(
            model, image_processor, tokenizer, eval_seed, settings.eval_per_class
        )
        say(
            f"held-out set seed {eval_seed} ({settings.eval_per_class}/class): "
            f"unseen-only {scores.unseen_only:.3f}  all-class {scores.all_classes:.3f}  "
            f"(seen {scores.seen_gzsl:.3f}, unseen {scores.unseen_gzsl:.3f})  "
            f"attributes-unseen {scores.attributes_unseen:.3f}"
        )


def _prompt_sets(pools: CaptionPools, rng: np.random.Generator) -> list[list[Caption]]:
    """One template each, drawn at random: every shape, every colour, every seen class."""
    sets = []
    for groups in (pools.by_shape, pools.by_colour, pools.by_class):
        # Every group of a kind is built from the same templates in the same order.
        template = int(rng.integers(min(len(g) for g in groups.values())))
        sets.append([captions[template] for captions in groups.values()])
    return sets


def positive_mask(subjects: list[Subject], captions: list[Caption]) -> np.ndarray:
    """float32 [images, captions]: 1 where the caption is true of the image."""
    caption_colour = np.array([c.colour or "" for c in captions])
    caption_shape = np.array([c.shape or "" for c in captions])
    # A recoloured image has no world colour: "" never equals a colour word.
    image_colour = np.array([s.colour or "-" for s in subjects])
    image_shape = np.array([s.shape for s in subjects])
    colour_ok = (caption_colour[None, :] == "") | (caption_colour[None, :] == image_colour[:, None])
    shape_ok = (caption_shape[None, :] == "") | (caption_shape[None, :] == image_shape[:, None])
    return (colour_ok & shape_ok).astype(np.float32)


class Recolourer:
    """Rotates the hue of normalised pixel tensors about the grey axis.

    The backgrounds are near-grey, so a rotation recolours the shape and leaves the background
    nearly unchanged. Target hues are drawn from OFF_PALETTE_HUE_BANDS, so a recoloured image
    shows no class of the world (in particular never an unseen one).
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        import torch

        if len(set(std)) != 1 or len(set(mean)) != 1:
            raise ValueError("hue rotation in normalised space needs equal per-channel mean/std")
        self._low = (0.0 - mean[0]) / std[0]
        self._high = (1.0 - mean[0]) / std[0]
        self._torch = torch

    def __call__(
        self, pixels: Any, colours: list[str], chosen: np.ndarray, rng: np.random.Generator
    ) -> Any:
        torch = self._torch
        matrices = np.tile(np.eye(3), (len(colours), 1, 1))
        for k in np.nonzero(chosen)[0]:
            low, high = OFF_PALETTE_HUE_BANDS[int(rng.integers(len(OFF_PALETTE_HUE_BANDS)))]
            target = rng.uniform(low, high)
            matrices[k] = hue_rotation(2.0 * math.pi * (target - COLOUR_HUES[colours[k]]))
        rotation = torch.from_numpy(matrices.astype(np.float32))
        rotated = torch.einsum("bij,bjhw->bihw", rotation, pixels)
        return rotated.clamp(self._low, self._high)


def hue_rotation(theta: float) -> np.ndarray:
    """3x3 rotation by `theta` about the grey axis (Rodrigues); theta = 2*pi shifts hue by 1."""
    axis = np.ones(3) / math.sqrt(3.0)
    cross = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    return (
        math.cos(theta) * np.eye(3)
        + math.sin(theta) * cross
        + (1.0 - math.cos(theta)) * np.outer(axis, axis)
    )


def save_model(out_dir: Path, model: Any, tokenizer: Any, image_processor: Any) -> None:
    """Write the files a hub CLIP checkpoint has, readable by transformers 4.45+ and 5.x."""
    import transformers

    out_dir.mkdir(parents=True, exist_ok=True)
    # Its "Writing model shards" bar would land, carriage returns and all, in train's log.
    bars = transformers.logging.is_progress_bar_enabled()
    transformers.logging.disable_progress_bar()
    try:
        model.save_pretrained(out_dir)
    finally:
        if bars:
            transformers.logging.enable_progress_bar()
    tokenizer.save_pretrained(out_dir)
    image_processor.save_pretrained(out_dir)
    write_slow_tokenizer_files(tokenizer, out_dir)
    # AutoProcessor finds CLIPProcessor through this key, as in openai/clip-vit-base-patch32.
    for name in ("preprocessor_config.json", "tokenizer_config.json"):
        path = out_dir / name
        config = json.loads(path.read_text(encoding="utf-8"))
        config["processor_class"] = "CLIPProcessor"
        path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _warm_up_text(
    model: Any,
    tokens: Any,
    captions: list[Caption],
    settings: TrainSettings,
    rng: np.random.Generator,
) -> float:
    """Teach the text tower first which captions mean the same (same colour and shape).

    At initialisation every caption embeds almost alike, so images have nothing distinct to
    align with and the joint training idles for hundreds of steps before shape is picked up.
    Returns the last loss.
    """
    import torch
    import torch.nn.functional as F

    signature = np.array([f"{c.colour or ''}|{c.shape or ''}" for c in captions])
    lengths = tokens["attention_mask"].sum(dim=1)
    optimizer = torch.optim.AdamW(model.text_model.parameters(), lr=settings.learning_rate)
    loss = torch.tensor(float("nan"))
    for _ in range(settings.text_warmup_steps):
        rows = rng.integers(len(captions), size=settings.batch_size)
        embeds = _caption_embeddings(model, tokens, lengths, rows)
        same = torch.from_numpy(signature[rows][:, None] == signature[rows][None, :])
        self_pair = torch.eye(len(rows), dtype=torch.bool)
        logits = (10.0 * embeds @ embeds.T).masked_fill(self_pair, -1e4)
        positives = (same & ~self_pair).float()
        has_positive = positives.sum(1) > 0
        log_probs = F.log_softmax(logits, dim=1)
        per_row = -(log_probs * positives).sum(1)[has_positive] / positives.sum(1)[has_positive]
        loss = per_row.mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return float(loss.detach())


def _caption_embeddings(model: Any, tokens: Any, lengths: Any, rows: Any) -> Any:
    """Normalised text embeddings of the tokenized captions at `rows`, padded only to the
    longest of them."""
    import torch.nn.functional as F

    width = int(lengths[rows].max())
    features = model.get_text_features(
        input_ids=tokens["input_ids"][rows, :width],
        attention_mask=tokens["attention_mask"][rows, :width],
    )
    return F.normalize(pooled(features))


def _mirror(pixels: Any, rng: np.random.Generator) -> Any:
    """Mirror about half the images left to right: an upright shape stays upright and its class."""
    import torch

    mirror = torch.from_numpy(rng.random(len(pixels)) < 0.5)
    return torch.where(mirror[:, None, None, None], pixels.flip(-1), pixels)


def _warmup_cosine(settings: TrainSettings) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < settings.warmup_steps:
            return (step + 1) / settings.warmup_steps
        progress = (step - settings.warmup_steps) / max(1, settings.steps - settings.warmup_steps)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    return factor
