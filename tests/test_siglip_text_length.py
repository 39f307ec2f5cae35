"""SigLIP reads prompts padded (and cut) to the 64 tokens it was trained on, even where its text
tower has more positions; checked against the text model run on the tokenizer's own padding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from tests.tiny_models import make_tiny_siglip
from zsl_cli.encoders import load_encoder


def test_a_long_text_tower_still_reads_prompts_of_64_tokens(tmp_path: Path) -> None:
    encoder = load_encoder(str(make_tiny_siglip(tmp_path / "siglip", text_positions=80)))
    assert encoder.prompt_tokens == 64
    texts = ["a cat", "a small dog"]  # both far shorter than 64 tokens: padded to it
    tokens = encoder._tokenizer(
        texts, padding="max_length", max_length=64, truncation=True, return_tensors="pt"
    )
    with torch.inference_mode():
        expected = encoder._model.get_text_features(**tokens)
    expected = getattr(expected, "pooler_output", expected).numpy()
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(encoder.encode_texts(texts), expected, atol=1e-5)
    longer = "dog " * 22  # 66 tokens (3 a word) and the start and end tokens: cut at 64
    assert encoder.prompts_cut_short([texts[0], longer]) == [longer]
