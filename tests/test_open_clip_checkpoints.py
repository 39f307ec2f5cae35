"""An open_clip (or timm) checkpoint, open_clip_config.json and no config.json, as a folder: said
to be one, which zsl cannot load, not a folder that is not a save_pretrained one. In the Hugging
Face cache it may be what open_clip fetched of a repo that holds transformers files too (LAION's
do): the advice to download it stays, saying that the cache holds the open_clip files only."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run, write_images


def _open_clip_files(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "open_clip_config.json").write_text(json.dumps({"model_cfg": {"embed_dim": 16}}))
    (folder / "open_clip_model.safetensors").write_bytes(b"\0" * 64)
    (folder / "tokenizer.json").write_text("{}")
    return folder


def _images_and_classes(tmp_path: Path) -> tuple[Path, str, Path]:
    write_images(tmp_path / "images", 1)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    return tmp_path / "images", "-c", tmp_path / "classes.txt"


def _says_open_clip(result, named: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"zsl: error: model {named} is an open_clip checkpoint (open_clip_config.json, no "
        "config.json), which zsl cannot load: it loads transformers checkpoints; give a "
        "transformers version of the model (a hub id or save_pretrained folder with a "
        "config.json)\n"
    )


def test_an_open_clip_folder_is_said_to_be_one(tmp_path):
    model = _open_clip_files(tmp_path / "openclip")
    result = run("label", *_images_and_classes(tmp_path), "-m", model)
    _says_open_clip(result, f"directory {model}")


def test_an_open_clip_model_in_the_hub_cache_is_told_to_download_the_rest(tmp_path, monkeypatch):
    import huggingface_hub.constants

    repo = tmp_path / "hub" / "models--timm--tiny-openclip"
    _open_clip_files(repo / "snapshots" / ("3" * 40))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("3" * 40)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    result = run("label", *_images_and_classes(tmp_path), "-m", "timm/tiny-openclip")
    assert result.exit_code == 2, result.output
    assert "hf download timm/tiny-openclip" in result.stderr
    assert result.stderr.rstrip().endswith(
        "(the cache holds its open_clip files only, open_clip_config.json: zsl loads the "
        "transformers files, config.json and its weights, where the hub repo has them, and "
        "cannot load an open_clip checkpoint)"
    )
    assert result.stderr.count("\n") == 1
