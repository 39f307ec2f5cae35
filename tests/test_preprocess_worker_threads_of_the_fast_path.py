"""A decode process of the fast path that resizes with torch runs torch on one thread (the
processes are the parallelism); one that resizes with Pillow alone leaves torch as it found it."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

from zsl_cli.encoders.preprocess import FastPreprocessor, NaFlexPreprocessor


@pytest.fixture
def three_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize(
    "make",
    [
        lambda torch_resize: FastPreprocessor(32, None, (32, 32), Image.BICUBIC, torch_resize),
        lambda torch_resize: NaFlexPreprocessor(8, 16, Image.BILINEAR, torch_resize),
    ],
    ids=["fixed", "naflex"],
)
@pytest.mark.parametrize(("torch_resize", "threads"), [(True, 1), (False, 3)])
def test_a_decode_process_runs_torch_on_one_thread_only_where_torch_resizes(
    three_threads, make, torch_resize, threads
):
    make(torch_resize).set_up_process()
    assert torch.get_num_threads() == threads
