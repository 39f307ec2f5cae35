"""A tokenizer saved to pad on the left (padding_side in tokenizer_config.json): a class prompt's
embedding, and so its score, must not depend on the other prompts padded beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import read_jsonl, run, write_images
from zsl_cli.encoders import load_encoder


def _padding_on_the_left(model: Path, directory: Path) -> Path:
    shutil.copytree(model, directory)
    settings = json.loads((directory / "tokenizer_config.json").read_text())
    (directory / "tokenizer_config.json").write_text(
        json.dumps({**settings, "padding_side": "left"})
    )
    from transformers import AutoTokenizer

    assert AutoTokenizer.from_pretrained(directory).padding_side == "left"
    return directory


@pytest.mark.parametrize("model", ["tiny_clip", "tiny_siglip"])
def test_a_prompt_embeds_the_same_alone_and_among_longer_ones(model, request, tmp_path):
    encoder = load_encoder(
        str(_padding_on_the_left(request.getfixturevalue(model), tmp_path / "left"))
    )
    texts = ["a cat", "a photo of a much larger bird, flying.", "a dog", "a red circle"]
    together = encoder.encode_texts(texts)
    alone = np.concatenate([encoder.encode_texts([text]) for text in texts])
    np.testing.assert_allclose(together, alone, atol=1e-6)
    # Not every prompt pooled at the same padding.
    assert not np.allclose(together[0], together[2], atol=1e-3)


def test_a_class_scores_the_same_whatever_the_other_classes(tiny_clip, tmp_path):
    model = _padding_on_the_left(tiny_clip, tmp_path / "left")
    image = write_images(tmp_path / "images", 1)[0]

    def scores(classes: list[str]) -> dict[str, float]:
        class_file = tmp_path / "classes.txt"
        class_file.write_text("\n".join(classes) + "\n")
        template = "a photo of a {}."
        result = run(
            "label", image, "-c", class_file, "-m", model, "-t", template, "-k", "0", "-f", "jsonl"
        )
        assert result.exit_code == 0, result.output
        assert "cannot tell" not in result.output
        return {hit["label"]: hit["score"] for hit in read_jsonl(result.stdout)[0]["top_k"]}

    two = scores(["red circle", "a cat"])
    four = scores(["red circle", "blue square", "a cat", "a dog"])
    # Softmax over the classes: the ratio of two classes' scores is theirs alone.
    assert two["red circle"] / two["a cat"] == pytest.approx(
        four["red circle"] / four["a cat"], rel=1e-4
    )
