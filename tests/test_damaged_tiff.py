"""decode_image on TIFF files whose header is damaged or cut: what `zsl label` shows as the
image's status and reason."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.corpus import NEEDS_PILLOW_13
from tests.helpers import failure_of
from zsl_cli.images import decode_image


def tiff_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(buffer, "TIFF")
    return buffer.getvalue()


def with_directory_offset(tmp_path: Path, offset: int) -> Path:
    """A whole little-endian TIFF whose header gives its first directory at `offset`."""
    data = tiff_bytes()
    path = tmp_path / "scan.tif"
    path.write_bytes(data[:4] + offset.to_bytes(4, "little") + data[8:])
    return path


@pytest.mark.parametrize(
    "data",
    [b"II+\x00\x08\x00\x00\x00\x10\x00", b"MM\x00+\x00\x08\x00\x00\x00\x00"],
    ids=["little-endian", "big-endian"],
)
def test_bigtiff_cut_inside_its_16_byte_header_is_truncated(tmp_path: Path, data: bytes) -> None:
    # A BigTIFF's header gives its first directory's offset in 8 bytes after the first 8.
    path = tmp_path / "scan.tif"
    path.write_bytes(data)
    error = failure_of(path)
    assert (error.status, error.reason) == (
        "truncated",
        f"image file is truncated (data ends after {len(data)} bytes)",
    )


# Pillow 12 reads offset 4 as a cut file ("Truncated File Read"); 13 says "Tag data larger than
# file", which zsl passes on: the case tells Pillow 13's words.
@pytest.mark.parametrize("offset", [0, pytest.param(4, marks=NEEDS_PILLOW_13)])
def test_tiff_whose_directory_offset_points_into_its_header_says_what_pillow_found(
    tmp_path: Path, offset: int
) -> None:
    # No cut and no misplaced data tell anything: Pillow's own words on it stand.
    error = failure_of(with_directory_offset(tmp_path, offset))
    assert error.status == "not_an_image"
    assert error.reason.startswith("TIFF signature, but Pillow cannot open it: "), error.reason


def test_whole_tiff_decodes(tmp_path: Path) -> None:
    path = tmp_path / "scan.tif"
    path.write_bytes(tiff_bytes())
    assert decode_image(path).getpixel((7, 7)) == (10, 200, 30)


@pytest.mark.parametrize("offset", [0xFFFFFFF0, 100_000])
def test_tiff_whose_directory_offset_lies_past_its_end_with_a_directory_after_its_header(
    tmp_path: Path, offset: int
) -> None:
    # Pillow writes the directory right after the header: an offset past the end with that
    # directory in place is a damaged offset, not a file cut short (a cut takes what follows
    # the header with it, not the directory alone).
    error = failure_of(with_directory_offset(tmp_path, offset))
    assert error.status == "not_an_image"
    assert error.reason == (
        f"TIFF signature, but its header places its first directory at byte {offset:,}, past "
        f"the file's end ({len(tiff_bytes()):,} bytes), where a directory follows the header: a "
        "damaged offset, not a cut"
    )


def test_tiff_cut_before_its_directory_is_truncated(tmp_path: Path) -> None:
    # libtiff writes the directory after the pixels: cut, the file keeps an offset past its
    # end and pixels (no directory) after its header.
    pixels = bytes(range(256)) * 4
    path = tmp_path / "scan.tif"
    path.write_bytes(b"II*\0" + (8 + len(pixels)).to_bytes(4, "little") + pixels)
    assert failure_of(path).status == "truncated"
