"""decode_image on deep greys: the bit depth a file declares (32-bit integer TIFFs, 12-bit TIFFs,
a PNG's sBIT)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.images import (
    decode_image,
)

SAMPLES = Path(__file__).resolve().parent.parent / "sample_images"


def grey_tiff(path: Path, samples: np.ndarray, bits: int, sample_format: int) -> None:
    """An uncompressed little-endian grey TIFF of one strip, `samples` (rows x columns, already
    packed to `bits` a sample, as bytes) with the BitsPerSample and SampleFormat given: Pillow
    writes neither 12-bit nor unsigned 32-bit TIFFs."""
    height = samples.shape[0]
    data = samples.tobytes()
    width = len(data) * 8 // bits // height
    entries = [
        (256, 4, width),  # ImageWidth
        (257, 4, height),  # ImageLength
        (258, 3, bits),  # BitsPerSample
        (259, 3, 1),  # Compression: none
        (262, 3, 1),  # PhotometricInterpretation: BlackIsZero
        (273, 4, 8),  # StripOffsets: right after the header
        (277, 3, 1),  # SamplesPerPixel
        (278, 4, height),  # RowsPerStrip
        (279, 4, len(data)),  # StripByteCounts
        (339, 3, sample_format),  # SampleFormat: 1 unsigned, 2 signed
    ]
    directory = struct.pack("<H", len(entries))
    for tag, kind, value in entries:
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        directory += struct.pack("<HHI", tag, kind, 1) + packed
    header = b"II*\0" + struct.pack("<I", 8 + len(data))
    path.write_bytes(header + data + directory + b"\0\0\0\0")


def twelve_bit_rows(values: np.ndarray) -> np.ndarray:
    """12-bit samples packed as a TIFF packs them: two in three bytes, high bits first."""
    pairs = values.astype(np.uint16).reshape(values.shape[0], -1, 2)
    packed = np.empty((*pairs.shape[:2], 3), np.uint8)
    packed[..., 0] = pairs[..., 0] >> 4
    packed[..., 1] = (pairs[..., 0] & 15) << 4 | pairs[..., 1] >> 8
    packed[..., 2] = pairs[..., 1] & 255
    return packed.reshape(values.shape[0], -1)


def grey_levels(path: Path) -> np.ndarray:
    decoded = np.asarray(decode_image(path))
    assert (decoded == decoded[..., :1]).all()  # grey
    return decoded[..., 0]


def test_a_32bit_image_with_a_value_over_255_is_stretched_not_taken_for_16bit(
    tmp_path: Path,
) -> None:
    # The file says 32 bits: one bright pixel of 300 in an 8-bit ramp made zsl take the whole
    # picture for 16-bit data and divide it by 257, a black page (levels 0 and 1).
    ramp = np.tile(np.arange(256, dtype=np.int32), (4, 1))
    ramp[0, 0] = 300
    Image.fromarray(ramp).save(tmp_path / "ramp.tif")
    with Image.open(tmp_path / "ramp.tif") as image:
        assert image.mode == "I" and image.tag_v2[258] == (32,)
    levels = grey_levels(tmp_path / "ramp.tif")
    assert levels.tolist() == np.rint(ramp * 255 / 300).astype(np.uint8).tolist()
    assert levels[1, 255] == 217


def test_a_32bit_image_scales_from_zero_to_its_highest_value(tmp_path: Path) -> None:
    # No level of one pixel turns the picture into another: 255 -> 256 in one pixel of an
    # 8-bit picture, or 65535 -> 65536 in a 16-bit one, moves every level by under 1%.
    values = np.array([[1000, 2000, 3000, 5000]], dtype=np.int32)
    Image.fromarray(values).save(tmp_path / "dim.tif")
    assert grey_levels(tmp_path / "dim.tif").tolist() == [[51, 102, 153, 255]]
    for top in (255, 256, 65535, 65536):
        values = np.array([[0, 100, 128, top]], dtype=np.int32)
        Image.fromarray(values).save(tmp_path / "step.tif")
        expected = np.rint(values * 255 / max(255, top)).astype(np.uint8)
        assert grey_levels(tmp_path / "step.tif").tolist() == expected.tolist(), top


def test_an_unsigned_32bit_tiff_keeps_the_order_of_its_values_past_2_to_the_31(
    tmp_path: Path,
) -> None:
    # Pillow reads its samples into signed 32-bit pixels: 2**31 and up came back negative, the
    # brightest pixels the darkest once stretched.
    values = np.array([[0, 2**30, 2**31, 2**32 - 1]], dtype="<u4")
    grey_tiff(tmp_path / "unsigned.tif", values, 32, sample_format=1)
    with Image.open(tmp_path / "unsigned.tif") as image:
        assert image.mode == "I" and np.asarray(image)[0, 3] == -1
    assert grey_levels(tmp_path / "unsigned.tif").tolist() == [[0, 64, 128, 255]]


def test_a_signed_32bit_tiff_of_negative_values_is_still_stretched(tmp_path: Path) -> None:
    values = np.array([[-(2**31), -1, 0, 2**31 - 1]], dtype="<i4")
    grey_tiff(tmp_path / "signed.tif", values, 32, sample_format=2)
    assert grey_levels(tmp_path / "signed.tif").tolist() == [[0, 127, 128, 255]]


def test_a_12bit_tiff_is_scaled_from_12_bits(tmp_path: Path) -> None:
    # Pillow unpacks a 12-bit TIFF to 16-bit pixels of 0..4095 without scaling them; scaled
    # as 16-bit data, the brightest level was 16 of 255.
    values = np.array([[0, 1000, 2000, 4095], [4095, 3000, 5, 2048]])
    grey_tiff(tmp_path / "twelve.tif", twelve_bit_rows(values), 12, sample_format=1)
    with Image.open(tmp_path / "twelve.tif") as image:
        assert image.mode == "I;16" and image.tag_v2[258] == (12,)
        assert np.asarray(image).tolist() == values.tolist()
    levels = grey_levels(tmp_path / "twelve.tif")
    assert levels.tolist() == np.rint(values * 255 / 4095).astype(np.uint8).tolist()


def test_a_12bit_tiff_is_labelled_as_its_8bit_picture(tmp_path: Path) -> None:
    with Image.open(SAMPLES / "red circle" / "red_circle_0000.png") as image:
        grey = np.asarray(image.convert("L"))[:, : image.width // 2 * 2]
    Image.fromarray(grey).save(tmp_path / "picture.png")
    # 8-bit levels widened to 12 bits as a camera's would be: v * 4095 / 255 scales back exactly.
    twelve = np.rint(grey.astype(np.float64) * 4095 / 255).astype(np.uint16)
    grey_tiff(tmp_path / "picture.tif", twelve_bit_rows(twelve), 12, sample_format=1)
    assert np.array_equal(grey_levels(tmp_path / "picture.tif"), grey)
    paths = [str(tmp_path / "picture.png"), str(tmp_path / "picture.tif")]
    args = [
        "label",
        *paths,
        "-c",
        str(SAMPLES / "classes.txt"),
        "-m",
        "shapes-demo",
        "-f",
        "jsonl",
        "-q",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    png, tif = (json.loads(line) for line in result.stdout.splitlines())
    assert png["status"] == tif["status"] == "ok"
    assert tif["label"] == png["label"]
    assert tif["score"] == pytest.approx(png["score"], rel=1e-5)


def _png_with_sbit(path: Path, values: np.ndarray, significant_bits: int) -> None:
    info = PngImagePlugin.PngInfo()
    info.add(b"sBIT", bytes([significant_bits]))
    Image.fromarray(values.astype(np.uint16)).save(path, pnginfo=info)
    assert b"sBIT" in path.read_bytes()


def test_a_png_sbit_of_12_reads_as_the_png_spec_has_it_the_samples_high_bits(
    tmp_path: Path,
) -> None:
    # The PNG spec has encoders scale samples of fewer bits up to the full 16 (sBIT says how
    # many were significant, for a decoder to shift them back down): a 12-bit camera's file
    # so written is no darker than its picture. One with its 12 bits in the low bits breaks
    # the spec, and libpng (png_set_shift), browsers and zsl all show it dark: nothing in the
    # file tells the two apart but its values.
    original = np.array([[0, 1000, 2000, 4095]])
    scaled = np.rint(original * 65535 / 4095)
    _png_with_sbit(tmp_path / "spec.png", scaled, 12)
    _png_with_sbit(tmp_path / "low_bits.png", original, 12)
    expected = np.rint(original * 255 / 4095).astype(np.uint8)
    assert grey_levels(tmp_path / "spec.png").tolist() == expected.tolist()
    assert grey_levels(tmp_path / "low_bits.png").tolist() == [[0, 4, 8, 16]]
