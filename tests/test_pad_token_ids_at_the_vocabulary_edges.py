"""Pad token ids at the edges of what a text model embeds: id 0 (Gemma's <pad>, SigLIP2's) is a
token like any other, and an id equal to the text model's vocabulary size has no embedding,
even where the tokenizer has a token of that id."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer, SiglipModel

from zsl_cli.encoders import load_encoder
from zsl_cli.errors import ZslError

TEXTS = ["a photo of a cat.", "a dog", "a photo of a much larger bird, flying."]


def _siglip_copy(
    model: Path,
    directory: Path,
    pad_token: str | None,
    add: tuple[str, ...] = (),
    **text_config: object,
) -> Path:
    """A copy of `model` whose tokenizer has `pad_token` (and the tokens `add`, beyond the text
    model's vocabulary) and whose config.json's text_config has `text_config`."""
    shutil.copytree(model, directory)
    tokenizer = AutoTokenizer.from_pretrained(directory)
    if add:
        tokenizer.add_tokens(list(add))
    tokenizer.save_pretrained(directory)
    settings = json.loads((directory / "tokenizer_config.json").read_text())
    (directory / "tokenizer_config.json").write_text(
        json.dumps({**settings, "pad_token": pad_token})
    )
    config = json.loads((directory / "config.json").read_text())
    config["text_config"].update(text_config)
    (directory / "config.json").write_text(json.dumps(config))
    return directory


@pytest.fixture(scope="module")
def padded_with(tiny_siglip) -> Callable[[int], np.ndarray]:
    """TEXTS embedded by transformers itself, padded with a pad id to 64 tokens, unit length."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_siglip)
    model = SiglipModel.from_pretrained(tiny_siglip).eval()
    ids = [tokenizer(text)["input_ids"] for text in TEXTS]

    def embedded(pad_id: int) -> np.ndarray:
        batch = torch.tensor([row + [pad_id] * (64 - len(row)) for row in ids])
        with torch.no_grad():
            features = model.get_text_features(input_ids=batch)
        features = getattr(features, "pooler_output", features)
        return torch.nn.functional.normalize(features.float(), dim=-1).numpy()

    return embedded


@pytest.fixture(scope="module")
def first_token(tiny_siglip) -> str:
    return AutoTokenizer.from_pretrained(tiny_siglip).convert_ids_to_tokens(0)


def test_a_siglip_tokenizer_whose_pad_token_is_id_0_pads_with_it(
    tiny_siglip, tmp_path, first_token, padded_with
):
    directory = _siglip_copy(tiny_siglip, tmp_path / "pad-0", pad_token=first_token)
    assert AutoTokenizer.from_pretrained(directory).pad_token_id == 0
    encoded = load_encoder(str(directory)).encode_texts(TEXTS)
    np.testing.assert_allclose(encoded, padded_with(0), atol=1e-5)


def test_a_siglip_config_whose_pad_token_id_is_0_pads_with_it(tiny_siglip, tmp_path, padded_with):
    directory = _siglip_copy(tiny_siglip, tmp_path / "config-0", pad_token=None, pad_token_id=0)
    encoded = load_encoder(str(directory)).encode_texts(TEXTS)
    np.testing.assert_allclose(encoded, padded_with(0), atol=1e-5)


def test_a_siglip_config_pad_id_of_the_last_token_the_text_model_has_is_used(
    tiny_siglip, tmp_path, padded_with
):
    vocabulary = json.loads((tiny_siglip / "config.json").read_text())["text_config"]["vocab_size"]
    directory = _siglip_copy(
        tiny_siglip, tmp_path / "config-last", pad_token=None, pad_token_id=vocabulary - 1
    )
    encoded = load_encoder(str(directory)).encode_texts(TEXTS)
    np.testing.assert_allclose(encoded, padded_with(vocabulary - 1), atol=1e-5)


def test_a_siglip_config_pad_id_equal_to_the_vocabulary_size_is_refused(tiny_siglip, tmp_path):
    # The tokenizer has a token of that id (added to it alone), the text model no embedding:
    # padding with it would be an IndexError deep inside torch.
    vocabulary = json.loads((tiny_siglip / "config.json").read_text())["text_config"]["vocab_size"]
    directory = _siglip_copy(
        tiny_siglip,
        tmp_path / "config-over",
        pad_token=None,
        add=("<extra>",),
        pad_token_id=vocabulary,
    )
    assert AutoTokenizer.from_pretrained(directory).convert_tokens_to_ids("<extra>") == vocabulary
    with pytest.raises(ZslError, match="no pad token its text model has an embedding for"):
        load_encoder(str(directory))
