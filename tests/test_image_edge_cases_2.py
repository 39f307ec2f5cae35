"""decode_image on edge cases of deep greys and damaged files: the bit depth a file declares
(32-bit integer TIFFs, 12-bit TIFFs, a PNG's sBIT), a JPEG that lacks only its end marker, an
animated WebP cut before its EXIF, and the resize check of a draft-decoded JPEG."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin, features
from typer.testing import CliRunner

from tests.corpus import blocky_rgb
from zsl_cli.cli import app
from zsl_cli.encoders.preprocess import FastPreprocessor
from zsl_cli.images import (
    FULL_SIZE_INFO,
    DecodeError,
    DecodeOptions,
    ImagePreparation,
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


def jpeg_bytes(progressive: bool, size: tuple[int, int] = (301, 203), seed: int = 1) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(*size, seed)).save(
        buffer, "JPEG", quality=90, progressive=progressive
    )
    data = buffer.getvalue()
    assert data.endswith(b"\xff\xd9")
    return data


@pytest.mark.parametrize("draft", [None, (64, 64)])
@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("size", [(64, 48), (301, 203)])
def test_a_jpeg_that_lacks_only_its_end_marker_decodes_as_the_whole_file(
    tmp_path: Path, progressive: bool, size: tuple[int, int], draft: tuple[int, int] | None
) -> None:
    # libjpeg's own reader (djpeg: "Premature end of JPEG file") and browsers show it whole;
    # Pillow asks for the marker after the last block and said it was truncated.
    data = jpeg_bytes(progressive, size)
    (tmp_path / "whole.jpg").write_bytes(data)
    (tmp_path / "no_end.jpg").write_bytes(data[:-2])
    options = DecodeOptions(draft=draft)
    whole = decode_image(tmp_path / "whole.jpg", options)
    ended = decode_image(tmp_path / "no_end.jpg", options)
    assert ended.size == whole.size and ended.format == "JPEG"
    assert ended.info[FULL_SIZE_INFO] == whole.info[FULL_SIZE_INFO]
    assert np.array_equal(np.asarray(ended), np.asarray(whole))


def _decodes_as_whole(data: bytes, whole: np.ndarray) -> bool:
    """Whether libjpeg, given `data` and an end marker, decodes the whole file's pixels."""
    try:
        with Image.open(io.BytesIO(data + b"\xff\xd9")) as image:
            return np.array_equal(np.asarray(image.convert("RGB")), whole)
    except OSError:
        return False


@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_cut_inside_its_coded_data_is_still_truncated(
    tmp_path: Path, progressive: bool
) -> None:
    # Truncated unless what is left decodes to the whole file's pixels (a progressive file's
    # last refinement scan may hold a byte or two that change none).
    data = jpeg_bytes(progressive)
    whole = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    scans = [at for at in range(len(data)) if data[at : at + 2] == b"\xff\xda"]
    last_scan_data = scans[-1] + 2 + int.from_bytes(data[scans[-1] + 2 : scans[-1] + 4], "big")
    cut_short = [len(data) - 10, len(data) - 100]
    if progressive:  # cut where a later scan would begin: its scans leave coefficients uncoded
        cut_short += [scans[-1], scans[-2], scans[len(scans) // 2]]
    near_end = [len(data) - 3, len(data) - 4, len(data) - 5, last_scan_data, last_scan_data + 1]
    near_end.append((last_scan_data + len(data) - 2) // 2)  # inside the last scan's data
    for cut in cut_short + near_end:
        as_whole = _decodes_as_whole(data[:cut], whole)
        assert not as_whole or cut in near_end, cut
        (tmp_path / "cut.jpg").write_bytes(data[:cut])
        for draft in (None, (64, 64)):
            options = DecodeOptions(draft=draft)
            if as_whole:
                (tmp_path / "whole.jpg").write_bytes(data)
                expected = np.asarray(decode_image(tmp_path / "whole.jpg", options))
                decoded = np.asarray(decode_image(tmp_path / "cut.jpg", options))
                assert np.array_equal(decoded, expected), (cut, draft)
                continue
            with pytest.raises(DecodeError) as caught:
                decode_image(tmp_path / "cut.jpg", options)
            assert caught.value.status == "truncated", (cut, draft, caught.value.reason)
    if not progressive:  # a sequential file's last bytes are its last blocks'
        assert not any(_decodes_as_whole(data[:cut], whole) for cut in near_end)


@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_with_restart_markers_cut_where_an_interval_ends_is_truncated(
    tmp_path: Path, progressive: bool
) -> None:
    # libjpeg skips the bytes put after such a cut as it looks for the next restart marker, and
    # leaves the rest grey with them or without: the two decodes agree, the pixels are not whole.
    data = jpeg_bytes(progressive, (301, 203))
    with Image.open(io.BytesIO(data)) as image:
        image.save(buffer := io.BytesIO(), "JPEG", progressive=progressive, restart_marker_rows=1)
    data = buffer.getvalue()
    restarts = [
        at for at in range(len(data) - 1) if data[at] == 0xFF and 0xD0 <= data[at + 1] <= 0xD7
    ]
    assert len(restarts) > 3
    for cut in (restarts[-1], restarts[-2], len(data) - 2):
        (tmp_path / "cut.jpg").write_bytes(data[:cut])
        with pytest.raises(DecodeError) as caught:
            decode_image(tmp_path / "cut.jpg", DecodeOptions())
        assert caught.value.status == "truncated", cut


def test_a_jpeg_that_lacks_only_its_end_marker_is_labelled_among_others(tmp_path: Path) -> None:
    data = (SAMPLES / "red circle" / "red_circle_0000.png").read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        image.convert("RGB").save(tmp_path / "a_whole.jpg", quality=95)
    whole = (tmp_path / "a_whole.jpg").read_bytes()
    (tmp_path / "b_no_end.jpg").write_bytes(whole[:-2])
    (tmp_path / "c_cut.jpg").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "d_whole.jpg").write_bytes(whole)
    args = ["label", str(tmp_path), "-c", str(SAMPLES / "classes.txt"), "-m", "shapes-demo"]
    result = CliRunner().invoke(app, [*args, "-f", "jsonl", "-q"])
    assert result.exit_code == 0, result.output
    rows = {Path(row["path"]).name: row for row in map(json.loads, result.stdout.splitlines())}
    assert [rows[name]["status"] for name in sorted(rows)] == ["ok", "ok", "truncated", "ok"]
    for name in ("b_no_end.jpg", "d_whole.jpg"):
        assert rows[name]["top_k"] == rows["a_whole.jpg"]["top_k"]


def test_the_resize_check_of_a_drafted_jpeg_is_made_on_its_full_size(tmp_path: Path) -> None:
    # The preprocessor resizes from the full size (FULL_SIZE_INFO); the check took the draft's,
    # whose sides, rounded up at 1/8 scale, are of another aspect ratio (17x125 for 129x1000),
    # and let through a resize over the limit. zsl's own draft (4 times the model's input)
    # leaves too much room for that to happen; a library caller's smaller one does not.
    Image.fromarray(blocky_rgb(129, 1000, 2)).save(tmp_path / "strip.jpg", quality=90)
    preprocessor = FastPreprocessor(
        shortest_edge=224, resize_to=None, crop=(224, 224), resample=Image.Resampling.BICUBIC
    )
    full, drafted = preprocessor.resized_pixels(129, 1000), preprocessor.resized_pixels(17, 125)
    assert drafted < full
    limit = (full + drafted) // 2
    draft = DecodeOptions(draft=(16, 16))
    assert decode_image(tmp_path / "strip.jpg", draft).size == (17, 125)
    for options in (DecodeOptions(), draft):
        with pytest.raises(DecodeError) as caught:
            ImagePreparation(options, preprocessor, limit)(tmp_path / "strip.jpg")
        assert caught.value.status == "too_large"
        assert caught.value.reason.startswith("129x1000 is so elongated")
    assert ImagePreparation(draft, preprocessor, full)(tmp_path / "strip.jpg").shape == (
        224,
        224,
        3,
    )


def _riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """A WebP's chunks, (fourcc, the chunk whole with its padding), in file order."""
    found, offset = [], 12
    while offset + 8 <= len(data):
        (length,) = struct.unpack("<I", data[offset + 4 : offset + 8])
        end = offset + 8 + length + length % 2
        found.append((data[offset : offset + 4], data[offset:end]))
        offset = end
    return found


def _riff(chunks: list[bytes]) -> bytes:
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.skipif(not features.check("webp"), reason="this Pillow has no WebP")
def test_an_animated_webp_cut_after_its_first_frame_keeps_an_exif_turn_only_it_still_holds(
    tmp_path: Path,
) -> None:
    # The container spec puts EXIF after the frames, and libwebp's muxer (Pillow's writer)
    # does: a file cut in a later frame has lost it, and nothing tells its orientation (no
    # fix to make). An EXIF placed before the frames is kept with the first frame.
    frames = [Image.fromarray(blocky_rgb(50, 30, seed)) for seed in range(3)]
    exif = Image.Exif()
    exif[0x0112] = 6  # turn a quarter: shown 30 x 50
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "WEBP", save_all=True, append_images=frames[1:], lossless=True, exif=exif
    )
    chunks = _riff_chunks(buffer.getvalue())
    kinds = [kind for kind, _ in chunks]
    assert kinds == [b"VP8X", b"ANIM", b"ANMF", b"ANMF", b"ANMF", b"EXIF"]
    exif_before = _riff([chunks[0][1], chunks[1][1], chunks[5][1], *(c for _, c in chunks[2:5])])
    for name, data in (("spec.webp", buffer.getvalue()), ("exif_first.webp", exif_before)):
        (tmp_path / name).write_bytes(data)
        assert decode_image(tmp_path / name).size == (30, 50)
        second_frame = data.index(b"ANMF", data.index(b"ANMF") + 8)
        (tmp_path / f"cut_{name}").write_bytes(data[: second_frame + 20])
    assert b"EXIF" not in (tmp_path / "cut_spec.webp").read_bytes()
    assert decode_image(tmp_path / "cut_spec.webp").size == (50, 30)
    assert decode_image(tmp_path / "cut_exif_first.webp").size == (30, 50)
