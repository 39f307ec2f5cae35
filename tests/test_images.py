"""decode_image on real files: statuses for broken ones, correct pixels for odd ones."""

from __future__ import annotations

import errno
import io
import os
import pickle
import random
import subprocess
import sys
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile, PngImagePlugin, features

from tests.corpus import (
    NEEDS_PILLOW_13,
    blocky_rgb,
    grey_png,
    pillow_writes,
    png_declaring_size,
    rgb16_png,
    write_bad_files,
    write_large_jpeg,
    write_odd_images,
)
from tests.helpers import failure_of
from zsl_cli.discovery import scan
from zsl_cli.encoders.preprocess import FastPreprocessor
from zsl_cli.images import (
    DECODE_STATUSES,
    DEFAULT_MAX_PIXELS,
    DecodeError,
    DecodeOptions,
    ImagePreparation,
    check_resized_pixels,
    decided_by_content,
    decode_image,
    pillow_extensions,
    pillow_settings,
)


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return write_odd_images(tmp_path_factory.mktemp("odd"))


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, str]:
    return write_bad_files(tmp_path_factory.mktemp("bad"))


def status_of(path: Path, options: DecodeOptions = DecodeOptions()) -> str:
    try:
        image = decode_image(path, options)
    except DecodeError as error:
        assert error.reason and "\n" not in error.reason
        assert error.status in DECODE_STATUSES
        return error.status
    assert image.mode == "RGB"
    return "ok"


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


ODD_NAMES = [
    *(f"jpeg_orientation_{n}" for n in range(2, 9)),
    "cmyk_jpeg",
    "grayscale_png",
    "png_16bit_gray",
    "tiff_16bit_gray",
    "tiff_float_gray",
    "png_rgba",
    "png_la",
    "png_palette_transparency",
    "gif_animated",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_image_decodes_to_its_clean_original(odd: dict, name: str) -> None:
    case = odd[name]
    image = decode_image(case.path)
    assert image.mode == "RGB"
    # The file's format survives conversions and turns: preprocessing treats JPEGs apart.
    with Image.open(case.path) as original:
        assert image.format == original.format
    pixels = np.asarray(image)
    assert pixels.shape == case.expected.shape
    assert mean_abs_diff(pixels, case.expected) <= case.tolerance


def test_corpus_defeats_a_naive_decoder(odd: dict) -> None:
    """The odd images must actually be odd: plain convert("RGB") gets these wrong."""
    for name in ("jpeg_orientation_3", "png_16bit_gray", "tiff_float_gray", "png_rgba", "png_la"):
        case = odd[name]
        with Image.open(case.path) as image:
            naive = np.asarray(image.convert("RGB"))
        assert mean_abs_diff(naive, case.expected) > 20 * (case.tolerance + 1), name
    for name in ("jpeg_orientation_6", "jpeg_orientation_8"):
        with Image.open(odd[name].path) as image:
            assert np.asarray(image.convert("RGB")).shape != odd[name].expected.shape


def test_exif_that_cannot_be_read_costs_only_the_orientation(
    odd: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = odd["jpeg_orientation_3"]

    def corrupt_exif(self):
        raise SyntaxError("not a TIFF file")  # as a damaged Exif block may make Pillow do

    monkeypatch.setattr(Image.Image, "getexif", corrupt_exif)
    decoded = np.asarray(decode_image(case.path))
    assert decoded.shape == case.expected.shape  # orientation 3 turns by 180 degrees
    assert mean_abs_diff(decoded[::-1, ::-1], case.expected) <= case.tolerance  # not turned


def test_first_frame_of_animated_gif(odd: dict) -> None:
    case = odd["gif_animated"]
    with Image.open(case.path) as image:
        assert image.n_frames == 3
        image.seek(1)
        second = np.asarray(image.convert("RGB"))
    assert mean_abs_diff(second, case.expected) > 50  # frames differ, so frame 0 is identified
    assert np.array_equal(np.asarray(decode_image(case.path)), case.expected)


def test_alpha_is_composited_on_white(tmp_path: Path) -> None:
    pixels = np.zeros((4, 6, 4), np.uint8)
    pixels[..., :3] = (10, 20, 30)
    pixels[:, :3, 3] = 0  # left half fully transparent
    pixels[:, 3:, 3] = 255
    Image.fromarray(pixels).save(tmp_path / "a.png")
    decoded = np.asarray(decode_image(tmp_path / "a.png"))
    assert (decoded[:, :3] == 255).all()
    assert (decoded[:, 3:] == (10, 20, 30)).all()


@NEEDS_PILLOW_13
def test_a_palette_with_alpha_is_composited_on_white(tmp_path: Path) -> None:
    # A TGA's colour map may hold alpha: no "transparency" entry says so, the palette's mode does.
    image = Image.fromarray(np.array([[0, 0, 1, 1]], np.uint8), "P")
    image.putpalette([10, 20, 30, 0, 10, 20, 30, 255], "RGBA")
    image.save(tmp_path / "alpha.tga")
    with Image.open(tmp_path / "alpha.tga") as reread:
        assert reread.palette.mode == "RGBA" and "transparency" not in reread.info
    decoded = np.asarray(decode_image(tmp_path / "alpha.tga"))
    assert decoded.tolist() == [[[255, 255, 255]] * 2 + [[10, 20, 30]] * 2]


def test_16bit_is_scaled_not_clipped(tmp_path: Path) -> None:
    values = np.array([[0, 257, 32896, 65535]], np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")
    decoded = np.asarray(decode_image(tmp_path / "deep.png"))
    assert decoded[0, :, 0].tolist() == [0, 1, 128, 255]


@pytest.mark.parametrize(("mode", "name"), [("I;16", "deep.png"), ("I", "deep.tif")])
def test_16bit_levels_are_scaled_without_wide_copies(tmp_path: Path, mode: str, name: str) -> None:
    # Scaling in float64 took about 27 bytes a pixel (2.4 GB for an 89 MP 16-bit scan, in each
    # decode worker); the 8-bit image made from them takes 3. numpy reports to tracemalloc.
    values = (np.arange(500 * 400) % 65536).reshape(400, 500)
    Image.fromarray(values.astype(np.uint16 if mode == "I;16" else np.int32)).save(tmp_path / name)
    with Image.open(tmp_path / name) as image:
        assert image.mode == mode
    decode_image(tmp_path / name)  # Pillow's plugins are imported once, on the first call
    tracemalloc.start()
    try:
        decoded = decode_image(tmp_path / name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(np.asarray(decoded)[..., 0], np.rint(values * 255 / 65535))
    assert peak < 10 * values.size


@pytest.mark.parametrize("shape", [(1000, 1000), (1, 1000 * 1000)])  # a row of them all too
@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_32bit_levels_are_stretched_without_wide_copies(
    tmp_path: Path, dtype: type, shape: tuple[int, int]
) -> None:
    # Stretching a float or a 32-bit image in float64 took about 30 bytes a pixel (2.4 GB for
    # an 81 MP float TIFF of 600 KB, in each decode worker). Values beyond 16 bits, a NaN.
    values = (np.arange(1000 * 1000) % 70001).reshape(shape).astype(dtype)
    if dtype is np.float32:
        values[0, 9] = np.nan
    Image.fromarray(values).save(tmp_path / "deep.tif")
    decode_image(tmp_path / "deep.tif")  # Pillow's plugins are imported once, on the first call
    tracemalloc.start()
    try:
        decoded = decode_image(tmp_path / "deep.tif")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    expected = np.rint(np.nan_to_num(values.astype(np.float64), nan=0.0) * 255 / 70000)
    assert np.array_equal(np.asarray(decoded)[..., 0], expected)
    assert peak < 10 * values.size


def test_16bit_grey_transparency_is_composited_on_white(tmp_path: Path) -> None:
    values = np.full((4, 6), 20000, np.uint16)
    values[:, :3] = 0  # the grey level tRNS marks as see-through
    Image.fromarray(values).save(tmp_path / "deep.png", transparency=0)
    with Image.open(tmp_path / "deep.png") as image:
        assert image.mode.startswith("I") and image.info["transparency"] == 0
    decoded = np.asarray(decode_image(tmp_path / "deep.png"))
    assert (decoded[:, :3] == 255).all()
    assert (decoded[:, 3:] == round(20000 * 255 / 65535)).all()


@pytest.mark.parametrize("bits", [1, 2, 4, 8, 16])
def test_low_bit_grey_transparency_is_composited_on_white(tmp_path: Path, bits: int) -> None:
    # Pillow widens 2- and 4-bit grey to 0..255 but kept tRNS's level as stored: the
    # see-through pixels stayed grey.
    top = 2**bits - 1
    (tmp_path / "grey.png").write_bytes(grey_png(bits, [[0, 1, top, 1]], transparent=1))
    decoded = np.asarray(decode_image(tmp_path / "grey.png"))[0, :, 0]
    assert decoded.tolist() == [0, 255, 255, 255]
    if bits > 1:  # a level that marks no pixel leaves every pixel as it is
        (tmp_path / "grey.png").write_bytes(grey_png(bits, [[0, 2, top]], transparent=1))
        mid = round(2 * 255 / top)
        assert np.asarray(decode_image(tmp_path / "grey.png"))[0, :, 0].tolist() == [0, mid, 255]


@pytest.mark.parametrize("interlaced", [False, True])
def test_16bit_rgb_transparency_is_composited_on_white(tmp_path: Path, interlaced: bool) -> None:
    # Pillow keeps each sample's high byte but compared the tRNS colour's 16-bit values with
    # them: the colour's pixels stayed opaque, and those whose high bytes spell it went white.
    colour = (0x0010, 0x0020, 0x0030)
    pixels = np.array([[colour, (0x1000, 0x2000, 0x3000), (0x0011, 0x0020, 0x0030)]] * 2, np.uint16)
    (tmp_path / "deep.png").write_bytes(rgb16_png(pixels, colour, interlaced))
    decoded = np.asarray(decode_image(tmp_path / "deep.png"))
    assert decoded.tolist() == [[[255, 255, 255], [16, 32, 48], [0, 0, 0]]] * 2


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (np.array([[0, 1000, 65535]], np.int32), [0, 4, 255]),  # 16-bit data in an I image
        (np.array([[-100, 0, 100]], np.int32), [0, 128, 255]),  # other ranges are stretched
        (np.array([[0.0, 0.5, 1.0]], np.float32), [0, 128, 255]),
        (np.array([[0.25, 0.5, 1.0]], np.float32), [64, 128, 255]),  # 1.0 is still in [0, 1]
        # A float copy of an 8-bit picture is kept, as Pillow reads it (fractions dropped).
        (np.array([[-2.0, 2.0, 100.7, 255.0, 30.0]], np.float32), [0, 2, 100, 255, 30]),
        # Past both float ranges (test_image_values): stretched from min to max.
        (np.array([[-2000.0, np.nan, 2000.0]], np.float32), [0, 0, 255]),
        # +inf is the top of the range and NaN black (both once counted as the minimum).
        (np.array([[0.5, np.nan, 1.0, np.inf]], np.float32), [128, 0, 255, 255]),
        (np.array([[1000, 2000, 65535]], np.int32), [4, 8, 255]),  # 65535 is still 16-bit
        (np.array([[20.0, 20.0, 20.0]], np.float32), [20, 20, 20]),  # within 0..255: kept
        # Below a sixteenth of 255 it is no 0..255 picture (test_image_values): stretched.
        (np.array([[5.0, 5.0, 5.0]], np.float32), [0, 0, 0]),
        (np.array([[5e3, 5e3, 5e3]], np.float32), [0, 0, 0]),  # stretched, constant: black
        (np.array([[np.nan, np.nan, np.nan]], np.float32), [0, 0, 0]),
    ],
)
@pytest.mark.filterwarnings("error")  # numpy's would be lines on stderr naming no file
def test_32bit_modes_are_scaled(tmp_path: Path, values: np.ndarray, expected: list[int]) -> None:
    Image.fromarray(values).save(tmp_path / "deep.tif")
    with Image.open(tmp_path / "deep.tif") as image:
        assert image.mode in ("I", "F")
    assert np.asarray(decode_image(tmp_path / "deep.tif"))[0, :, 0].tolist() == expected


def test_a_signalling_nan_says_nothing_on_stderr(tmp_path: Path) -> None:
    # Widening a float32 signalling NaN raises the invalid-operation flag: numpy would print a
    # RuntimeWarning (and its source line) on stderr, naming no file, even under --quiet.
    values = np.array([[-2000.0, 0.0, 2000.0]], np.float32)
    values.view(np.uint32)[0, 1] = 0x7FA00000  # a signalling NaN
    Image.fromarray(values).save(tmp_path / "snan.tif")
    with Image.open(tmp_path / "snan.tif") as image:  # Pillow keeps the NaN's bits
        assert np.asarray(image).view(np.uint32)[0, 1] == 0x7FA00000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decoded = decode_image(tmp_path / "snan.tif")
    assert np.asarray(decoded)[0, :, 0].tolist() == [0, 0, 255]  # NaN is black


def test_every_bad_file_gets_its_status(bad: dict[Path, str]) -> None:
    got = {path: status_of(path) for path in bad}
    assert got == bad


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_a_file_whose_size_says_0_but_has_content_is_not_empty() -> None:
    assert os.stat("/proc/self/status").st_size == 0
    assert status_of(Path("/proc/self/status")) == "not_an_image"  # text, read as it is


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc")
def test_a_read_error_on_a_file_whose_size_says_0_is_unreadable(tmp_path: Path) -> None:
    # /proc/self/mem says 0 bytes and fails the first read with EIO: the check for an empty
    # file reads too, and its error is the file system's, not a decoding one.
    (tmp_path / "mem.jpg").symlink_to("/proc/self/mem")
    failure = failure_of(tmp_path / "mem.jpg")
    assert failure.status == "unreadable"
    assert failure.reason == "read error: input/output error"


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_link_to_a_device_is_not_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Opening some devices acts (a watchdog starts counting down): their stat says enough.
    (tmp_path / "device.jpg").symlink_to("/dev/null")
    opened = []
    real_open = os.open

    def recording_open(path, *args, **kwargs):
        opened.append(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    failure = failure_of(tmp_path / "device.jpg")
    assert (failure.status, failure.reason) == ("not_a_file", "is a device")
    assert opened == []


def test_bad_files_cover_every_status(bad: dict[Path, str]) -> None:
    covered = set(bad.values()) - {"ok"}
    missing = set(DECODE_STATUSES) - covered
    if os.geteuid() == 0:  # root reads through chmod 000, so the corpus has no unreadable file
        missing.discard("unreadable")
    assert not missing


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.png"
    Image.fromarray(blocky_rgb(8, 8, 0)).save(path)
    path.chmod(0)
    failure = failure_of(path)
    assert (failure.status, failure.reason) == ("unreadable", "permission denied")


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.EACCES, "permission denied"), (errno.EIO, "cannot open: input/output error")],
)
def test_a_file_the_system_refuses_to_open_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    # As root (CI containers) chmod 000 does not refuse a read: the refusal is simulated here.
    path = tmp_path / "secret.png"
    Image.fromarray(blocky_rgb(8, 8, 0)).save(path)
    real_open = os.open

    def refusing(name, *args, **kwargs):
        if os.fspath(name) == os.fspath(path):
            raise OSError(code, os.strerror(code), os.fspath(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    failure = failure_of(path)
    assert (failure.status, failure.reason) == ("unreadable", reason)


def test_a_broken_links_reason_stays_one_line_whatever_its_target(tmp_path: Path) -> None:
    # The target comes from the folder being labelled: it must not break the reason's line (a
    # fake "zsl: error:" line on stderr) nor drive the terminal with an escape sequence.
    link = tmp_path / "link.png"
    link.symlink_to("gone\nzsl: error: \x1b]0;title\x07.png")
    failure = failure_of(link)
    assert (failure.status, failure.reason) == (
        "broken_link",
        "broken symbolic link (its target gone\\nzsl: error: \\x1b]0;title\\x07.png does not "
        "exist)",
    )


def test_too_large_is_judged_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "small.png"
    Image.fromarray(blocky_rgb(16, 12, 0)).save(path)
    failure = failure_of(path, DecodeOptions(max_pixels=16 * 12 - 1))
    assert failure.status == "too_large"
    assert "16x12" in failure.reason and "--max-pixels" in failure.reason
    assert decode_image(path, DecodeOptions(max_pixels=16 * 12)).size == (16, 12)


def test_bomb_between_pillow_warning_and_error_is_too_large(tmp_path: Path) -> None:
    # 90 MP: above Pillow's warning threshold (89.5 MP), below its error (179 MP); our check
    # rejects it from the header, so nothing near 270 MB is ever allocated.
    path = tmp_path / "bomb.png"
    path.write_bytes(png_declaring_size(10_000, 9_000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        failure = failure_of(path)
    assert failure.status == "too_large"
    assert failure.reason.startswith("10000x9000 = 90 MP exceeds the 89.5 MP limit")


def test_a_limit_over_100_mp_is_given_in_whole_megapixels(tmp_path: Path) -> None:
    (tmp_path / "bomb.png").write_bytes(png_declaring_size(40_000, 30_000))
    failure = failure_of(tmp_path / "bomb.png", DecodeOptions(max_pixels=150_000_000))
    # Over twice Pillow's own limit: Pillow refuses it while opening, naming no size.
    assert failure.reason == "1,200 MP exceeds the 150 MP limit (raise it with --max-pixels)"


def test_a_size_just_over_the_limit_is_not_rounded_onto_it(tmp_path: Path) -> None:
    # 15,001 and 15,000 pixels are both 0.015 MP at three digits: "0.015 MP exceeds the 0.015 MP
    # limit" read as a contradiction.
    (tmp_path / "just_over.png").write_bytes(png_declaring_size(15_001, 1))
    failure = failure_of(tmp_path / "just_over.png", DecodeOptions(max_pixels=15_000))
    assert failure.status == "too_large"
    assert failure.reason.startswith("15001x1 = 0.015001 MP exceeds the 0.015 MP limit")


def test_pillow_settings_lift_a_lower_pillow_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "img.png"
    Image.fromarray(blocky_rgb(64, 48, 0)).save(path)  # 3072 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow refuses more than 2000
    options = DecodeOptions(max_pixels=10_000)
    with warnings.catch_warnings():
        failure = failure_of(path, options)
        assert failure.status == "too_large"
        assert "Pillow's 0.002 MP decompression-bomb limit" in failure.reason
        with pillow_settings(options.max_pixels):
            assert Image.MAX_IMAGE_PIXELS == 10_000
            assert decode_image(path, options).size == (64, 48)
            with pillow_settings(5):  # never lowers Pillow's limit
                assert Image.MAX_IMAGE_PIXELS == 10_000
        assert Image.MAX_IMAGE_PIXELS == 1000  # put back for the host program


def test_pillow_settings_silence_bomb_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "img.png"
    Image.fromarray(blocky_rgb(40, 40, 0)).save(path)  # 1600 pixels: Pillow warns above 1000
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    options = DecodeOptions(max_pixels=1000)
    for configured in (False, True):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            with pillow_settings(options.max_pixels) if configured else nullcontext():
                assert status_of(path, options) == "too_large"
            warnings.warn("the host's own", Image.DecompressionBombWarning, stacklevel=1)
        bomb_warnings = [w for w in seen if issubclass(w.category, Image.DecompressionBombWarning)]
        assert len(bomb_warnings) == (1 if configured else 2)  # the host's warning is kept


def test_pillow_settings_keep_pillow_complaints_about_readable_files_off_stderr(
    tmp_path: Path,
) -> None:
    # An Exif block whose directory claims 65,535 entries: Pillow warns "Corrupt EXIF data" and
    # the image is still read (with no orientation), so the warning is noise on stderr.
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(32, 24, 0)).save(buffer, format="JPEG")
    exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + b"\x01\x12" * 24
    segment = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    path = tmp_path / "bad_exif.jpg"
    path.write_bytes(buffer.getvalue()[:2] + segment + buffer.getvalue()[2:])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pillow_settings(DEFAULT_MAX_PIXELS):
            assert decode_image(path).size == (32, 24)
        warnings.warn("the host's own", UserWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["the host's own"]


@pytest.mark.parametrize("metadata", ["icc_profile", "xmp"])
def test_pillow_settings_take_png_metadata_over_pillows_1_mb_chunk_limit(
    tmp_path: Path, metadata: str
) -> None:
    # Pillow refuses a whole PNG whose ICC profile or compressed text chunk inflates past 1 MB
    # (display profiles with 3D LUTs, bloated Photoshop XMP), pixels and all; zsl reads neither.
    path = tmp_path / f"{metadata}.png"
    pixels = blocky_rgb(32, 24, 0)
    if metadata == "icc_profile":
        Image.fromarray(pixels).save(path, icc_profile=bytes(2_000_000))
    else:
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>" + " " * 2_000_000, zip=True)
        Image.fromarray(pixels).save(path, pnginfo=info)
    limit = PngImagePlugin.MAX_TEXT_CHUNK
    with pytest.raises(ValueError, match="MAX_TEXT_CHUNK"), Image.open(path) as image:
        image.load()  # Pillow's own limit, outside a run
    with pillow_settings(DEFAULT_MAX_PIXELS):
        assert np.array_equal(np.asarray(decode_image(path)), pixels)
    assert limit == PngImagePlugin.MAX_TEXT_CHUNK  # put back for the host program
    # Outside a run too, decode_image reads the pixels (without the metadata, skipped).
    assert np.array_equal(np.asarray(decode_image(path)), pixels)


def test_decoding_leaves_pillow_globals_alone(bad: dict[Path, str]) -> None:
    def pillow_globals() -> tuple[int | None, bool]:
        return Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES

    assert pillow_globals() == (DEFAULT_MAX_PIXELS, False)
    for path in bad:
        status_of(path, DecodeOptions(max_pixels=10**9))
    assert pillow_globals() == (DEFAULT_MAX_PIXELS, False)


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_truncated_webp(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(64, 48, 0)).save(buffer, "WEBP", quality=80)
    (tmp_path / "cut.webp").write_bytes(buffer.getvalue()[:-100])
    (tmp_path / "whole.webp").write_bytes(buffer.getvalue())
    assert status_of(tmp_path / "cut.webp") == "truncated"
    assert status_of(tmp_path / "whole.webp") == "ok"
    (tmp_path / "header.webp").write_bytes(buffer.getvalue()[:12])  # RIFF, size, WEBP
    assert status_of(tmp_path / "header.webp") == "truncated"
    data = buffer.getvalue()  # whole, as long as its RIFF size says, but damaged
    (tmp_path / "noise.webp").write_bytes(data[:20] + bytes(len(data) - 20))
    assert status_of(tmp_path / "noise.webp") not in ("ok", "truncated")


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF support")
def test_truncated_avif(tmp_path: Path) -> None:
    # Pillow reads an AVIF whole and only says it cannot open it; its boxes' sizes say more.
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(64, 48, 0)).save(buffer, "AVIF", quality=90)
    data = buffer.getvalue()
    for cut in (len(data) // 10, len(data) // 2, len(data) - 10):
        (tmp_path / "cut.avif").write_bytes(data[:cut])
        assert status_of(tmp_path / "cut.avif") == "truncated", cut
    (tmp_path / "noise.avif").write_bytes(data[:32] + bytes(len(data) - 32))  # whole, damaged
    assert status_of(tmp_path / "noise.avif") != "truncated"


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("JPEG2000", {}),  # boxes, the codestream in the last
        ("JPEG2000", {"no_jp2": True}),  # a bare codestream (.j2k)
        ("DDS", {}),
    ],
)
def test_jpeg_2000_and_dds_cut_anywhere_are_truncated(
    tmp_path: Path, fmt: str, options: dict
) -> None:
    # OpenJPEG only says "broken data stream" of a codestream cut short; Pillow's readers of
    # their headers say "Expected to read 8 bytes but only got 0" and "Incomplete header".
    # All were decode_error, but for a few cuts.
    if not features.check("jpg_2000") and fmt == "JPEG2000":
        pytest.skip("this Pillow has no JPEG 2000 support")
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(64, 48, 0)).save(buffer, fmt, **options)
    data = buffer.getvalue()
    for cut in (12, 30, 60, 100, len(data) // 2, len(data) - 2):  # from past the signature
        (tmp_path / "cut").write_bytes(data[:cut])
        assert status_of(tmp_path / "cut") == "truncated", cut
    if fmt == "JPEG2000":  # damaged, but whole, with its end marker: not cut short
        damaged = data[: len(data) // 2] + b"\xff" * (len(data) // 2 - 2) + data[-2:]
        (tmp_path / "damaged").write_bytes(damaged)
        assert status_of(tmp_path / "damaged") == "decode_error"


@pytest.mark.filterwarnings("ignore::UserWarning:PIL")  # Pillow warns of the cut TIFFs it reads
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "TIFF"])
def test_a_file_cut_inside_its_header_is_truncated(tmp_path: Path, fmt: str) -> None:
    # Pillow only says it cannot identify such a file; its signature and the missing bytes
    # tell it from a file that is no image at all.
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(64, 48, 0)).save(buffer, fmt)
    for cut in (8, 20, 40, 100, len(buffer.getvalue()) // 2):
        path = tmp_path / f"cut_{cut}.{fmt.lower()}"
        path.write_bytes(buffer.getvalue()[:cut])
        assert status_of(path) == "truncated", cut
    # Text is no image, even when its first letters are a format's short signature ("BM").
    for name, text in (("note.png", "GIF is a format, this is a note\n"), ("bmi.bmp", "BMI 24\n")):
        (tmp_path / name).write_text(text * 20)
        assert status_of(tmp_path / name) == "not_an_image", name


@pytest.mark.parametrize(("fmt", "cuts"), [("GIF", range(6, 13)), ("JPEG", (2, 3))])
def test_a_file_cut_just_after_its_signature_is_truncated(
    tmp_path: Path, fmt: str, cuts: range
) -> None:
    # Pillow recognises neither from so few bytes (a JPEG takes its first 3, a GIF its first
    # 13), and "GIF89a" reads as text: both were not_an_image, an interrupted download's look.
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(64, 48, 0)).save(buffer, fmt)
    for cut in cuts:
        (tmp_path / "cut").write_bytes(buffer.getvalue()[:cut])
        assert status_of(tmp_path / "cut") == "truncated", cut
    # Less than the whole signature, or text that starts with it, is no image.
    for data in (b"GIF89", b"\xff", b"GIF89a is a format version\n" * 20):
        (tmp_path / "cut").write_bytes(data)
        assert status_of(tmp_path / "cut") == "not_an_image", data


def test_text_whose_sample_ends_inside_a_character_is_still_text(tmp_path: Path) -> None:
    # The first 512 bytes are judged: here they end halfway through an "é" (two bytes).
    (tmp_path / "note.bmp").write_text("BMI " + "x" * 507 + "é" * 100, encoding="utf-8")
    failure = failure_of(tmp_path / "note.bmp")
    assert failure.reason == "not an image format Pillow can read"


def test_an_iso_media_file_whose_boxes_make_no_sense_is_not_cut_short(tmp_path: Path) -> None:
    # A box of 4 bytes cannot hold its own header: the layout is damaged, not cut short.
    ftyp = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"
    (tmp_path / "damaged.avif").write_bytes(ftyp + b"\0\0\0\x04meta" + bytes(500))
    assert status_of(tmp_path / "damaged.avif") not in ("ok", "truncated")


@NEEDS_PILLOW_13
@pytest.mark.skipif(not pillow_writes("QOI"), reason="this Pillow cannot write QOI")
def test_files_cut_short_in_pillows_python_decoders_are_truncated(tmp_path: Path) -> None:
    # Pillow's Python decoders (QOI, plain PPM) say "not enough image data", and a plain PPM is
    # text throughout: the data ran out all the same.
    pixels = blocky_rgb(64, 48, 0)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "QOI")
    (tmp_path / "cut.qoi").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    values = " ".join(str(v) for v in pixels[..., 0].ravel())
    (tmp_path / "cut.pgm").write_text(f"P2\n64 48\n255\n{values[: len(values) // 2]}")
    for name in ("cut.qoi", "cut.pgm"):
        assert status_of(tmp_path / name) == "truncated", name


@pytest.mark.parametrize(
    ("template", "pad", "name"),
    [
        ("P6\n#{}\n2 1\n255\n", "x", "PPM"),  # one long comment
        ("P6{}2 1\n255\n", " ", "PPM"),  # a run of whitespace
        ("P5\n{}2 1\n255\n", "#\n", "PGM"),  # many comment lines
        ("P4\n2{}1\n", "\n", "PBM"),  # between the numbers
        ("P6\n2 1{}255\n", "\n", "PPM"),  # before the last number
    ],
)
def test_a_pnm_header_padded_past_64_kb_is_refused_unread(
    tmp_path: Path, template: str, pad: str, name: str
) -> None:
    # Pillow reads a PNM header one byte per call: some 1.5 s per MB of padding, twice over
    # when it then fails, for a file of any length.
    (tmp_path / "padded.ppm").write_bytes(template.format(pad * 70_000).encode() + bytes(6))
    failure = failure_of(tmp_path / "padded.ppm")
    assert failure.status == "not_an_image"
    assert failure.reason == (
        f"{name} signature, but its header runs past 64 KB of whitespace or comments: not read"
    )
    (tmp_path / "padded.ppm").write_bytes(template.format(pad * 1000).encode() + bytes(6))
    assert decode_image(tmp_path / "padded.ppm").size == (2, 1)


@pytest.mark.parametrize("width", [b"0", b"1234567890"])  # ten digits: Pillow's longest number
def test_a_pnm_header_padded_past_64_kb_is_refused_unread_whatever_its_size(
    tmp_path: Path, width: bytes
) -> None:
    # Pillow refuses a width of 0 only once it has read the whole header, padding and all.
    (tmp_path / "padded.ppm").write_bytes(b"P6\n" + width + b" 1" + b"\n" * 70_000 + b"255\n")
    failure = failure_of(tmp_path / "padded.ppm")
    assert "header runs past 64 KB" in failure.reason


def test_a_plain_pnm_is_read_with_a_few_comments_among_its_pixels(tmp_path: Path) -> None:
    # The format allows comments in the header only; Pillow reads them in the pixels too,
    # copying its 1 MB block for each (a 1 MB file of them took 12 s).
    pixels = " ".join(["0 128 255"] * 4)
    (tmp_path / "few.ppm").write_text(f"P3\n# size\n2 2\n255\n# pixels\n{pixels}\n# end\n")
    assert np.asarray(decode_image(tmp_path / "few.ppm"))[1, 1].tolist() == [0, 128, 255]
    (tmp_path / "many.ppm").write_text("P3\n2 2\n255\n" + "# pixels\n" * 101 + pixels)
    failure = failure_of(tmp_path / "many.ppm")
    assert failure.status == "decode_error"
    assert failure.reason == (
        "cannot decode: over 100 comments among the pixels of a plain PPM (the format allows "
        "none there)"
    )


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("P1 2 2\n", "PBM"),
        ("P2 2 2 255\n", "PGM"),
        ("P2 2 2\n25# a comment inside a number, which goes on after it\n5\n", "PGM"),
        ("P3 2 2 255\n", "PPM"),
    ],
)
def test_a_plain_pnm_may_hold_100_comments_among_its_pixels_not_more(
    tmp_path: Path, header: str, name: str
) -> None:
    pixels = " ".join(["0 1 1"] * 4)
    (tmp_path / "100.ppm").write_text(header + "# x\n" * 100 + pixels)
    assert decode_image(tmp_path / "100.ppm").size == (2, 2)
    (tmp_path / "101.ppm").write_text(header + "# x\n" * 101 + pixels)
    failure = failure_of(tmp_path / "101.ppm")
    assert failure.reason.startswith(
        f"cannot decode: over 100 comments among the pixels of a plain {name} "
    )


def test_comments_among_the_pixels_of_a_tall_plain_pnm_are_counted(tmp_path: Path) -> None:
    # A height over 16 bits is no largest value: the header is read to its end all the same.
    (tmp_path / "tall.pgm").write_text("P2 1 70000 255\n" + "# x\n" * 101 + "0")
    failure = failure_of(tmp_path / "tall.pgm")
    assert failure.reason.startswith("cannot decode: over 100 comments among the pixels")


def test_a_plain_pnm_with_bad_pixels_fails_to_decode_not_to_be_an_image(tmp_path: Path) -> None:
    # A plain PGM is text throughout: once Pillow has read its header, bad pixel data is the
    # damage of an image, as in a binary PGM, not a sign of some text file.
    (tmp_path / "bad.pgm").write_text("P2 2 2 255\n0 1 2 999\n")
    failure = failure_of(tmp_path / "bad.pgm")
    assert (failure.status, failure.reason) == (
        "decode_error",
        "cannot decode: ValueError: Channel value too large for this mode: 999",
    )


@pytest.mark.parametrize("head", [b"P6\n# a comment\n2 ", b"P5\n", b"P1 3", b"Pf\n2 2\n"])
def test_a_pnm_cut_inside_its_header_is_truncated(tmp_path: Path, head: bytes) -> None:
    # Its header is text, yet the file is an image whose data ran out, not some text file.
    (tmp_path / "cut.ppm").write_bytes(head)
    failure = failure_of(tmp_path / "cut.ppm")
    assert (failure.status, failure.reason) == (
        "truncated",
        f"image file is truncated (data ends after {len(head)} bytes)",
    )


@pytest.mark.parametrize(
    "text",
    [
        "P3 notes on the scans\n" + "## a heading\n" * 101,  # not numbers: no header
        "P1 123456789012 1\n" + "# x\n" * 101,  # a number longer than Pillow reads
        "P2 2 2 0\n" + "# x\n" * 101,  # a largest value of 0
        "P6 notes " + " " * 70_000,  # refused at "notes", before the whitespace
        "P2 0 2 255\n" + "# x\n" * 101,  # no pixels to read
        "P2 2 2 65536\n" + "# x\n" * 101,  # a largest value over 16 bits
        "P32 2 255\n" + "# x\n" * 101,  # no whitespace after the magic number
        "P2 2 2 0" + " " * 70_000,  # refused at its largest value, before the whitespace
    ],
)
def test_a_file_that_only_starts_like_a_pnm_is_not_an_image(tmp_path: Path, text: str) -> None:
    # Pillow refuses its header as soon as it reads it: what follows changes nothing.
    failures = []
    for name, content in [("notes.ppm", text), ("head.ppm", text[:30])]:
        (tmp_path / name).write_text(content)
        failure = failure_of(tmp_path / name)
        failures.append((failure.status, failure.reason))
    assert failures[0] == failures[1]
    assert failures[0][0] == "not_an_image"


def test_a_rejected_header_says_why(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(8, 8, 0)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[29] ^= 0xFF  # the IHDR chunk's checksum
    (tmp_path / "bad_header.png").write_bytes(bytes(data))
    failure = failure_of(tmp_path / "bad_header.png")
    assert failure.status == "not_an_image"
    assert failure.reason.startswith("PNG signature, but Pillow cannot open it: ")
    assert "checksum" in failure.reason


def _tiff_with(tag: int, value: int, field_type: int = 3) -> bytes:
    """An 8x8 RGB TIFF whose `tag` holds the one `value`, as a short (type 3) or a signed long
    (type 9)."""
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(8, 8, 0)).save(buffer, "TIFF")
    data = bytearray(buffer.getvalue())
    ifd = int.from_bytes(data[4:8], "little")
    for entry in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        at = ifd + 2 + 12 * entry
        if int.from_bytes(data[at : at + 2], "little") == tag:
            data[at + 2 : at + 4] = field_type.to_bytes(2, "little")
            width = 2 if field_type == 3 else 4
            data[at + 8 : at + 8 + width] = value.to_bytes(width, "little", signed=True)
    return bytes(data)


def test_a_value_pillow_has_no_entry_for_is_named_as_such(tmp_path: Path) -> None:
    # Compression 258 is in no table of Pillow's: its KeyError alone would read "258".
    (tmp_path / "odd_compression.tif").write_bytes(_tiff_with(259, 258))
    failure = failure_of(tmp_path / "odd_compression.tif")
    assert failure.status == "not_an_image"
    assert failure.reason == (
        "TIFF signature, but Pillow cannot open it: the file holds a value Pillow does not "
        "know (258)"
    )


def test_a_key_error_pillow_wraps_in_its_own_words_keeps_them(tmp_path: Path) -> None:
    # Photometric interpretation 7 is in no table of Pillow's: it says "unknown pixel mode",
    # from a KeyError, and that is the line to give.
    (tmp_path / "odd_photometric.tif").write_bytes(_tiff_with(262, 7))
    failure = failure_of(tmp_path / "odd_photometric.tif")
    assert failure.reason == "TIFF signature, but Pillow cannot open it: unknown pixel mode"


def test_a_header_that_gives_no_size_says_so(tmp_path: Path) -> None:
    (tmp_path / "no_width.png").write_bytes(png_declaring_size(0, 5))
    failure = failure_of(tmp_path / "no_width.png")
    assert (failure.status, failure.reason) == (
        "not_an_image",
        "PNG signature, but Pillow cannot open it: its header gives no size or no known mode",
    )


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        (
            KeyError(258),
            "cannot decode: KeyError: the file holds a value Pillow does not know (258)",
        ),
        (MemoryError(), "out of memory while decoding"),
    ],
)
def test_what_pillow_raises_while_decoding_is_worded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raised: BaseException, reason: str
) -> None:
    Image.fromarray(blocky_rgb(8, 8, 0)).save(tmp_path / "a.png")

    def failing_load(self):
        raise raised

    monkeypatch.setattr(ImageFile.ImageFile, "load", failing_load)
    failure = failure_of(tmp_path / "a.png")
    assert (failure.status, failure.reason) == ("decode_error", reason)
    # Memory is the machine's, not the file's: a store tries such a file again.
    assert decided_by_content("decode_error", reason) is not isinstance(raised, MemoryError)


def test_eps_is_refused_for_what_it_is(bad: dict[Path, str]) -> None:
    eps = next(path for path in bad if path.suffix == ".eps")
    failure = failure_of(eps)
    assert failure.reason == "EPS files are not read (Pillow runs Ghostscript)"


def test_a_path_through_a_file_is_not_found(tmp_path: Path) -> None:
    Image.fromarray(blocky_rgb(8, 8, 0)).save(tmp_path / "a.png")
    failure = failure_of(tmp_path / "a.png" / "b.png")
    assert (failure.status, failure.reason) == (
        "not_found",
        "file not found (a parent in the path is a file)",
    )


def test_a_name_not_found_that_ends_in_white_space_says_so(tmp_path: Path) -> None:
    # A path list with trailing spaces: the space is invisible in the row and the message.
    Image.fromarray(blocky_rgb(8, 8, 0)).save(tmp_path / "a.png")
    for name in ("a.png ", "a.png\t"):
        failure = failure_of(tmp_path / name)
        assert (failure.status, failure.reason) == (
            "not_found",
            "file not found (its name ends in white space)",
        )
    assert failure_of(tmp_path / "b.png").reason == "file not found"


def test_resized_pixels_over_the_limit_are_too_large() -> None:
    check_resized_pixels((4000, 1), 1000, 1000)  # at the limit: accepted
    with pytest.raises(DecodeError) as caught:
        check_resized_pixels((4000, 1), 1001, 1000)
    assert caught.value.status == "too_large"
    assert caught.value.reason.startswith("4000x1 is so elongated that resizing it")


def test_a_strip_too_thin_to_resize_is_refused_from_its_header(tmp_path: Path) -> None:
    # A 155 KB PNG of 1 x 80,000,000 passes the pixel limit, but scaled to the model's 32-px
    # shorter side it would take 2,560,000 MP: it was refused only once decoded, after holding a
    # decode worker for 57 s and 1.6 GB. The header says all that is needed; this file's pixel
    # data is not even there (decoded, it runs out: damage, as the file ends with its IEND).
    path = tmp_path / "strip.png"
    path.write_bytes(png_declaring_size(2, 2000))
    preprocessor = FastPreprocessor(
        shortest_edge=32, resize_to=None, crop=(32, 32), resample=Image.BICUBIC
    )
    prepare = ImagePreparation(DecodeOptions(max_pixels=10**6), preprocessor, 10**6)
    with pytest.raises(DecodeError) as caught:
        prepare(path)
    assert caught.value.status == "too_large"
    assert caught.value.reason.startswith("2x2000 is so elongated that resizing it")
    # Within the limit, the same header leads to the pixels, and their damage is found.
    path.write_bytes(png_declaring_size(2, 1000))
    with pytest.raises(DecodeError) as caught:
        prepare(path)
    assert caught.value.status == "decode_error"


def test_data_placed_before_the_files_start_is_damage_not_a_read_error(tmp_path: Path) -> None:
    # StripOffsets made a signed long of -100: Pillow seeks there, and the system's EINVAL
    # ("invalid argument") would read as a read error that another run might not meet.
    (tmp_path / "before_start.tif").write_bytes(_tiff_with(273, -100, field_type=9))
    failure = failure_of(tmp_path / "before_start.tif")
    assert failure.status == "decode_error"
    assert "before its start" in failure.reason


def test_data_placed_past_where_a_file_can_reach_is_damage_not_before_its_start(
    tmp_path: Path,
) -> None:
    # A BigTIFF whose first IFD is at 2**50 bytes: past what ext4 lets a file reach (16 TiB),
    # so the seek there fails with EINVAL too, though nothing is before the start.
    header = b"II\x2b\x00" + (8).to_bytes(2, "little") + bytes(2) + (2**50).to_bytes(8, "little")
    (tmp_path / "far.tif").write_bytes(header + bytes(64))
    with pytest.raises(DecodeError) as caught:  # elsewhere the seek succeeds: truncated
        decode_image(tmp_path / "far.tif")
    assert caught.value.status in ("decode_error", "truncated")
    assert "before its start" not in caught.value.reason


@pytest.mark.skipif(not features.check("libtiff"), reason="this Pillow has no libtiff")
@pytest.mark.parametrize("settings", [True, False])
def test_pillows_logged_complaints_stay_off_stderr(tmp_path: Path, settings: bool) -> None:
    # A TIFF claiming 9 samples per pixel: Pillow logs an error, which Python prints on stderr
    # when nothing set up logging (as in the CLI; pytest's log capture would hide it here).
    (tmp_path / "nine.tif").write_bytes(_tiff_with(277, 9))  # SamplesPerPixel
    script = (
        "import contextlib, sys\n"
        "from pathlib import Path\n"
        "from zsl_cli.images import DEFAULT_MAX_PIXELS, DecodeError, decode_image\n"
        "from zsl_cli.images import pillow_settings\n"
        f"with pillow_settings(DEFAULT_MAX_PIXELS) if {settings} else contextlib.nullcontext():\n"
        "    try:\n"
        "        decode_image(Path(sys.argv[1]))\n"
        "    except DecodeError as error:\n"
        "        print(error.status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "nine.tif")], capture_output=True, text=True
    )
    assert done.stdout == "not_an_image\n"
    # Outside the settings Pillow's line is printed (and so the check can fail).
    assert ("samples per pixel" in done.stderr) is not settings, done.stderr


@pytest.mark.skipif(not features.check("libtiff"), reason="this Pillow has no libtiff")
def test_a_compressed_tiff_cut_short_while_it_is_decoded_does_not_kill_the_process(
    tmp_path: Path,
) -> None:
    # libtiff maps a file whose descriptor it is given: a file cut short meanwhile (cp over it
    # truncates it first) ended the process with SIGBUS, the run and its other images with it.
    # The first decode to meet the cut did, within a tenth of a second here.
    script = (
        "import os, sys, threading, time\n"
        "from pathlib import Path\n"
        "from zsl_cli.images import DecodeError, decode_image\n"
        "path = Path(sys.argv[1])\n"
        "data = path.read_bytes()\n"
        "done = threading.Event()\n"
        "def rewrite():\n"
        "    while not done.is_set():\n"
        "        os.truncate(path, 0)\n"
        "        path.write_bytes(data)\n"
        "        time.sleep(0.002)\n"  # whole for a while: decodes that start then meet the cut
        "writer = threading.Thread(target=rewrite)\n"
        "writer.start()\n"
        "end = time.monotonic() + 2\n"
        "while time.monotonic() < end:\n"
        "    try:\n"
        "        decode_image(path)\n"
        "    except DecodeError:\n"
        "        pass\n"
        "done.set()\n"
        "writer.join()\n"
    )
    pixels = np.random.default_rng(0).integers(0, 256, (512, 512, 3), np.uint8)
    Image.fromarray(pixels).save(tmp_path / "photo.tif", compression="tiff_lzw")
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "photo.tif")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF support")
def test_avif_is_found_and_decoded(tmp_path: Path) -> None:
    Image.fromarray(blocky_rgb(64, 48, 0)).save(tmp_path / "photo.avif", quality=90)
    assert [p.name for p in scan([str(tmp_path)]).paths] == ["photo.avif"]
    assert decode_image(tmp_path / "photo.avif").size == (64, 48)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's TIFF reader warns on bad tags
def test_random_damage_raises_only_decode_error(tmp_path: Path) -> None:
    """Cut and scribbled-on PNG, JPEG, GIF, BMP and TIFF files: an image or a DecodeError."""
    rng = random.Random(0)
    statuses = set()
    for fmt in ("PNG", "JPEG", "GIF", "BMP", "TIFF"):
        buffer = io.BytesIO()
        Image.fromarray(blocky_rgb(24, 16, 1)).save(buffer, fmt)
        data = buffer.getvalue()
        for index in range(30):
            damaged = bytearray(data[: rng.randrange(1, len(data))] if index % 2 else data)
            for _ in range(rng.randrange(1, 6)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            path = tmp_path / f"{fmt}_{index}.img"
            path.write_bytes(bytes(damaged))
            statuses.add(status_of(path))
    assert {"truncated", "not_an_image"} <= statuses


def test_draft_decodes_large_jpeg_smaller_but_close(tmp_path: Path) -> None:
    path = tmp_path / "large.jpg"
    write_large_jpeg(path, size=(1024, 768))
    exact = decode_image(path)
    drafted = decode_image(path, DecodeOptions(draft=(112, 112)))
    assert exact.size == (1024, 768)
    assert drafted.size == (256, 192)  # 1/4 scale: 1/8 would give 128x96, below 112 high
    target = (112, 112)
    a = np.asarray(exact.resize(target, Image.Resampling.BICUBIC, reducing_gap=3.0))
    b = np.asarray(drafted.resize(target, Image.Resampling.BICUBIC))
    assert mean_abs_diff(a, b) < 2.0


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])  # turned a quarter, mirrored or not
def test_draft_bound_is_honoured_for_quarter_turned_jpeg(tmp_path: Path, orientation: int) -> None:
    path = tmp_path / "turned.jpg"
    upright = write_large_jpeg(path, size=(800, 600), orientation=orientation)  # 600 x 800
    assert upright.shape[:2] == (800, 600)
    drafted = decode_image(path, DecodeOptions(draft=(200, 150)))
    # Requested in the stored orientation (150, 200): scale 1/2 -> stored 400x300, shown 300x400.
    # Without the swap it would pick 1/4 and show 150x200, narrower than the 200 asked for.
    assert drafted.size == (300, 400)
    expected = np.asarray(Image.fromarray(upright).resize(drafted.size, Image.Resampling.BOX))
    assert mean_abs_diff(np.asarray(drafted), expected) < 3.0


def test_draft_is_ignored_for_other_formats_and_small_images(tmp_path: Path) -> None:
    Image.fromarray(blocky_rgb(640, 480, 0)).save(tmp_path / "big.png")
    Image.fromarray(blocky_rgb(64, 48, 0)).save(tmp_path / "small.jpg")
    assert decode_image(tmp_path / "big.png", DecodeOptions(draft=(64, 64))).size == (640, 480)
    assert decode_image(tmp_path / "small.jpg", DecodeOptions(draft=(224, 224))).size == (64, 48)


def test_threads_give_the_same_results(odd: dict, bad: dict[Path, str]) -> None:
    paths = [case.path for case in odd.values()] + list(bad)

    def run(path: Path) -> tuple[str, bytes]:
        try:
            return "ok", decode_image(path).tobytes()
        except DecodeError as error:
            return error.status, b""

    sequential = [run(path) for path in paths]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            assert list(pool.map(run, paths)) == sequential


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_no_file_descriptor_leaks(odd: dict, bad: dict[Path, str]) -> None:
    paths = [case.path for case in odd.values()] + list(bad)
    for path in paths:  # warm-up: Pillow imports plugins on first use
        status_of(path)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(3):
        for path in paths:
            status_of(path)
    assert len(os.listdir("/proc/self/fd")) == before


def test_decode_error_survives_pickling(bad: dict[Path, str]) -> None:
    failure = failure_of(next(path for path, status in bad.items() if status == "truncated"))
    copy = pickle.loads(pickle.dumps(failure))
    assert (copy.status, copy.reason, str(copy)) == ("truncated", failure.reason, copy.reason)


def test_decode_options_are_validated() -> None:
    with pytest.raises(ValueError):
        DecodeOptions(max_pixels=0)
    with pytest.raises(ValueError):
        DecodeOptions(draft=(0, 224))


@pytest.mark.skipif(not features.check("libtiff"), reason="this Pillow has no libtiff")
def test_libtiff_says_nothing_on_stderr_while_zsl_decodes(tmp_path: Path, capfd) -> None:
    pixels = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(tmp_path / "good.tif", compression="tiff_lzw")
    damaged = bytearray((tmp_path / "good.tif").read_bytes())
    for index in range(200, 2000, 37):
        damaged[index] ^= 0x5A
    (tmp_path / "bad.tif").write_bytes(bytes(damaged))
    with pillow_settings(DEFAULT_MAX_PIXELS), pytest.raises(DecodeError):
        decode_image(tmp_path / "bad.tif")
    assert capfd.readouterr().err == ""
    # Outside the settings libtiff speaks again (and so the check above can fail).
    with pytest.raises(DecodeError):
        decode_image(tmp_path / "bad.tif")
    assert "tif" in capfd.readouterr().err


def test_pillow_settings_of_runs_that_overlap_in_threads_are_put_back_by_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two runs in threads: the first to start ends first. Each block saved what it found, so the
    # second put back the first's settings for good (a raised limit, Pillow's warnings ignored).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings():
        filters = list(warnings.filters)
        first, second = pillow_settings(2000), pillow_settings(3000)
        first.__enter__()
        second.__enter__()
        assert Image.MAX_IMAGE_PIXELS == 3000
        first.__exit__(None, None, None)
        assert Image.MAX_IMAGE_PIXELS == 3000  # the second run still decodes
        second.__exit__(None, None, None)
        assert Image.MAX_IMAGE_PIXELS == 1000
        assert warnings.filters == filters


def _heic(path: Path, pixels: np.ndarray, orientation: int | None = None) -> Path:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    Image.fromarray(pixels).save(path, "HEIF", quality=95, exif=exif.tobytes())
    return path


def test_heic_photos_are_read_upright(tmp_path: Path) -> None:
    # Phones save HEIC, rotated by EXIF like their JPEGs; pillow-heif turns that into the
    # format's own rotation, applied when decoding, so it must not be applied twice.
    pixels = blocky_rgb(96, 64, 0)
    plain = decode_image(_heic(tmp_path / "plain.heic", pixels))
    assert plain.size == (96, 64) and plain.mode == "RGB" and plain.format == "HEIF"
    assert np.abs(np.asarray(plain, dtype=int) - pixels).mean() < 8  # lossy, but the same image
    turned = decode_image(_heic(tmp_path / "turned.HEIC", pixels, orientation=6))
    expected = np.rot90(pixels, k=-1)  # orientation 6: shown turned 90 degrees clockwise
    assert turned.size == (64, 96)
    assert np.abs(np.asarray(turned, dtype=int) - expected).mean() < 8
    (tmp_path / "camera.hif").write_bytes((tmp_path / "plain.heic").read_bytes())  # Canon's name
    assert [p.name for p in scan([tmp_path]).paths] == ["camera.hif", "plain.heic", "turned.HEIC"]


def test_heic_without_pillow_heif_says_how_to_read_it(tmp_path: Path) -> None:
    photo = _heic(tmp_path / "photo.heic", blocky_rgb(32, 32, 1))
    # A HEIF's major brand may be the generic "mif1" (its compatible brands say HEVC), which
    # Pillow's AVIF reader also claims and then refuses ("Invalid ftyp").
    data = photo.read_bytes()
    generic = tmp_path / "generic.heic"
    generic.write_bytes(data[:8] + b"mif1" + data[12:])
    # An AVIF whose major brand is generic too, damaged: an AVIF problem, not a HEIF one.
    damaged = tmp_path / "damaged.avif"
    damaged.write_bytes(b"\0\0\0\x1cftypmif1\0\0\0\0mif1avifmiaf" + bytes(500))
    script = (
        "import sys; sys.modules['pillow_heif'] = None  # as if not installed\n"
        "from pathlib import Path\n"
        "from zsl_cli.images import DecodeError, decided_by_content, decode_image\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        decode_image(Path(name))\n"
        "    except DecodeError as error:\n"
        "        reason = error.reason\n"
        "        print(error.status, decided_by_content(error.status, reason), reason)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(photo), str(generic), str(damaged)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Not a fault of the file: a store tries it again once pillow-heif is installed.
    missing = (
        "not_an_image False HEIF support not installed: pip install pillow-heif (or zsl-cli[heif])"
    )
    lines = done.stdout.splitlines()
    assert lines[:2] == [missing, missing]
    assert "HEIF" not in lines[2]


def test_damaged_heic_with_pillow_heif_is_not_blamed_on_a_missing_plugin(tmp_path: Path) -> None:
    (tmp_path / "damaged.heic").write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(500))
    failure = failure_of(tmp_path / "damaged.heic")
    assert failure.status == "not_an_image"
    assert failure.reason.startswith("HEIF signature, but Pillow cannot open it")


def test_heic_that_libheif_has_no_decoder_for_is_tried_again(tmp_path, monkeypatch) -> None:
    # A libheif built without an HEVC decoder (not pillow-heif's wheels) fails every HEIC alike:
    # the installation decides that, not the file, so a store must not keep the failure.
    from pillow_heif.as_plugin import HeifImageFile

    photo = _heic(tmp_path / "photo.heic", blocky_rgb(32, 32, 2))

    def no_decoder(self):
        raise RuntimeError("No decoding plugin installed for this compression format")

    monkeypatch.setattr(HeifImageFile, "load", no_decoder)
    failure = failure_of(photo)
    assert failure.status == "decode_error"
    assert "No decoding plugin installed" in failure.reason
    assert not decided_by_content(failure.status, failure.reason)


def test_pillow_extensions_are_those_the_decoder_reads() -> None:
    readable = pillow_extensions()
    assert {".jpg", ".mpo", ".png", ".jp2", ".tga", ".ico", ".psd", ".qoi"} <= readable
    # Stubs (no decoder without an application's handler), a video, a refused and a
    # write-only format, and sidecars.
    assert not {".h5", ".grib", ".wmf", ".mpg", ".eps", ".ps", ".pdf", ".json", ".xmp"} & readable


def test_a_host_programs_load_truncated_images_leaves_a_cut_jpeg_truncated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With Pillow's LOAD_TRUNCATED_IMAGES set by the program calling zsl, a JPEG cut in half
    # decoded as ok, its lower half grey, and was labelled.
    path = tmp_path / "cut.jpg"
    noise = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path, quality=90)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pillow_settings(DEFAULT_MAX_PIXELS):
        assert status_of(path) == "truncated"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back for the host program
