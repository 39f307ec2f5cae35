"""decode_image on uncompressed and PackBits TIFFs and on PCX files of each depth, damaged in the
ways a copy or a disk damages them: cut short, an offset or a byte count past the end, garbage
in place of pixel data. Each is skipped with the reason a user would give it; whole files decode."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import smooth_rgb
from tests.test_images_broken import encoded, failure_of, tiff_strips
from zsl_cli.images import decode_image


def with_strip_value(tiff: bytes, tag: int, index: int, value: int) -> bytes:
    """A little-endian TIFF with item `index` of the LONG strip array `tag` (273 offsets, 279
    byte counts) of its first directory replaced, where the array is inline (one strip) or not."""
    data = bytearray(tiff)
    ifd = int.from_bytes(data[4:8], "little")
    for entry in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        at = ifd + 2 + 12 * entry
        if int.from_bytes(data[at : at + 2], "little") != tag:
            continue
        assert int.from_bytes(data[at + 2 : at + 4], "little") == 4  # LONG
        if int.from_bytes(data[at + 4 : at + 8], "little") == 1:
            data[at + 8 : at + 12] = value.to_bytes(4, "little")
        else:
            array = int.from_bytes(data[at + 8 : at + 12], "little") + 4 * index
            data[array : array + 4] = value.to_bytes(4, "little")
        return bytes(data)
    raise AssertionError(f"no tag {tag}")


def tiff_of(compression: str, mode: str = "RGB") -> tuple[bytes, np.ndarray]:
    image = Image.fromarray(smooth_rgb(320, 240, seed=2)).convert(mode)
    settings = {"compression": compression, "strip_size": 320 * 3 * 16}
    return encoded(image, "TIFF", **settings), np.asarray(image.convert("RGB"))


COMPRESSIONS = ["raw", "packbits"]


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_whole_tiff_decodes_and_cut_one_is_truncated(tmp_path: Path, compression: str) -> None:
    tiff, pixels = tiff_of(compression)
    path = tmp_path / "whole.tif"
    path.write_bytes(tiff)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    for kept in (0.3, 0.6, 0.99):
        path.write_bytes(tiff[: int(len(tiff) * kept)])
        assert failure_of(path).status == "truncated", kept
    path.write_bytes(tiff[:-1])
    assert failure_of(path).status == "truncated"


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_whole_tiff_whose_strip_offset_points_past_its_end_is_damaged_not_cut(
    tmp_path: Path, compression: str
) -> None:
    # Pillow writes an uncompressed TIFF directory first, then its pixels to the file's end:
    # nothing lies past where the moved strip was, so no part listed ends where the file does.
    tiff, _ = tiff_of(compression)
    offsets, _ = tiff_strips(tiff)
    path = tmp_path / "offset_past_end.tif"
    for index in {0, len(offsets) // 2, len(offsets) - 1}:
        path.write_bytes(with_strip_value(tiff, 273, index, len(tiff) + 5000))
        error = failure_of(path)
        assert (error.status, "not cut short" in error.reason) == ("decode_error", True), index


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_whole_tiff_whose_strip_byte_count_runs_past_its_end_is_damaged(
    tmp_path: Path, compression: str
) -> None:
    # Pillow's reader of uncompressed strips reads the rows it needs, whatever the byte count
    # says: the damaged directory decoded, where libtiff (other programs) refuses the file.
    tiff, _ = tiff_of(compression)
    offsets, _ = tiff_strips(tiff)
    path = tmp_path / "count_past_end.tif"
    for index in {0, len(offsets) // 2, len(offsets) - 1}:
        path.write_bytes(with_strip_value(tiff, 279, index, len(tiff) + 5000))
        error = failure_of(path)
        assert error.status == "decode_error", index
        assert "past the end" in error.reason and "not cut short" in error.reason


def test_single_strip_tiff_whose_offset_points_past_its_end_is_damaged_not_cut(
    tmp_path: Path,
) -> None:
    tiff = encoded(Image.fromarray(smooth_rgb(64, 48, seed=2)), "TIFF")
    assert len(tiff_strips(tiff)[0]) == 1
    path = tmp_path / "offset_past_end.tif"
    path.write_bytes(with_strip_value(tiff, 273, 0, len(tiff) + 1))
    assert failure_of(path).status == "decode_error"
    # Cut before its one strip (the directory whole), it is cut short.
    offset = tiff_strips(tiff)[0][0]
    path.write_bytes(tiff[: offset + 100])
    assert failure_of(path).status == "truncated"


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_packbits_tiff_with_garbage_in_a_strip_is_a_decode_error(tmp_path: Path, mode: str) -> None:
    # libtiff stops a PackBits strip once it has the strip's rows and says nothing of the codes
    # left over, which garbage makes: the pixels decoded are wrong.
    tiff, pixels = tiff_of("packbits", mode)
    offsets, counts = tiff_strips(tiff)
    rng = np.random.default_rng(4)
    seen = 0
    for trial in range(8):
        damaged = bytearray(tiff)
        strip = len(offsets) // 2
        start = offsets[strip] + counts[strip] // 4 + trial * 37
        damaged[start : start + 300] = rng.integers(0, 256, 300, dtype=np.uint8).tobytes()
        with Image.open(io.BytesIO(bytes(damaged))) as unchecked:
            try:
                unchecked.load()
            except OSError:
                continue  # libtiff ran out of codes for the strip's rows: Pillow says so
        seen += 1
        path = tmp_path / f"garbage_{trial}.tif"
        path.write_bytes(bytes(damaged))
        error = failure_of(path)
        assert error.status == "decode_error", trial
        assert f"strip {strip + 1} of {len(offsets)}" in error.reason
    assert seen >= 3  # the damage this test is about, not only what libtiff already refuses


@pytest.mark.parametrize("mode", ["RGB", "L", "1", "P"])
def test_packbits_tiffs_of_each_mode_decode(tmp_path: Path, mode: str) -> None:
    image = Image.fromarray(smooth_rgb(123, 77, seed=5))
    image = image.quantize(16) if mode == "P" else image.convert(mode)
    for strip_rows in (None, 1, 10):
        settings = {"strip_size": 123 * 3 * strip_rows} if strip_rows else {}
        tiff = encoded(image, "TIFF", compression="packbits", **settings)
        path = tmp_path / f"{mode}_{strip_rows}.tif"
        path.write_bytes(tiff)
        expected = np.asarray(image.convert("RGB"))
        np.testing.assert_array_equal(np.asarray(decode_image(path)), expected)
