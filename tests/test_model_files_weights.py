"""Which weight files a model folder loads, their content hash (the same for a copy, for a hub
cache's links to blobs, whatever the blobs are named) and what is wrong with a weight file,
checked on files written here and hashed with hashlib directly."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from zsl_cli.encoders.model_files import (
    file_problem,
    lacks_part,
    lacks_vocabulary,
    loaded_weight_files,
    weight_files_fingerprint,
)


def expected_fingerprint(*files: tuple[str, bytes]) -> str:
    """sha256 over each file's name and the hex SHA-256 of its bytes, by hand."""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode())
        digest.update(hashlib.sha256(data).hexdigest().encode())
    return digest.hexdigest()


def linked(folder: Path, name: str, data: bytes, blob: str) -> Path:
    """`name` in `folder` as a hub cache has it: a link to ../blobs/`blob`."""
    (folder.parent / "blobs").mkdir(parents=True, exist_ok=True)
    (folder.parent / "blobs" / blob).write_bytes(data)
    folder.mkdir(exist_ok=True)
    (folder / name).symlink_to(Path("..", "blobs", blob))
    return folder / name


def test_a_plain_file_is_hashed_by_its_name_and_content(tmp_path: Path) -> None:
    data = b"weights"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "model.safetensors").write_bytes(data)
    (tmp_path / "b" / "model.safetensors").write_bytes(data)
    expected = expected_fingerprint(("model.safetensors", data))
    # The folder it is in is no part of it.
    assert weight_files_fingerprint([tmp_path / "a" / "model.safetensors"]) == expected
    assert weight_files_fingerprint([tmp_path / "b" / "model.safetensors"]) == expected


def test_a_link_to_a_blob_named_by_its_sha256_is_hashed_as_its_content(tmp_path: Path) -> None:
    data = b"large weights"
    blob = hashlib.sha256(data).hexdigest()
    link = linked(tmp_path / "snapshot", "model.safetensors", data, blob)
    assert weight_files_fingerprint([link]) == expected_fingerprint(("model.safetensors", data))


def test_a_link_to_a_blob_named_otherwise_is_hashed_by_reading_it(tmp_path: Path) -> None:
    # A small file's blob is named by its git SHA-1 (40 hex digits), which a copy would not give;
    # a 64-character name that is not hex is no SHA-256 either.
    data = b"small weights"
    for blob in (hashlib.sha1(data).hexdigest(), "g" * 64, "A" * 64):
        snapshot = tmp_path / blob / "snapshot"
        link = linked(snapshot, "pytorch_model.bin", data, blob)
        assert weight_files_fingerprint([link]) == expected_fingerprint(
            ("pytorch_model.bin", data)
        ), blob


def write_index(folder: Path, name: str, weight_map: dict[str, str]) -> None:
    (folder / name).write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))


def test_safetensors_are_loaded_before_a_pickled_checkpoint(tmp_path: Path) -> None:
    for name in ("pytorch_model.bin", "model.safetensors"):
        (tmp_path / name).write_bytes(b"x")
    assert loaded_weight_files(tmp_path) == [tmp_path / "model.safetensors"]
    (tmp_path / "model.safetensors").unlink()
    assert loaded_weight_files(tmp_path) == [tmp_path / "pytorch_model.bin"]


def test_an_index_names_each_shard_once_in_name_order(tmp_path: Path) -> None:
    write_index(
        tmp_path,
        "model.safetensors.index.json",
        {"c": "model-2.safetensors", "a": "model-1.safetensors", "b": "model-2.safetensors"},
    )
    expected = [tmp_path / "model-1.safetensors", tmp_path / "model-2.safetensors"]
    assert loaded_weight_files(tmp_path) == expected


def test_a_folder_lacks_the_model_without_config_or_every_shard(tmp_path: Path) -> None:
    assert lacks_part(tmp_path, "model")
    (tmp_path / "config.json").write_text("{}")
    assert lacks_part(tmp_path, "model")  # no weights
    write_index(
        tmp_path,
        "model.safetensors.index.json",
        {"a": "model-1.safetensors", "b": "model-2.safetensors"},
    )
    (tmp_path / "model-1.safetensors").write_bytes(b"x")
    assert lacks_part(tmp_path, "model")  # a shard is missing
    (tmp_path / "model-2.safetensors").write_bytes(b"x")
    assert not lacks_part(tmp_path, "model")


def test_a_folder_lacks_a_vocabulary_with_tokenizer_settings_alone(tmp_path: Path) -> None:
    (tmp_path / "tokenizer_config.json").write_text("{}")
    (tmp_path / "special_tokens_map.json").write_text("{}")
    assert lacks_vocabulary(tmp_path)
    (tmp_path / "vocab.json").write_text("{}")
    assert not lacks_vocabulary(tmp_path)


def test_a_whole_safetensors_file_is_no_problem_and_one_byte_short_is(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    save_file({"w": np.arange(12, dtype=np.float32)}, str(path))
    assert file_problem(path) is None
    data = path.read_bytes()
    path.write_bytes(data[:-1])
    assert file_problem(path) == (
        f"its model.safetensors is incomplete ({len(data) - 1:,} of {len(data):,} bytes); "
        "download it again"
    )
