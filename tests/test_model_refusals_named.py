"""Models zsl cannot use are refused in one line that names them: one whose feature heads give no
single embedding per text (BLIP-2) at load, before a run writes anything; per image at the
first batch, with nothing written lost; and a config.json naming a model type transformers does
not know, in zsl's words with what to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import transformers
from PIL import Image
from transformers import CLIPModel
from transformers.modeling_outputs import BaseModelOutputWithPooling
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.encoders import load_encoder
from zsl_cli.errors import ZslError

RELEASE = ".".join(transformers.__version__.split(".")[:2])


def cli(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def make_tiny_blip2(directory: Path) -> Path:
    """BLIP-2's base model: its image features are the vision tower's pooled output, its text
    features a language model's states, one per token."""
    import torch
    from transformers import Blip2Config, Blip2Model, BlipImageProcessor

    from tests.tiny_models import tiny_tokenizer

    torch.manual_seed(0)
    tokenizer = tiny_tokenizer()
    tower = {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4}
    config = Blip2Config(
        vision_config={**tower, "num_hidden_layers": 1, "image_size": 30, "patch_size": 10},
        qformer_config={**tower, "num_hidden_layers": 1, "encoder_hidden_size": 32},
        text_config={
            "model_type": "opt",
            **tower,
            "num_hidden_layers": 1,
            "ffn_dim": 37,
            "vocab_size": len(tokenizer),
            "word_embed_proj_dim": 32,
        },
        num_query_tokens=4,
    )
    Blip2Model(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    BlipImageProcessor(size={"height": 30, "width": 30}).save_pretrained(directory)
    return directory


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    """A folder with images and a class list, where each run writes its outputs."""
    images = tmp_path / "work" / "images"
    images.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(3):
        pixels = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(images / f"img_{i}.png")
    (tmp_path / "work" / "classes.txt").write_text("cat\ndog\n")
    return tmp_path / "work"


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def test_a_model_without_one_embedding_per_text_is_refused_at_load_by_name(tmp_path, work):
    model = make_tiny_blip2(tmp_path / "blip2")
    expected = (
        f"model {model} (Blip2Model) gives no single embedding per text (its get_text_features "
        "has no pooled output); zsl needs a dual encoder such as CLIP or SigLIP"
    )
    with pytest.raises(ZslError) as info:
        load_encoder(str(model))
    assert info.value.message == expected
    before = contents(work)
    # Refused before the run creates its output or its store.
    for args in (
        ["label", work / "images", "-c", work / "classes.txt", "-o", work / "out.csv"],
        ["embed", work / "images", "--store", work / "new.zsl"],
    ):
        result = cli(*args, "-m", model)
        assert result.exit_code == 2, result.output
        assert result.stderr == f"zsl: error: {expected}\n"
        assert contents(work) == before


def test_a_model_without_one_embedding_per_image_fails_its_first_batch_by_name(
    tiny_clip, work, monkeypatch
):
    label = ["label", work / "images", "-c", work / "classes.txt", "-m", tiny_clip]
    store = ["-m", tiny_clip, "--store", work / "photos.zsl"]
    assert cli(*label, "-o", work / "out.csv").exit_code == 0
    assert cli("embed", work / "images", *store).exit_code == 0
    more = shutil.copytree(work / "images", work / "more")  # images the store has not seen
    before = contents(work)
    assert {"out.csv", "out.csv.run.json", "photos.zsl"} <= set(before)
    features = CLIPModel.get_image_features

    def per_patch(self, **inputs):  # as a model whose image features pool nothing
        output = features(self, **inputs)
        return BaseModelOutputWithPooling(last_hidden_state=output.last_hidden_state)

    monkeypatch.setattr(CLIPModel, "get_image_features", per_patch)
    expected = (
        f"zsl: error: model {tiny_clip} (CLIPModel) gives no single embedding per image (its "
        "get_image_features has no pooled output); zsl needs a dual encoder such as CLIP or "
        "SigLIP\n"
    )
    # The earlier run's predictions and the store's vectors stay as they were, and nothing is
    # left beside them (a new output file, a temporary file, a journal).
    for args in (
        [*label, "-o", work / "out.csv"],
        [*label, "-o", work / "new.csv"],
        ["embed", more, *store],
    ):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr == expected
        assert contents(work) == before


@pytest.mark.parametrize(
    ("model_type", "shown"), [("foobarnet", "foobarnet"), ("foo\x1b[31mnet", "foo\\x1b[31mnet")]
)
def test_an_unknown_model_type_is_said_in_one_line_with_what_to_do(
    tiny_clip, tmp_path, work, model_type, shown
):
    model = shutil.copytree(tiny_clip, tmp_path / "unknown")
    config = json.loads((model / "config.json").read_text())
    (model / "config.json").write_text(json.dumps({**config, "model_type": model_type}))
    expected = (
        f"cannot load the model {model}: its config.json names model type '{shown}', which "
        f"transformers {RELEASE} does not know (upgrade transformers, or check the model folder)"
    )
    with pytest.raises(ZslError) as info:
        load_encoder(str(model))
    assert info.value.message == expected
    result = cli("label", work / "images", "-c", work / "classes.txt", "-m", model)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"zsl: error: {expected}\n"
