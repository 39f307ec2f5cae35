"""Which model a name means, and the exact line for a name that means none: paths under ~,
names with two slashes, hub cache folders, folders of several models, files of a model folder
and a trailing '/' on what cannot be a hub id."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zsl_cli.encoders import loading, resolve_model
from zsl_cli.errors import ZslError


def refusal(name: str) -> str:
    with pytest.raises(ZslError) as info:
        resolve_model(name)
    return info.value.message


def test_bundled_models_are_the_folders_with_a_config(tmp_path, monkeypatch):
    for name, model in (("zeta", True), ("alpha", True), ("notes", False)):
        (tmp_path / name).mkdir()
        if model:
            (tmp_path / name / "config.json").write_text("{}")
    (tmp_path / "readme.txt").write_text("not a model")
    monkeypatch.setattr(loading, "BUNDLED_DIR", tmp_path)
    assert loading.bundled_models() == ["alpha", "zeta"]
    source = resolve_model("zeta")
    assert (source.name, source.location, source.is_local) == ("zeta", str(tmp_path / "zeta"), True)


def test_a_folder_under_home_that_is_not_there_is_a_missing_folder(tmp_path, monkeypatch):
    # "~/x" holds one '/', as a hub id does: it was refused as no hub id.
    monkeypatch.setenv("HOME", str(tmp_path))
    assert refusal("~/no-such-model-zsl") == "model directory not found: ~/no-such-model-zsl"


def test_a_name_with_two_slashes_is_a_missing_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert refusal("org/name/sub") == "model directory not found: org/name/sub"


def test_a_hub_cache_folder_names_the_hub_id_exactly(tiny_clip, tmp_path):
    repo = tmp_path / "models--acme--tiny-clip"
    shutil.copytree(tiny_clip, repo / "snapshots" / ("0" * 40))
    assert refusal(str(repo)) == (
        f"model directory {repo} is a Hugging Face cache folder, not a model's files: give its "
        "hub id (acme/tiny-clip), which loads from the cache, or one of its snapshots/<commit> "
        "folders"
    )


def _models_in(folder: Path, names: list[str]) -> None:
    for name in names:
        (folder / name).mkdir(parents=True)
        (folder / name / "config.json").write_text("{}")


def test_three_sub_folders_of_models_are_all_named(tmp_path):
    _models_in(tmp_path / "run", ["c", "a", "b"])
    assert refusal(str(tmp_path / "run")) == (
        f"model directory {tmp_path / 'run'} has no config.json, but its sub-folders a, b, c "
        f"hold models: give one ({tmp_path / 'run' / 'a'})"
    )


def test_more_than_three_sub_folders_of_models_are_counted(tmp_path):
    _models_in(tmp_path / "run", ["d", "c", "a", "b"])
    assert refusal(str(tmp_path / "run")) == (
        f"model directory {tmp_path / 'run'} has no config.json, but its sub-folders a, b, c, "
        f"... (4 in all) hold models: give one ({tmp_path / 'run' / 'a'})"
    )


def test_a_file_of_a_model_folder_in_the_current_folder_names_it(tiny_clip, monkeypatch):
    monkeypatch.chdir(tiny_clip)
    assert refusal("config.json") == (
        "--model config.json is a file of a model folder; give the folder (.)"
    )


def test_a_file_of_a_model_folder_with_a_trailing_slash_names_the_folder(tiny_clip):
    name = f"{tiny_clip}/model.safetensors/"
    assert refusal(name) == (
        f"--model {name} is a file of a model folder; give the folder ({tiny_clip})"
    )


def test_a_trailing_slash_on_what_is_no_hub_id_offers_no_hub_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert refusal("not valid/") == "model directory not found: not valid/"
    assert refusal("org--x/name/") == "model directory not found: org--x/name/"
