"""Two guards of zsl_cli/encoders/hf.py: a model whose image and text embeddings differ in
width is refused in one line (no cosine compares them), and after an out-of-memory error each
larger try that runs out of memory again doubles the wait (in batches) before the next one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import SiglipConfig, SiglipImageProcessor, SiglipModel

from tests.helpers import run
from tests.tiny_models import _save, _tower, tiny_tokenizer
from zsl_cli.encoders import hf, load_encoder
from zsl_cli.errors import ZslError


def make_tiny_siglip_of_two_widths(directory: Path) -> Path:
    """A SigLIP whose text head gives 16 values and whose image tower 32: nothing in the config
    keeps them alike (SigLIP has no shared projection_dim)."""
    torch.manual_seed(0)
    tokenizer = tiny_tokenizer(model_input_names=["input_ids"])
    config = SiglipConfig(
        text_config=_tower(
            vocab_size=len(tokenizer),
            max_position_embeddings=64,
            pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            projection_size=16,
        ),
        vision_config=_tower(image_size=32, patch_size=8),  # hidden_size 32
    )
    processor = SiglipImageProcessor(size={"height": 32, "width": 32})
    return _save(directory, SiglipModel(config).eval(), tokenizer, processor)


@pytest.fixture(scope="module")
def two_widths(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_siglip_of_two_widths(tmp_path_factory.mktemp("two-widths"))


def test_image_and_text_embeddings_of_other_widths_are_refused(two_widths: Path) -> None:
    encoder = load_encoder(str(two_widths))
    assert encoder.encode_texts(["a cat"]).shape[1] == 16
    pixels = np.zeros((1, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    with pytest.raises(ZslError) as caught:
        encoder.encode_images(pixels)
    assert caught.value.message == (
        f"model {encoder.name}: its image embeddings have 32 values and its text embeddings 16; "
        "they cannot be compared"
    )


def test_a_label_run_with_such_a_model_is_one_line(
    two_widths: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (40, 30), "red").save("red.png")
    Path("classes.txt").write_text("red\nblue\n", encoding="utf-8")
    result = run("label", "red.png", "-c", "classes.txt", "-m", two_widths, "--quiet")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"zsl: error: model {two_widths}: its image embeddings have 32 values and its text "
        "embeddings 16; they cannot be compared\n"
    )


def _larger_tries(monkeypatch: pytest.MonkeyPatch, tiny_clip: Path, batches: int) -> list[int]:
    """Encode `batches` batches of 4 images where memory lasts for 2 only: the numbers of the
    batches (from 1) in which a batch of 4 was tried (each runs out of memory)."""
    encoder = load_encoder(str(tiny_clip))
    forward = encoder._model.get_image_features
    sizes: list[int] = []

    def limited(pixel_values, **kwargs):
        sizes.append(len(pixel_values))
        if len(pixel_values) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return forward(pixel_values=pixel_values, **kwargs)

    encoder._model.get_image_features = limited
    pixels = np.zeros((4, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
    tried = []
    for number in range(1, batches + 1):
        sizes.clear()
        assert encoder.encode_images(pixels).shape[0] == 4
        if 4 in sizes:
            tried.append(number)
        assert sizes.count(4) <= 1 and sizes.count(2) == 2
    return tried


def test_each_larger_try_that_fails_again_doubles_the_wait(tiny_clip, monkeypatch) -> None:
    monkeypatch.setattr(hf, "RETRY_LARGER_SOON", 2)
    monkeypatch.setattr(hf, "RETRY_LARGER_AFTER", 10)
    tried = _larger_tries(monkeypatch, tiny_clip, 40)
    # Tries of 4 come RETRY_LARGER_SOON (2) batches after the first failure, then 4, then 8,
    # then RETRY_LARGER_AFTER (10) at most: a limit that lasts costs ever fewer failed tries.
    assert tried == [1, 3, 7, 15, 25, 35]
    gaps = np.diff(tried).tolist()
    assert gaps == [2, 4, 8, 10, 10]
