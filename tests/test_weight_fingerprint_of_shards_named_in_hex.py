"""A weight shard that is a file of its own (not a hub cache's link to a blob) is hashed by
reading it, even where its name is 64 hex digits, as a blob named by its SHA-256 is: new weights
saved under the same shard names must change the model's identity."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from zsl_cli.encoders.model_files import loaded_weight_files, weight_files_fingerprint

SHARD = "ab" * 32  # 64 hex digits, the name of no content's SHA-256 here


def _folder(folder: Path, data: bytes) -> Path:
    folder.mkdir()
    index = {"metadata": {}, "weight_map": {"a.weight": SHARD}}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index))
    (folder / SHARD).write_bytes(data)
    return folder


def test_a_shard_named_in_hex_is_hashed_by_its_content(tmp_path: Path) -> None:
    old = loaded_weight_files(_folder(tmp_path / "old", b"weights before"))
    new = loaded_weight_files(_folder(tmp_path / "new", b"weights after"))
    assert [file.name for file in old] == [file.name for file in new] == [SHARD]
    expected = hashlib.sha256()
    expected.update(SHARD.encode())
    expected.update(hashlib.sha256(b"weights after").hexdigest().encode())
    assert weight_files_fingerprint(new) == expected.hexdigest()
    assert weight_files_fingerprint(old) != weight_files_fingerprint(new)
