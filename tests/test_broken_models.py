"""Model folders as a broken or unusual download leaves them: each is one line naming the folder
and the file, exit code 2, never a traceback, never every image failing or scoring alike."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.permissions import refuse_entering, refuse_reading
from zsl_cli.cli import app
from zsl_cli.encoders import load_encoder
from zsl_cli.errors import ZslError


def copy_with(model: Path, folder: Path, file: str = "preprocessor_config.json", **changes) -> Path:
    shutil.copytree(model, folder)
    settings = json.loads((folder / file).read_text())
    (folder / file).write_text(json.dumps({**settings, **changes}))
    return folder


def cli(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        pixels = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i}.png")
    return folder


@pytest.fixture()
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("cat\ndog\nbird\n")
    return path


def assert_one_line(result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("zsl: error: ")
    for part in parts:
        assert part in result.stderr


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"resample": "x"}, 'resample "x" in its preprocessor_config.json is not one of'),
        ({"resample": 99}, "resample 99 in its preprocessor_config.json is not one of"),
        ({"size": {"shortest_edge": 0}}, 'size {"shortest_edge": 0} in its preprocessor_config'),
        ({"size": {"shortest_edge": -5}}, 'size {"shortest_edge": -5} in its preprocessor'),
        ({"size": True}, 'size {"shortest_edge": true} in its preprocessor_config.json'),
        ({"image_mean": [0.5, 0.5]}, "image_mean [0.5, 0.5] in its preprocessor_config.json"),
        ({"image_mean": "x"}, 'image_mean "x" in its preprocessor_config.json is not 3 numbers'),
        ({"image_std": None}, "image_std null in its preprocessor_config.json is not 3 numbers"),
        ({"image_std": [0.5, 0.5, 0.5, 0.5]}, "image_std [0.5, 0.5, 0.5, 0.5] in its"),
        ({"image_std": [0, 0, 0]}, "image_std [0, 0, 0] in its preprocessor_config.json has a 0"),
        ({"rescale_factor": "x"}, 'rescale_factor "x" in its preprocessor_config.json is not'),
        # A size CLIP's processor has no resize for: every image failed as a decode_error.
        (
            {"size": {"longest_edge": 32}},
            "its image processor (CLIPImageProcessorPil) fails on a test image (ValueError: Size "
            "must contain 'height' and 'width' keys",
        ),
    ],
)
def test_image_settings_no_image_gets_through_are_one_line(
    tiny_clip, tmp_path, images, classes, changes, message
):
    # Each loaded without a word, then failed every image (exit 0), gave them all one embedding
    # (non-finite: blamed on fp16), or ended in a traceback from the fast preprocessing.
    model = copy_with(tiny_clip, tmp_path / "model", **changes)
    assert_one_line(cli("label", images, "-c", classes, "-m", model), str(model), message)


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"resample": "x"}, 'resample "x" in its'), ({"size": {"shortest_edge": 0}}, "size {")],
)
def test_embed_refuses_those_image_settings_too(tiny_clip, tmp_path, images, changes, message):
    model = copy_with(tiny_clip, tmp_path / "model", **changes)
    result = cli("embed", images, "--store", tmp_path / "store.db", "-m", model)
    assert_one_line(result, str(model), message)
    assert not (tmp_path / "store.db").exists()


def test_a_filter_that_is_never_used_is_not_read(tiny_clip, tmp_path, images, classes):
    # With do_resize false no image is resized: the centre crop alone makes them 32 x 32, and
    # transformers never reads `resample`, whatever it holds (a traceback read it).
    model = copy_with(tiny_clip, tmp_path / "model", do_resize=False, resample="bilinear")
    result = cli("label", images, "-c", classes, "-m", model, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.count(",ok,") == 2


def test_image_settings_nested_in_processor_config_name_that_file(tiny_clip, tmp_path):
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    settings = json.loads((model / "preprocessor_config.json").read_text())
    (model / "preprocessor_config.json").unlink()
    nested = {"image_processor": {**settings, "resample": 42}, "processor_class": "CLIPProcessor"}
    (model / "processor_config.json").write_text(json.dumps(nested))
    with pytest.raises(ZslError, match="resample 42 in its processor_config.json"):
        load_encoder(model)
    # Intact, the nested settings load as they are.
    nested["image_processor"]["resample"] = settings["resample"]
    (model / "processor_config.json").write_text(json.dumps(nested))
    assert load_encoder(model).preprocessor.input_size == (32, 32)


def test_a_crop_size_without_width_is_one_line(tiny_clip, tmp_path, images, classes):
    # The preprocessing guessed before the load raised KeyError on it.
    model = copy_with(tiny_clip, tmp_path / "model", crop_size={"height": 32})
    result = cli("label", images, "-c", classes, "-m", model)
    assert_one_line(result, "crop_size")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _cut_last_byte(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-1])


HTML_PAGE = "<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n"


def _dangle(path: Path) -> None:
    # What `cp -r` of a Hugging Face cache snapshot leaves: links to ../../blobs/<hash>.
    path.unlink()
    path.symlink_to("../../blobs/0123abcd")


LFS_POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 123\n"


@pytest.mark.parametrize(
    ("file", "damage", "message"),
    [
        ("model.safetensors", lambda p: p.write_bytes(b""), "model.safetensors is empty"),
        ("model.safetensors", _truncate, "model.safetensors is incomplete"),
        ("model.safetensors", _cut_last_byte, "model.safetensors is incomplete"),
        # An error page saved under the file's name (`curl -o` without -f): its first 8 bytes,
        # read as a header's length, ask for exabytes.
        ("model.safetensors", lambda p: p.write_text(HTML_PAGE), "incomplete or damaged"),
        ("model.safetensors", lambda p: p.write_text(LFS_POINTER), "is a Git LFS pointer"),
        ("model.safetensors", _dangle, "model.safetensors is a broken symbolic link"),
        ("config.json", lambda p: p.write_text("{not json"), "config.json is not valid JSON"),
        ("config.json", lambda p: p.write_text("[1, 2]"), "config.json holds a JSON array"),
        ("tokenizer.json", lambda p: p.write_text(""), "tokenizer.json is empty"),
        ("tokenizer.json", lambda p: p.write_text("{"), "tokenizer.json is not valid JSON"),
        ("preprocessor_config.json", lambda p: p.write_text("[]"), "holds a JSON array"),
        ("preprocessor_config.json", lambda p: p.write_bytes(b"\xff\xfe"), "is not valid JSON"),
        ("preprocessor_config.json", Path.unlink, "has no preprocessor_config.json"),
        ("preprocessor_config.json", lambda p: p.unlink() or p.mkdir(), "is a folder, not"),
    ],
)
def test_damaged_or_missing_files_are_named_with_what_to_do(
    tiny_clip, tmp_path, images, classes, file, damage, message
):
    # transformers said "Error while deserializing header: header too small", "'list' object
    # has no attribute 'get'" or "If you were trying to load it from 'https://huggingface.co/..."
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    damage(model / file)
    result = cli("label", images, "-c", classes, "-m", model)
    assert_one_line(result, f"model {model}: ", message)
    advice = ("download it again", "git lfs pull", "cp -rL", "copy the file from")
    assert any(words in result.stderr for words in advice)


def test_a_broken_link_for_config_json_is_named(tiny_clip, tmp_path):
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    _dangle(model / "config.json")
    with pytest.raises(ZslError, match="config.json is a broken symbolic link"):
        load_encoder(model)


def _sharded_copy(model: Path, folder: Path) -> list[Path]:
    """`model` saved into `folder` in shards of 100 KB, with its other files; the shards."""
    from transformers import AutoModel

    AutoModel.from_pretrained(model).save_pretrained(folder, max_shard_size="100KB")
    for name in os.listdir(model):
        if not name.startswith(("model", "config")):
            shutil.copy(model / name, folder)
    return sorted(folder.glob("model-*.safetensors"))


def test_a_damaged_shard_is_named(tiny_clip, tmp_path):
    model = tmp_path / "sharded"
    shards = _sharded_copy(tiny_clip, model)
    _truncate(shards[1])
    with pytest.raises(ZslError, match=f"{shards[1].name} is incomplete"):
        load_encoder(model)
    (model / "model.safetensors.index.json").write_text("{")
    with pytest.raises(ZslError, match="model.safetensors.index.json is not valid JSON"):
        load_encoder(model)


def test_a_missing_shard_is_named_with_what_to_do(tiny_clip, tmp_path, images, classes):
    # transformers said "No such file or directory: <folder>/model-00002-of-00003.safetensors",
    # without the index that names it or what to do.
    model = tmp_path / "sharded"
    shards = _sharded_copy(tiny_clip, model)
    shards[1].unlink()
    result = cli("label", images, "-c", classes, "-m", model)
    assert_one_line(
        result,
        f"model {model}: its model.safetensors.index.json names {shards[1].name}, which is not "
        "in the folder; copy it from where the model came from",
    )


def test_a_truncated_pickled_checkpoint_is_named(tiny_clip, tmp_path):
    # Older checkpoints ship pytorch_model.bin alone; torch said "PytorchStreamReader failed
    # reading zip archive: failed finding central directory" without naming the file.
    import torch
    from safetensors.torch import load_file

    model = shutil.copytree(tiny_clip, tmp_path / "model")
    torch.save(load_file(model / "model.safetensors"), model / "pytorch_model.bin")
    (model / "model.safetensors").unlink()
    load_encoder(model)  # the whole file loads
    _truncate(model / "pytorch_model.bin")
    with pytest.raises(ZslError, match="its pytorch_model.bin is incomplete or damaged"):
        load_encoder(model)


def test_a_vision_only_model_is_named_for_what_it_lacks(tmp_path):
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    # Saved without a tokenizer, as an image tower is: the tokenizer's failure was blamed.
    model = tmp_path / "vision-only"
    config = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_attention_heads=4,
        num_hidden_layers=1,
        image_size=32,
        patch_size=8,
        projection_dim=16,
    )
    CLIPVisionModelWithProjection(config).save_pretrained(model)
    CLIPImageProcessor(crop_size={"height": 32, "width": 32}).save_pretrained(model)
    with pytest.raises(ZslError, match="has no image and text feature heads; zsl needs a dual"):
        load_encoder(model)


def test_a_config_with_fewer_layers_than_the_checkpoint_is_one_line(tiny_clip, tmp_path):
    # transformers drops the checkpoint's further layers without a word: a shallower model.
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    config = json.loads((model / "config.json").read_text())
    config["vision_config"]["num_hidden_layers"] = 1
    (model / "config.json").write_text(json.dumps(config))
    with pytest.raises(ZslError) as error:
        load_encoder(model)
    assert "16 weights in its checkpoint are of layers its config.json does not have (e.g. " in (
        str(error.value)
    )
    assert "vision_model.encoder.layers.1." in str(error.value)


def test_weights_the_model_does_not_use_are_allowed(tiny_clip, tmp_path):
    from safetensors.torch import load_file, save_file

    # A checkpoint of a larger class (a segmentation or pre-training head) loads as the model.
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    weights = load_file(model / "model.safetensors")
    weights["decoder.layers.0.weight"] = weights["logit_scale"].clone()
    save_file(weights, model / "model.safetensors", metadata={"format": "pt"})
    load_encoder(model)


def test_a_single_value_of_another_shape_is_said_so(tiny_clip, tmp_path):
    from safetensors.torch import load_file, save_file

    model = shutil.copytree(tiny_clip, tmp_path / "model")
    weights = load_file(model / "model.safetensors")
    weights["logit_scale"] = weights["logit_scale"].reshape(1)
    save_file(weights, model / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(ZslError, match="logit_scale: 1 in the checkpoint, a single value in the"):
        load_encoder(model)


def test_a_text_model_that_gives_every_prompt_one_embedding_is_one_line(
    tiny_clip, tmp_path, images, classes
):
    # CLIP pools the text at the config's eos_token_id; a tokenizer that never gives it (from
    # another model, or with that token missing) has every prompt pooled at its first token:
    # every class scored 1/3, the first one the label of every image.
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    config = json.loads((model / "config.json").read_text())
    config["text_config"]["eos_token_id"] = 5  # "&", in no prompt
    (model / "config.json").write_text(json.dumps(config))
    result = cli("label", images, "-c", classes, "-m", model)
    assert_one_line(result, "its text model gives every class prompt the same embedding")


def _permissions_apply(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        probe.read_text()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o600)
    return False  # root, whose reads no mode stops


@pytest.mark.parametrize("mode", [0o000, 0o600])  # neither listed nor entered; listed only
def test_a_model_folder_that_cannot_be_read_is_one_line(tiny_clip, tmp_path, mode):
    if not _permissions_apply(tmp_path):
        pytest.skip("file modes do not stop this user (root)")
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    model.chmod(mode)
    try:
        with pytest.raises(ZslError, match=f"model {model}: permission denied reading"):
            load_encoder(model)
    finally:
        model.chmod(0o700)


@pytest.mark.parametrize("listed", [False, True])  # mode 000; mode 600
def test_a_model_folder_the_system_refuses_is_one_line(tiny_clip, tmp_path, monkeypatch, listed):
    # As root (CI containers) no mode refuses a read: the refusal above is simulated here.
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    refuse_entering(monkeypatch, model, listed=listed)
    with pytest.raises(ZslError, match=f"model {model}: permission denied reading"):
        load_encoder(model)


def test_model_files_that_cannot_be_read_are_named(tiny_clip, tmp_path, images, classes):
    if not _permissions_apply(tmp_path):
        pytest.skip("file modes do not stop this user (root)")
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    (model / "preprocessor_config.json").chmod(0)
    result = cli("label", images, "-c", classes, "-m", model)
    assert_one_line(result, "its preprocessor_config.json cannot be read (Permission denied)")


def test_a_model_file_the_system_refuses_to_open_is_named(
    tiny_clip, tmp_path, images, classes, monkeypatch
):
    # As root no mode refuses a read: the refusal above is simulated here.
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    refuse_reading(monkeypatch, model / "preprocessor_config.json")
    result = cli("label", images, "-c", classes, "-m", model)
    assert_one_line(result, "its preprocessor_config.json cannot be read (Permission denied)")
