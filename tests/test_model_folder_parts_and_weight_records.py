"""What a model folder is said to lack (a tokenizer's files, its vocabulary) and how a run info
records its weight files (name, size, modification time to the microsecond), on files written
here."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zsl_cli.encoders.model_files import (
    file_problem,
    lacks_part,
    lacks_vocabulary,
    weight_file_records,
)


@pytest.mark.parametrize(
    "name", ["tokenizer.json", "vocab.json", "vocab.txt", "spiece.model", "tokenizer.model"]
)
def test_any_one_vocabulary_file_is_a_vocabulary(tmp_path: Path, name: str) -> None:
    assert lacks_vocabulary(tmp_path)
    (tmp_path / name).write_text("{}")
    assert not lacks_vocabulary(tmp_path)


@pytest.mark.parametrize(
    ("part", "name"),
    [("tokenizer", "tokenizer.json"), ("image processor", "preprocessor_config.json")],
)
def test_one_file_of_a_part_is_enough_for_it_not_to_be_lacking(
    tmp_path: Path, part: str, name: str
) -> None:
    assert lacks_part(tmp_path, part)
    (tmp_path / name).write_text("{}")
    assert not lacks_part(tmp_path, part)


def test_a_bin_checkpoint_in_the_legacy_pickle_format_is_not_taken_for_a_cut_zip(
    tmp_path: Path,
) -> None:
    # torch.save before torch 1.6 wrote a plain pickle stream, which is no zip archive.
    legacy = tmp_path / "pytorch_model.bin"
    legacy.write_bytes(b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19." + bytes(64))
    assert file_problem(legacy) is None
    cut = tmp_path / "cut" / "pytorch_model.bin"
    cut.parent.mkdir()
    cut.write_bytes(b"PK\x03\x04" + bytes(60))
    assert file_problem(cut) == (
        "its pytorch_model.bin is incomplete or damaged (not a whole zip archive); "
        "download it again"
    )


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ('"clip"', "a JSON string"),
        ("7", "a JSON number"),
        ("1.5", "a JSON number"),
        ("null", "a JSON value"),
        ("true", "a JSON value"),
    ],
)
def test_a_settings_file_of_any_json_but_an_object_is_named_with_its_kind(
    tmp_path: Path, content: str, kind: str
) -> None:
    (tmp_path / "config.json").write_text(content)
    assert file_problem(tmp_path / "config.json") == (
        f"its config.json holds {kind}, not an object; download it again"
    )


def test_weight_files_are_recorded_with_size_and_microsecond_time(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors.index.json").write_text(
        json.dumps({"weight_map": {"a": "model-2.safetensors", "b": "model-1.safetensors"}})
    )
    (tmp_path / "model-1.safetensors").write_bytes(b"x" * 10)
    (tmp_path / "model-2.safetensors").write_bytes(b"y" * 3)
    # 2026-12-07 12:34:56.789012345 UTC, and a microsecond later.
    stamp = 1_796_646_896_789_012_345
    os.utime(tmp_path / "model-1.safetensors", ns=(stamp, stamp))
    os.utime(tmp_path / "model-2.safetensors", ns=(stamp, stamp + 1_000))
    assert weight_file_records(tmp_path) == [
        {
            "name": "model-1.safetensors",
            "bytes": 10,
            "modified": "2026-12-07T12:34:56.789012+00:00",
        },
        {
            "name": "model-2.safetensors",
            "bytes": 3,
            "modified": "2026-12-07T12:34:56.789013+00:00",
        },
    ]
