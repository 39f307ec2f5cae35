"""Pixels cross to the model's device without waiting only from pinned memory (CUDA). To Apple's
MPS they come from ordinary memory, which numpy may free as soon as the copy is queued, before it
is done: a copy made without waiting there read freed memory and gave silently wrong pixels
(pytorch/pytorch#189690), so it waits. There is no Mac here: the copies are recorded by a stand-in
for the batch, which is all `_to_device` touches."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from zsl_cli.encoders import load_encoder


class CopyRecorder:
    """A batch that records how it is pinned and copied."""

    def __init__(self, pinned: bool = False) -> None:
        self.pinned = pinned
        self.copies: list[tuple[torch.device, dict[str, Any]]] = []

    def pin_memory(self) -> CopyRecorder:
        self.pinned = True
        return self

    def to(self, device: torch.device, **options: Any) -> CopyRecorder:
        self.copies.append((device, {"pinned": self.pinned, **options}))
        return self


@pytest.fixture(scope="module")
def encoder(tiny_clip):
    return load_encoder(str(tiny_clip), device="cpu", precision="fp32")


@pytest.mark.parametrize("device", [torch.device("mps"), torch.device("cpu")])
def test_a_copy_from_pageable_memory_waits(encoder, monkeypatch, device):
    monkeypatch.setattr(encoder, "device", device)
    batch = CopyRecorder()

    encoder._to_device(batch)

    [(to, options)] = batch.copies
    assert to == device
    assert not options["pinned"]
    assert not options.get("non_blocking", False)


def test_a_copy_to_cuda_is_pinned_and_does_not_wait(encoder, monkeypatch):
    monkeypatch.setattr(encoder, "device", torch.device("cuda", 0))
    batch = CopyRecorder()

    encoder._to_device(batch)

    assert batch.copies == [(torch.device("cuda", 0), {"pinned": True, "non_blocking": True})]
