"""Tiny random CLIP and SigLIP checkpoints, saved with save_pretrained, for tests.

They load through the same factory and the same transformers classes as hub checkpoints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import (
    Aimv2Config,
    Aimv2Model,
    AltCLIPConfig,
    AltCLIPModel,
    CLIPConfig,
    CLIPImageProcessor,
    CLIPModel,
    CLIPSegConfig,
    CLIPSegForImageSegmentation,
    CLIPTokenizer,
    FlavaConfig,
    FlavaForPreTraining,
    FlavaImageProcessorPil,
    Siglip2Config,
    Siglip2ImageProcessorPil,
    Siglip2Model,
    SiglipConfig,
    SiglipImageProcessor,
    SiglipModel,
    ViTImageProcessorPil,
)

from zsl_cli.demo.tokenizer import byte_symbols

_BOS, _EOS = "<|startoftext|>", "<|endoftext|>"


# A CLIP-like processor's saved settings (its preprocessor_config.json).
CLIP_LIKE = {
    "do_resize": True,
    "size": {"shortest_edge": 32},
    "do_center_crop": True,
    "crop_size": {"height": 32, "width": 32},
    "do_rescale": True,
    "rescale_factor": 1 / 255,
    "do_normalize": True,
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
}
# A fixed-size processor's (SigLIP's way: resized to 16 x 24, no crop).
FIXED_SIZE = {
    "do_resize": True,
    "size": {"height": 16, "width": 24},
    "do_rescale": True,
    "rescale_factor": 1 / 255,
    "do_normalize": True,
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
}


def _byte_level_vocab() -> dict[str, int]:
    symbols = byte_symbols()  # every byte has a symbol, so every text tokenizes
    vocab = {symbol: i for i, symbol in enumerate(symbols)}
    vocab.update({symbol + "</w>": 256 + i for i, symbol in enumerate(symbols)})
    vocab[_BOS], vocab[_EOS] = 512, 513
    return vocab


def tiny_tokenizer(**options: Any) -> CLIPTokenizer:
    """A character-level CLIP tokenizer: every text tokenizes, special tokens are added."""
    return CLIPTokenizer(vocab=_byte_level_vocab(), merges=[], **options)


def _tower(**overrides: int) -> dict[str, int]:
    base = {
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
    }
    base.update(overrides)
    return base


def make_tiny_clip(
    directory: Path, seed: int = 0, image_size: int = 32, projection_dim: int = 16
) -> Path:
    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer()
    config = CLIPConfig(
        text_config=_tower(
            vocab_size=len(tokenizer),
            max_position_embeddings=77,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        ),
        vision_config=_tower(image_size=image_size, patch_size=8),
        projection_dim=projection_dim,
    )
    model = CLIPModel(config).eval()
    processor = CLIPImageProcessor(
        size={"shortest_edge": image_size}, crop_size={"height": image_size, "width": image_size}
    )
    return _save(directory, model, tokenizer, processor)


def make_tiny_altclip(directory: Path, seed: int = 0, positions: int = 40) -> Path:
    """AltCLIP: a RoBERTa-style text tower, whose positions start after the padding index."""
    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer()
    config = AltCLIPConfig(
        text_config={
            **_tower(vocab_size=len(tokenizer), max_position_embeddings=positions),
            "project_dim": 16,
            "pad_token_id": 1,
        },
        vision_config=_tower(image_size=32, patch_size=8),
        projection_dim=16,
    )
    processor = CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
    )
    return _save(directory, AltCLIPModel(config).eval(), tokenizer, processor)


def make_tiny_siglip(
    directory: Path, seed: int = 0, image_size: int = 32, text_positions: int = 64
) -> Path:
    torch.manual_seed(seed)
    # As published SigLIP tokenizers are saved: no attention mask, since SigLIP was trained
    # attending to its padding.
    tokenizer = tiny_tokenizer(model_input_names=["input_ids"])
    config = SiglipConfig(
        text_config=_tower(
            vocab_size=len(tokenizer),
            max_position_embeddings=text_positions,
            pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            projection_size=32,
        ),
        vision_config=_tower(image_size=image_size, patch_size=8),
    )
    model = SiglipModel(config).eval()
    with torch.no_grad():  # a bias away from 0 makes the sigmoid head's bias term matter
        model.logit_scale.fill_(2.0)
        model.logit_bias.fill_(-3.0)
    processor = SiglipImageProcessor(size={"height": image_size, "width": image_size})
    return _save(directory, model, tokenizer, processor)


def make_tiny_siglip2(
    directory: Path, seed: int = 0, max_num_patches: int = 16, patch_size: int = 8
) -> Path:
    """SigLIP2 in its NaFlex form: images of varying size and shape, as a varying number of
    patches with a mask and their grid's shape. `patch_size` is the processor's (the model's
    is 8)."""
    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer(model_input_names=["input_ids"])
    config = Siglip2Config(
        text_config=_tower(
            vocab_size=len(tokenizer),
            max_position_embeddings=64,
            pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            projection_size=32,
        ),
        vision_config=_tower(patch_size=8, num_patches=16),
    )
    model = Siglip2Model(config).eval()
    with torch.no_grad():  # a bias away from 0 makes the sigmoid head's bias term matter
        model.logit_scale.fill_(2.0)
        model.logit_bias.fill_(-1.0)
    processor = Siglip2ImageProcessorPil(patch_size=patch_size, max_num_patches=max_num_patches)
    return _save(directory, model, tokenizer, processor)


def _clip_text_tower(tokenizer: CLIPTokenizer) -> dict[str, int]:
    return _tower(
        vocab_size=len(tokenizer),
        max_position_embeddings=77,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def make_tiny_clipseg(directory: Path, seed: int = 0) -> Path:
    """CLIPSeg as published: a segmentation checkpoint whose processor makes larger images than
    its vision config names (352 and 224 px; here 48 and 32), which its ViT takes by resizing
    its position embeddings."""
    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer()
    config = CLIPSegConfig(
        text_config=_clip_text_tower(tokenizer),
        vision_config=_tower(image_size=32, patch_size=8),
        projection_dim=16,
        extract_layers=[1],
        reduce_dim=16,
        decoder_num_attention_heads=4,
        decoder_intermediate_size=32,
    )
    processor = ViTImageProcessorPil(
        size={"height": 48, "width": 48},
        image_mean=[0.485, 0.456, 0.406],
        image_std=[0.229, 0.224, 0.225],
    )
    model = CLIPSegForImageSegmentation(config).eval()
    return _save(directory, model, tokenizer, processor)


def make_tiny_aimv2(directory: Path, seed: int = 0, log_logit_scale: float = 2.6592) -> Path:
    """AIMv2: its forward clamps the logit scale to at most its max_logit_scale (100)."""
    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer()
    config = Aimv2Config(
        text_config=_clip_text_tower(tokenizer),
        vision_config=_tower(image_size=32, patch_size=8),
        projection_dim=16,
    )
    model = Aimv2Model(config).eval()
    with torch.no_grad():
        model.logit_scale.fill_(log_logit_scale)
    processor = CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
    )
    return _save(directory, model, tokenizer, processor)


def make_tiny_flava(directory: Path, seed: int = 0) -> Path:
    """FLAVA as published (facebook/flava-full): a pre-training checkpoint, whose feature heads
    project every token; zero-shot scores compare the first ones."""
    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer()
    config = FlavaConfig(
        image_config=_tower(image_size=32, patch_size=8),
        text_config=_tower(vocab_size=len(tokenizer), max_position_embeddings=77),
        multimodal_config=_tower(),
        image_codebook_config={
            "hidden_size": 8,
            "num_groups": 1,
            "num_blocks_per_group": 1,
            "vocab_size": 16,
        },
        hidden_size=32,
        projection_dim=16,
    )
    processor = FlavaImageProcessorPil(
        size={"height": 32, "width": 32}, crop_size={"height": 32, "width": 32}
    )
    return _save(directory, FlavaForPreTraining(config).eval(), tokenizer, processor)


def _save(directory: Path, model, tokenizer, processor) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    processor.save_pretrained(directory)
    return directory


class CountingTokenizer:
    """A tokenizer that records the texts it tokenizes (padding ids is no tokenizing)."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        self.texts: list[str] = []

    def __call__(self, texts, **options):
        self.texts += list(texts)
        return self.tokenizer(texts, **options)

    def __getattr__(self, name):
        return getattr(self.tokenizer, name)


def metaspace_tokenizer():
    """XLM-R's kind (AltCLIP's): SentencePiece's Unigram, words split at spaces, each after
    its space ("▁cat")."""
    from transformers import XLMRobertaTokenizer

    pieces = [*"abcdeglortx.,12\u732b", *(f"\u2581{w}" for w in ("a", "cat", "dog", "at", ""))]
    specials = [(token, 0.0) for token in ("<s>", "<pad>", "</s>", "<unk>")]
    return XLMRobertaTokenizer(vocab=specials + [(piece, -1.0 - len(piece)) for piece in pieces])


def gemma_tokenizer():
    """Gemma's (SigLIP2's): spaces are replaced before the text is split, so it is not."""
    from transformers.models.gemma.tokenization_gemma import GemmaTokenizer

    symbols = [*"abcdeglortx.,12\u732b\u2581"]
    vocab = {token: i for i, token in enumerate(["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"])}
    vocab.update({symbol: len(vocab) + i for i, symbol in enumerate(symbols)})
    # "t▁" spans a word's end and the space after it: "cat dog" is "ca", "t▁", ...
    vocab.update({"t\u2581": len(vocab), "ca": len(vocab) + 1, "cat": len(vocab) + 2})
    return GemmaTokenizer(vocab=vocab, merges=[("t", "\u2581"), ("c", "a"), ("ca", "t")])
