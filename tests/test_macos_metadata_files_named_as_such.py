"""A folder copied from a Mac (to a FAT or network disk, or zipped by the Finder) holds, beside each
`photo.jpg`, an AppleDouble file `._photo.jpg` of its Finder metadata, and `.DS_Store` files: a
`find -iname '*.jpg'` list (as README's cron example builds one) or `--include-hidden` gives them
to zsl; a Finder alias renamed as its image is such a file too. They fail as not images; their
error says what they are, where it said only "not an image format Pillow can read", which reads as
a damaged photo."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.image_status import DecodeError
from zsl_cli.images import DecodeOptions, decode_image

# AppleDouble's magic number and version 2, then its filler ("Mac OS X" as macOS writes it).
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02" + b"\x00" * 40
DS_STORE = b"\x00\x00\x00\x01Bud1" + b"\x00" * 60
# A Finder alias is bookmark data: "book", four zero bytes, "mark".
ALIAS = b"book\x00\x00\x00\x00mark\x00\x00\x00\x00" + b"\x00" * 48


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("._1.JPG", APPLE_DOUBLE, "macOS metadata of a file (AppleDouble"),
        (".DS_Store", DS_STORE, "macOS Finder's folder settings (.DS_Store)"),
        ("photo.jpg", ALIAS, "a macOS Finder alias, not the image it points to"),
    ],
)
def test_macos_metadata_is_said_to_be_no_image(tmp_path, name, content, said):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DecodeError) as caught:
        decode_image(Path(path), DecodeOptions())
    assert caught.value.status == "not_an_image"
    assert said in caught.value.reason


def test_other_bytes_keep_the_plain_reason(tmp_path):
    path = tmp_path / "x.jpg"
    path.write_bytes(b"\x00\x05\x16\x08" + b"\x00" * 60)
    with pytest.raises(DecodeError) as caught:
        decode_image(Path(path), DecodeOptions())
    assert caught.value.status == "not_an_image"
    assert "macOS" not in caught.value.reason
