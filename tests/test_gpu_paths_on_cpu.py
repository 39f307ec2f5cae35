"""The GPU-only code paths, simulated on the CPU: out-of-memory errors raised by a stand-in for
the forward pass, a container's CPU quota read from a folder laid out as /sys/fs/cgroup."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from zsl_cli.encoders import load_encoder


class LimitedMemory:
    """Stands in for an encoder's forward pass: out of memory above `limit` images; an image's
    embedding is its id, read back from the pixels `pixels_with_ids` wrote it into."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sizes: list[int] = []  # of every forward pass tried
        self.failed = 0  # forward passes that ran out of memory

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        self.sizes.append(len(pixels))
        if len(pixels) > self.limit:
            self.failed += 1
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate (simulated)")
        ids = pixels[:, 0, 0, :3].astype(np.int64) @ np.array([65536, 256, 1])
        return np.stack([ids, np.ones_like(ids)], 1).astype(np.float32)


def pixels_with_ids(first: int, count: int, size: tuple[int, int]) -> np.ndarray:
    pixels = np.zeros((count, *size, 3), np.uint8)
    ids = np.arange(first, first + count)
    pixels[:, 0, 0, 0], pixels[:, 0, 0, 1], pixels[:, 0, 0, 2] = ids >> 16, ids >> 8, ids
    return pixels


@pytest.fixture
def encoder(tiny_clip):
    # Frozen as the CLI freezes it: the collection before each retry then takes a millisecond.
    return load_encoder(str(tiny_clip), device="cpu", precision="fp32", freeze_after_load=True)


def test_batches_grow_back_soon_after_a_brief_out_of_memory_error(encoder):
    memory = LimitedMemory(limit=2)  # another process held the memory for one batch ...
    encoder._encode_image_batch = memory
    pixels = pixels_with_ids(0, 256, encoder.preprocessor.input_size)
    encoder.encode_images(pixels)
    memory.limit = 10**9  # ... then gave it back
    batches = 0
    while memory.sizes != [256] and batches < 1000:
        memory.sizes.clear()
        np.testing.assert_array_equal(encoder.encode_images(pixels)[:, 0], np.arange(256))
        batches += 1
    # 2 -> 256 is 7 doublings: at 100 batches each it took 700 batches (24,000 small forwards).
    assert batches <= 40


def test_a_lasting_memory_limit_costs_few_failed_tries(encoder):
    memory = LimitedMemory(limit=100)  # 64 images fit; 128 never do
    encoder._encode_image_batch = memory
    pixels = pixels_with_ids(0, 256, encoder.preprocessor.input_size)
    for _ in range(1000):
        np.testing.assert_array_equal(encoder.encode_images(pixels)[:, 0], np.arange(256))
    # 256 and 128 at the first batch, then 128 now and then: sooner at first, then every 100
    # batches (10 of 1000 batches).
    assert encoder._max_batch == 64
    assert memory.failed <= 20
    assert memory.sizes.count(64) >= 4 * 1000 - 100


def test_every_image_comes_back_once_and_in_order_as_the_free_memory_changes(encoder):
    rng = random.Random(1)
    memory = LimitedMemory(limit=1000)
    encoder._encode_image_batch = memory
    size = encoder.preprocessor.input_size
    first = 0
    for _ in range(300):
        if rng.random() < 0.1:  # another process on the GPU takes or frees memory
            memory.limit = rng.choice([1, 3, 7, 16, 40, 100, 256, 1000])
        count = rng.choice([256, 256, 100, 17, 1])
        failed_before = memory.failed
        encoded = encoder.encode_images(pixels_with_ids(first, count, size))
        np.testing.assert_array_equal(encoded[:, 0], np.arange(first, first + count))
        # Each failure halves the size tried, or gives up a larger try: no endless retries.
        assert memory.failed - failed_before <= 2 + count.bit_length()
        first += count
    assert memory.failed > 0  # the limits did bite


@pytest.mark.parametrize(("device", "chunks"), [("cpu", [64] * 9 + [24]), ("cuda", [256, 256, 88])])
def test_prompts_are_encoded_in_larger_chunks_on_a_cuda_gpu(encoder, monkeypatch, device, chunks):
    sizes: list[int] = []

    def forward(token_ids: list[list[int]]) -> np.ndarray:  # the CUDA device is not touched
        sizes.append(len(token_ids))
        rng = np.random.default_rng(len(sizes))
        vectors = rng.normal(size=(len(token_ids), width)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    texts = [f"a photo of thing {i}" for i in range(600)]
    width = encoder.dim  # measured on the CPU, before the device is swapped
    monkeypatch.setattr(encoder, "_encode_token_chunk", forward)
    monkeypatch.setattr(encoder, "device", torch.device(device))
    assert encoder.encode_texts(texts).shape == (600, width)
    assert sizes == chunks
