"""The refusal of a text model that embeds every class prompt alike takes "alike" as within 1e-6
in each value: prompts whose embeddings are a little further apart (a hundred thousandth) are
another model's close classes, not a text model that reads none of their words."""

from __future__ import annotations

from array import array

import numpy as np
import pytest

from tests.helpers import bare_encoder
from zsl_cli.encoders.hf import TransformersEncoder
from zsl_cli.errors import ZslError


def encoder_of_angles(step: float, count: int) -> TransformersEncoder:
    """An encoder with no model whose i-th distinct prompt embeds as the unit vector at an angle
    of i * `step` radians."""
    encoder = bare_encoder()
    keys = [array("q", [i + 1, 7]).tobytes() for i in range(count)]
    encoder._distinct_token_ids = lambda _: (keys, np.arange(count), [])

    def chunk(token_ids: list[list[int]]) -> np.ndarray:
        angles = np.array([(ids[0] - 1) * step for ids in token_ids])
        return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)

    encoder._encode_token_chunk = chunk
    return encoder


@pytest.mark.parametrize("step", [2e-5, 1e-4])
def test_prompts_a_little_more_than_a_millionth_apart_are_encoded(step):
    encoder = encoder_of_angles(step, 3)
    encoded = encoder.encode_texts(["a", "b", "c"])
    assert encoded.shape == (3, 2)
    assert float(np.abs(encoded[2] - encoded[0]).max()) > 1e-6


def test_prompts_within_a_millionth_of_each_other_are_refused():
    encoder = encoder_of_angles(1e-7, 3)
    with pytest.raises(ZslError, match="gives every class prompt the same embedding"):
        encoder.encode_texts(["a", "b", "c"])
