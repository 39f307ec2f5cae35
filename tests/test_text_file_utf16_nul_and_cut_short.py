"""Text files in UTF-16 led by its byte-order mark: one holding a NUL character is binary, not
text; one cut short past its first block read is refused as not UTF-16, not read without its
last byte."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.text_files import read_text


def test_utf16_holding_a_nul_character_is_refused_as_binary(tmp_path: Path):
    path = tmp_path / "c.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "cat\0dog\n".encode("utf-16-le"))
    with pytest.raises(ZslError) as error:
        read_text(path)
    assert str(error.value) == f"{path}: not UTF-8 text (UTF-16 or binary); save it as UTF-8"


def test_utf16_cut_short_past_its_first_block_is_refused(tmp_path: Path):
    path = tmp_path / "c.txt"
    names = "".join(f"class {i}\n" for i in range(100_000))  # over 1 MiB in UTF-16
    path.write_bytes(codecs.BOM_UTF16_LE + names.encode("utf-16-le") + b"x")
    with pytest.raises(ZslError) as error:
        read_text(path)
    assert "not UTF-16 text, though its byte-order mark says so (cut short?)" in str(error.value)


def test_utf16_over_one_block_is_read_whole(tmp_path: Path):
    path = tmp_path / "c.txt"
    names = "".join(f"class {i}\r\n" for i in range(100_000))
    path.write_bytes(codecs.BOM_UTF16_BE + names.encode("utf-16-be"))
    assert read_text(path) == names.replace("\r\n", "\n")
