"""path_from_text: the path a UTF-8 file's text names, back from path_to_text's form; text
holding a surrogate that escapes no byte (a JSON \\ud800) names no file and is kept as it is."""

from __future__ import annotations

import os

import pytest

from zsl_cli.formatting import path_from_text, path_to_text


@pytest.mark.parametrize("name", [b"caf\xc3\xa9.png", b"caf\xe9.png", b"plain/a.jpg"])
def test_a_path_written_as_text_is_read_back_as_the_same_path(name: bytes) -> None:
    path = os.fsdecode(name)
    assert path_from_text(path_to_text(path)) == path


@pytest.mark.parametrize("text", ["caf\ud800.png", "a\udfff/b.jpg"])
def test_text_holding_a_surrogate_that_escapes_no_byte_is_kept_as_it_is(text: str) -> None:
    # Not turned into another name ("caf?.png") that a file may have.
    assert path_from_text(text) == text
