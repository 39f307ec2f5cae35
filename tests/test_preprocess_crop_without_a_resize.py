"""A processor that crops without resizing (do_resize false) has no fast path: it is left to the
processor itself, never resized by the size setting it does not use."""

from __future__ import annotations

from transformers import CLIPImageProcessorPil

from zsl_cli.encoders.preprocess import fast_preprocessor_from


def test_a_crop_without_a_resize_has_no_fast_path():
    processor = CLIPImageProcessorPil(
        do_resize=False, size={"shortest_edge": 20}, crop_size={"height": 32, "width": 32}
    )
    assert fast_preprocessor_from(processor, torch_resize=False) is None
