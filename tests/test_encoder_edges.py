"""Edges of the encoder's device, precision and batching choices, told without loading a model:
the first CUDA device past the last, the precision auto picks on each kind of device, batches
split after an out-of-memory error, and prompts that tokenize alike streamed back to every one
of their texts."""

from __future__ import annotations

from array import array

import numpy as np
import pytest
import torch

from tests.helpers import bare_encoder
from zsl_cli.encoders.base import check_device
from zsl_cli.encoders.hf import pick_device, pick_dtype
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    ("device", "dtype"),
    [
        ("cpu", torch.float32),
        ("cuda", torch.float16),
        ("cuda:1", torch.float16),
        ("mps", torch.float16),
    ],
)
def test_auto_precision_is_fp32_on_the_cpu_alone(device, dtype):
    assert pick_dtype("auto", torch.device(device)) == dtype


def test_the_cuda_device_one_past_the_last_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert pick_device("cuda:1") == torch.device("cuda:1")
    with pytest.raises(ZslError) as info:
        pick_device("cuda:2")
    assert info.value.message == "--device cuda:2: this machine has CUDA devices 0 to 1"


@pytest.mark.parametrize("device", ["cuda:\u00b2", "cpu:\u0661", "cuda:\uff11"])
def test_a_device_number_in_other_digits_than_ascii_is_refused(monkeypatch, device):
    # str.isdigit takes a superscript two (which int() refuses) and other scripts' digits.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    for check in (check_device, pick_device):
        with pytest.raises(ZslError) as info:
            check(device)
        assert info.value.message == f"--device {device}: choose auto, cpu, cuda, cuda:N or mps"


class ImagesThatFit:
    """An image forward pass out of memory above `limit` images; each image's embedding is
    (its id, 1), its id read from its first pixel."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sizes: list[int] = []

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        self.sizes.append(len(pixels))
        if len(pixels) > self.limit:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate (simulated)")
        ids = pixels[:, 0, 0, 0].astype(np.float32)
        return np.stack([ids, np.ones_like(ids)], 1)


@pytest.mark.parametrize("count", [2, 3, 7, 9, 31])
def test_an_odd_batch_out_of_memory_is_halved_rounding_down(count):
    encoder = bare_encoder()
    forward = ImagesThatFit(limit=count // 2)
    encoder._encode_image_batch = forward
    pixels = np.zeros((count, 2, 2, 3), np.uint8)
    pixels[:, 0, 0, 0] = np.arange(count)
    encoded = encoder.encode_images(pixels)
    np.testing.assert_array_equal(encoded[:, 0], np.arange(count))
    # One failed try, then halves that fit: no second failure on a half rounded up.
    assert forward.sizes[0] == count
    assert all(size <= count // 2 for size in forward.sizes[1:])
    assert encoder._max_batch == count // 2


def token_key(ids: list[int]) -> bytes:
    return array("q", ids).tobytes()


def test_prompts_alike_in_unequal_numbers_each_get_their_own_rows_embedding():
    # Four distinct token sequences of two lengths, encoded shortest first (rows 0, 2, 1, 3); their
    # texts are 3, 2, 1 and 4, interleaved, so that the chunk's rows repeat 3, 1, 2 and 4 times.
    keys = [[1, 7], [2, 7, 7], [3, 7], [4, 7, 7]]
    which = np.array([1, 3, 0, 3, 1, 0, 3, 2, 3, 0])
    texts = [f"text {i}" for i in range(len(which))]
    encoder = bare_encoder()
    encoder._distinct_token_ids = lambda _: ([token_key(k) for k in keys], which, [])

    def forward(token_ids: list[list[int]]) -> np.ndarray:
        first = np.array([ids[0] for ids in token_ids], np.float32)
        vectors = np.stack([first, np.ones_like(first)], 1)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    encoder._encode_token_chunk = forward
    encoded = encoder.encode_texts(texts)
    first_ids = encoded[:, 0] / encoded[:, 1]
    np.testing.assert_allclose(first_ids, which + 1.0, rtol=1e-6)
    seen = np.concatenate([rows for rows, _ in encoder.encode_text_chunks(texts)])
    assert sorted(seen.tolist()) == list(range(len(texts)))


def test_prompts_share_forward_passes_with_prompts_of_their_length():
    # 200 distinct prompts of 2 to 9 tokens, in no order: each forward pass pads its prompts
    # to its longest, so passes of mixed lengths would spend their compute on padding.
    rng = np.random.default_rng(3)
    keys = [[i + 1] * int(length) for i, length in enumerate(rng.integers(2, 10, 200))]
    encoder = bare_encoder()
    encoder._distinct_token_ids = lambda _: ([token_key(k) for k in keys], np.arange(200), [])
    passes: list[list[int]] = []

    def forward(token_ids: list[list[int]]) -> np.ndarray:
        passes.append([len(ids) for ids in token_ids])
        first = np.array([ids[0] for ids in token_ids], np.float32)
        vectors = np.stack([first, np.ones_like(first)], 1)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    encoder._encode_token_chunk = forward
    encoded = encoder.encode_texts([f"text {i}" for i in range(200)])
    np.testing.assert_allclose(encoded[:, 0] / encoded[:, 1], np.arange(1, 201), rtol=1e-6)
    lengths = [length for one_pass in passes for length in one_pass]
    assert lengths in (sorted(lengths), sorted(lengths, reverse=True))


@pytest.mark.parametrize("distinct", [1, 2])
def test_two_prompts_that_embed_alike_are_refused_and_one_is_not(distinct):
    # Two classes (a cat or not) is the fewest a run has: a text model that reads none of their
    # words scores them alike. One prompt (the load's check of the width) compares with nothing.
    keys = [[i + 1, 7] for i in range(distinct)]
    encoder = bare_encoder()
    encoder._distinct_token_ids = lambda _: ([token_key(k) for k in keys], np.arange(distinct), [])
    encoder._encode_token_chunk = lambda token_ids: np.full(
        (len(token_ids), 2), 0.5**0.5, np.float32
    )
    texts = [f"text {i}" for i in range(distinct)]
    if distinct == 1:
        assert encoder.encode_texts(texts).shape == (1, 2)
        return
    with pytest.raises(ZslError, match="gives every class prompt the same embedding"):
        encoder.encode_texts(texts)
