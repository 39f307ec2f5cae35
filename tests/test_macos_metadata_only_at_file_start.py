"""macOS metadata files (AppleDouble `._name`, `.DS_Store`, a Finder alias) are told by their
first bytes alone: a file of no image format that holds such bytes further in is no such file,
and its error does not call it one."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.image_status import DecodeError
from zsl_cli.images import DecodeOptions, decode_image

MAGICS = [
    b"\x00\x05\x16\x07\x00\x02\x00\x00",
    b"\x00\x00\x00\x01Bud1",
    b"book\x00\x00\x00\x00mark",
]


@pytest.mark.parametrize("magic", MAGICS)
def test_metadata_bytes_past_the_start_are_not_said_to_be_macos_metadata(tmp_path, magic):
    path = tmp_path / "notes.jpg"
    path.write_bytes(b"plain words, then " + magic + b"\x00" * 40)
    with pytest.raises(DecodeError) as caught:
        decode_image(Path(path), DecodeOptions())
    assert caught.value.status == "not_an_image"
    assert "macOS" not in caught.value.reason


@pytest.mark.parametrize("magic", MAGICS)
def test_the_same_bytes_at_the_start_are(tmp_path, magic):
    path = tmp_path / "notes.jpg"
    path.write_bytes(magic + b"\x00" * 60)
    with pytest.raises(DecodeError) as caught:
        decode_image(Path(path), DecodeOptions())
    assert "macOS" in caught.value.reason
