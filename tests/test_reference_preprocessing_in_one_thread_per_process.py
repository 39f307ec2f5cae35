"""Decode processes running a model's own image processor (`ReferencePreprocessor`) use one torch
thread each, as those of the fast path do: the processes are the parallelism, and a forked child
that uses the OpenMP pool its parent already used can hang in its first matrix product."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from transformers import CLIPImageProcessorPil

from tests.helpers import write_images
from zsl_cli.batching import DecodeQueue, processes_available
from zsl_cli.encoders.preprocess import ReferencePreprocessor
from zsl_cli.images import DecodeOptions, ImagePreparation

pytestmark = pytest.mark.skipif(not processes_available(), reason="needs forked processes")


class TorchThreadsSeen(ReferencePreprocessor):
    """The processor's pixels, with the torch threads of the process that made them in them."""

    def __call__(self, image: Image.Image) -> np.ndarray:
        return np.full_like(super().__call__(image), torch.get_num_threads())


@pytest.fixture
def parent_threads():
    """The test process runs torch on 3 threads, which a forked child inherits."""
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    torch.ones(64, 64) @ torch.ones(64, 64)  # the OpenMP pool started in the parent
    yield 3
    torch.set_num_threads(before)


def test_a_decode_process_of_the_reference_path_runs_torch_on_one_thread(
    tmp_path: Path, parent_threads
):
    paths = write_images(tmp_path, 4)
    processor = CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size=32)
    preparation = ImagePreparation(
        DecodeOptions(draft=None), TorchThreadsSeen(processor, (32, 32)), 10**6
    )
    queue = DecodeQueue(
        paths,
        preparation,
        workers=2,
        window=4,
        processes=True,
        process_setup=preparation.set_up_process,
    )

    items = list(queue.items())

    assert not queue.processes_stopped
    assert [item.status for item in items] == ["ok"] * 4
    assert {float(item.pixels.flat[0]) for item in items} == {1.0}
    assert torch.get_num_threads() == parent_threads  # the parent's own are left as they were
