"""A model folder's JSON file that is valid JSON by its grammar but that Python's json cannot
read: arrays or objects nested deeper than Python's stack, or a number of more digits than an
int may be read with (4,300). Each is one line naming the folder and the file, exit code 2, as
JSON that does not parse is; they ended in a traceback (exit 70)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.encoders import load_encoder
from zsl_cli.errors import ZslError

DEPTH = 100_000  # far past Python's recursion limit (1,000) and the C stack's


def deep_array() -> str:
    return "[" * DEPTH + "]" * DEPTH


def deep_object() -> str:
    return '{"a": ' * DEPTH + "1" + "}" * DEPTH


def long_number_in(path: Path) -> str:
    """The file's own settings with a number of 5,000 digits among them."""
    return '{"long": ' + "7" * 5000 + ", " + path.read_text(encoding="utf-8").lstrip()[1:]


def cli(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    pixels = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(folder / "0.png")
    return folder


@pytest.fixture()
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("cat\ndog\n")
    return path


FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json")


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("content", [deep_array, deep_object], ids=["array", "object"])
def test_json_nested_too_deep_is_named_as_not_valid(
    tiny_clip, tmp_path, images, classes, file, content
):
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    (model / file).write_text(content())
    result = cli("label", images, "-c", classes, "-m", model)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("zsl: error: ")
    assert f"model {model}: its {file} is not valid JSON (nested too deep" in result.stderr
    assert "download it again" in result.stderr


@pytest.mark.parametrize("file", ["config.json", "tokenizer_config.json"])
def test_a_number_of_too_many_digits_is_named_as_not_valid_json(
    tiny_clip, tmp_path, images, classes, file
):
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    (model / file).write_text(long_number_in(model / file))
    result = cli("label", images, "-c", classes, "-m", model)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert f"model {model}: its {file} is not valid JSON (a number of too many digits" in (
        result.stderr
    )


def test_a_number_of_too_many_digits_in_the_image_settings_is_named(tiny_clip, tmp_path):
    # Read before the load too (the preprocessing guessed from it), where it was left to the
    # load; the load's refusal names it.
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    file = model / "preprocessor_config.json"
    file.write_text(long_number_in(file))
    with pytest.raises(ZslError, match="its preprocessor_config.json is not valid JSON"):
        load_encoder(model)


def _sharded_copy(model: Path, folder: Path) -> None:
    from transformers import AutoModel

    AutoModel.from_pretrained(model).save_pretrained(folder, max_shard_size="100KB")
    for name in ("tokenizer.json", "tokenizer_config.json", "preprocessor_config.json"):
        shutil.copy(model / name, folder)
    for name in ("vocab.json", "merges.txt", "special_tokens_map.json"):
        if (model / name).exists():
            shutil.copy(model / name, folder)


def test_a_weight_index_nested_too_deep_is_named(tiny_clip, tmp_path):
    model = tmp_path / "sharded"
    _sharded_copy(tiny_clip, model)
    (model / "model.safetensors.index.json").write_text(deep_object())
    with pytest.raises(ZslError, match=r"model.safetensors.index.json is not valid JSON \(nested"):
        load_encoder(model)


def test_a_weights_header_nested_too_deep_is_named(tiny_clip, tmp_path):
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    header = deep_array().encode()
    weights = model / "model.safetensors"
    weights.write_bytes(len(header).to_bytes(8, "little") + header)
    with pytest.raises(ZslError, match="its model.safetensors is incomplete or damaged"):
        load_encoder(model)


def test_intact_files_still_load(tiny_clip, tmp_path):
    # The same copy, unchanged, loads: what is refused above is the file's content.
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    assert load_encoder(model).dim > 0
