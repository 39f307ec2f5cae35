"""oneDNN (torch's CPU convolutions) words a failed allocation as "could not create a primitive"
or "could not create a memory object", without the cause: under an address-space limit
(ulimit -v), where allocations fail, those are out of memory, which halves the batch and, for a
single image, ends the run in one line naming the limit (exit 2), not in a traceback (exit 70).
Without such a limit they are not taken for memory, nor is "could not create a primitive
descriptor", oneDNN's words for a shape it has no kernel for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers import run, temp_files
from zsl_cli.encoders import hf, limits, load_encoder
from zsl_cli.errors import ZslError

ONEDNN_ALLOCATION_FAILURES = ["could not create a primitive", "could not create a memory object"]
LIMIT_KIB = 1_300_000


def with_address_space_limit(monkeypatch: pytest.MonkeyPatch, kib: int | None) -> None:
    """As if this process ran under `ulimit -v kib` (None: unlimited), for what reads the limit
    to tell and name out of memory; the load's own check of the room left is not fooled."""
    limit = None if kib is None else kib * 1024
    monkeypatch.setattr(limits, "address_space_limit", lambda: limit)
    monkeypatch.setattr(hf, "address_space_limit", lambda: limit)
    monkeypatch.setattr(limits, "overcommit_is_strict", lambda: False)


@pytest.mark.parametrize("text", ONEDNN_ALLOCATION_FAILURES)
def test_onednn_allocation_failures_are_out_of_memory_under_an_address_space_limit(
    monkeypatch, text
):
    with_address_space_limit(monkeypatch, LIMIT_KIB)
    assert hf._out_of_memory(RuntimeError(text))


@pytest.mark.parametrize("text", ONEDNN_ALLOCATION_FAILURES)
def test_onednn_allocation_failures_are_not_out_of_memory_without_a_limit(monkeypatch, text):
    with_address_space_limit(monkeypatch, None)
    assert not hf._out_of_memory(RuntimeError(text))


@pytest.mark.parametrize(
    "text",
    [
        # oneDNN has no kernel for the shape: memory has nothing to do with it.
        "could not create a primitive descriptor for a convolution forward propagation primitive",
        "could not create a primitive descriptor for the matmul primitive",
        "could not execute a primitive",
        "could not create a primitive from a cache blob",
    ],
)
def test_other_onednn_failures_are_not_out_of_memory_even_under_a_limit(monkeypatch, text):
    with_address_space_limit(monkeypatch, LIMIT_KIB)
    assert not hf._out_of_memory(RuntimeError(text))


def failing_image_tower(encoder, largest_batch: int, text: str) -> list[int]:
    forward, sizes = encoder._model.get_image_features, []

    def limited(pixel_values, **kwargs):
        sizes.append(len(pixel_values))
        if len(pixel_values) > largest_batch:
            raise RuntimeError(text)
        return forward(pixel_values=pixel_values, **kwargs)

    encoder._model.get_image_features = limited
    return sizes


def test_a_batch_onednn_cannot_allocate_for_is_halved(monkeypatch, tiny_clip):
    with_address_space_limit(monkeypatch, LIMIT_KIB)
    encoder = load_encoder(str(tiny_clip), device="cpu")
    pixels = np.zeros((4, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    sizes = failing_image_tower(encoder, 2, "could not create a primitive")
    assert encoder.encode_images(pixels).shape[0] == 4
    assert sizes[0] == 4 and max(sizes[1:]) <= 2


def test_a_single_image_out_of_memory_names_the_address_space_limit(monkeypatch, tiny_clip):
    with_address_space_limit(monkeypatch, LIMIT_KIB)
    encoder = load_encoder(str(tiny_clip), device="cpu")
    pixels = np.zeros((2, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    failing_image_tower(encoder, 0, "could not create a primitive")
    with pytest.raises(ZslError) as caught:
        encoder.encode_images(pixels)
    message = caught.value.message
    assert "out of cpu memory for a single image" in message
    assert f"ulimit -v {LIMIT_KIB}" in message and "\n" not in message


def test_label_ends_in_one_line_naming_the_limit(monkeypatch, tiny_clip, tmp_path: Path):
    with_address_space_limit(monkeypatch, LIMIT_KIB)
    (tmp_path / "images").mkdir()
    Image.new("RGB", (50, 40), "red").save(tmp_path / "images" / "red.png")
    (tmp_path / "classes.txt").write_text("red\nblue\n")

    def failing(self, **inputs):
        raise RuntimeError("could not create a primitive")

    from transformers import CLIPModel

    monkeypatch.setattr(CLIPModel, "get_image_features", failing)
    out = tmp_path / "out" / "p.csv"
    out.parent.mkdir()
    result = run(
        "label",
        tmp_path / "images",
        "-c",
        tmp_path / "classes.txt",
        "-m",
        tiny_clip,
        "-o",
        out,
        "-q",
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "report it" not in result.output
    assert f"ulimit -v {LIMIT_KIB}" in result.stderr
    assert temp_files(out.parent) == []
