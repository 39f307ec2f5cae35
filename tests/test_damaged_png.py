"""decode_image on PNG files whose chunks fail their checksums: an ancillary chunk is skipped,
a critical one (IHDR, PLTE) decides the pixels and refuses the file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import FailingAfter
from zsl_cli.image_damage import (
    check_png_pixel_data,
    damaged_png_chunks,
    dropped_png_text,
    extra_icc_profiles,
)
from zsl_cli.images import DecodeError, decode_image

RED = (200, 30, 10)


def palette_png() -> bytes:
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, *RED] + [0] * (256 * 3 - 6))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def with_bad_checksum(data: bytes, kind: bytes) -> bytes:
    at = data.index(kind)
    crc = at + 4 + int.from_bytes(data[at - 4 : at], "big")
    return data[:crc] + bytes(4) + data[crc + 4 :]


def test_palette_png_decodes_in_its_colours(tmp_path: Path) -> None:
    path = tmp_path / "icon.png"
    path.write_bytes(palette_png())
    assert decode_image(path).getpixel((0, 0)) == RED


@pytest.mark.parametrize("kind", [b"IHDR", b"PLTE"])
def test_png_whose_critical_chunk_fails_its_checksum_is_refused(
    tmp_path: Path, kind: bytes
) -> None:
    # Skipped as an ancillary chunk is, a damaged PLTE would leave the pixels without their
    # colours: the file is refused in Pillow's words instead.
    path = tmp_path / "icon.png"
    path.write_bytes(with_bad_checksum(palette_png(), kind))
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "not_an_image"
    assert caught.value.reason == (
        "PNG signature, but Pillow cannot open it: broken PNG file (bad header checksum in "
        f"{kind!r})"
    )


def png_with_bad_ancillary_chunk() -> bytes:
    data = palette_png()
    at = data.index(b"PLTE") - 4
    text = b"tEXtComment\x00hi"
    chunk = (len(text) - 4).to_bytes(4, "big") + text + bytes(4)  # its checksum wrong
    return data[:at] + chunk + data[at:]


@pytest.mark.parametrize("reads", range(4))
def test_png_checks_give_no_verdict_where_a_read_fails(reads: int) -> None:
    # An I/O error tells nothing of the file: no patch, no refusal, and the file left at its
    # start for the decode that will meet the error itself.
    data = png_with_bad_ancillary_chunk()
    assert damaged_png_chunks(io.BytesIO(data), len(data))  # read whole: one patch
    for check in (
        lambda file: damaged_png_chunks(file, len(data)),
        lambda file: extra_icc_profiles(file, len(data)),
        lambda file: dropped_png_text(ValueError("past MAX_TEXT_MEMORY"), file, len(data)),
        lambda file: check_png_pixel_data(file, len(data)),
    ):
        file = FailingAfter(data, reads)
        assert not check(file)
        assert file.tell() == 0
