"""decode_image on files whose header, container or kind decides how they are read: a BMP's
bit fields, a TGA's colour map and grey alpha, an ICO's PNG picture, an EPS (never handed to
Ghostscript), a PNG's EXIF in its text beside metadata over Pillow's chunk limit, a file whose
size says 0 bytes, and a socket or named pipe in a file's place. Expected pixels come from numpy
or from Pillow read directly, not from zsl's decoder."""

from __future__ import annotations

import os
import socket
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import EpsImagePlugin, Image, PngImagePlugin

from tests.corpus import NEEDS_PILLOW_13, blocky_rgb
from zsl_cli import images
from zsl_cli.images import DEFAULT_MAX_PIXELS, DecodeError, decode_image, pillow_settings


def _bitfields_bmp(bgrx: np.ndarray) -> bytes:
    """A 32-bit BMP of H x W x 4 `bgrx` (blue, green, red, spare byte), top row first, with
    BI_BITFIELDS masks for red, green and blue and a 40-byte header: no alpha mask."""
    height, width, _ = bgrx.shape
    pixels = bgrx[::-1].tobytes()  # rows bottom-up
    offset = 14 + 40 + 12
    header = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 32, 3, len(pixels), 0, 0, 0, 0)
    masks = struct.pack("<III", 0xFF0000, 0xFF00, 0xFF)
    return (
        b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + header + masks + pixels
    )


def test_bitfields_bmp_without_an_alpha_mask_ignores_its_spare_byte(tmp_path: Path) -> None:
    # Only a BI_RGB BMP's spare byte is read as alpha (as browsers read it); bit fields that
    # give no alpha mask say the byte is none, whatever a writer left in it.
    rgb = blocky_rgb(16, 8, seed=11)
    spare = np.tile(np.array([0, 128, 255, 7], np.uint8), 32).reshape(8, 16)
    path = tmp_path / "fields.bmp"
    path.write_bytes(_bitfields_bmp(np.dstack([rgb[..., ::-1], spare])))
    with Image.open(path) as direct:
        assert (direct.mode, direct.info.get("compression")) == ("RGB", 3)
    assert np.array_equal(np.asarray(decode_image(path)), rgb)


def test_eps_is_refused_without_running_ghostscript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[object] = []

    def ghostscript(*args: object, **kwargs: object) -> Image.Image:
        runs.append(args)
        return Image.new("RGB", (10, 10), (0, 0, 0))

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", ghostscript)
    monkeypatch.setattr(EpsImagePlugin, "gs_binary", "gs", raising=False)
    path = tmp_path / "drawing.eps"
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n%%EOF\n")
    with pytest.raises(DecodeError) as raised:
        decode_image(path)
    assert raised.value.status == "not_an_image"
    assert runs == []


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _exif_as_imagemagick_writes_it(orientation: int) -> bytes:
    """A zTXt "Raw profile type exif" chunk (ImageMagick's way of keeping EXIF in a PNG)."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = b"Exif\x00\x00" + exif.tobytes()
    hexed = data.hex()
    lines = "\n".join(hexed[i : i + 72] for i in range(0, len(hexed), 72))
    text = f"\nexif\n{len(data):8d}\n{lines}\n".encode()
    return _png_chunk(b"zTXt", b"Raw profile type exif\x00\x00" + zlib.compress(text))


def test_exif_in_png_text_beside_metadata_over_pillows_chunk_limit_turns_the_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a run (pillow_settings), metadata up to PNG_METADATA_LIMIT is read as Pillow reads it,
    # text and all: the EXIF orientation that text holds still turns the picture.
    stored = blocky_rgb(24, 16, seed=12)
    path = tmp_path / "magick.png"
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>" + " " * 2_000_000, zip=True)
    Image.fromarray(stored).save(path, pnginfo=info)
    data = path.read_bytes()
    at = data.index(b"IDAT") - 4
    path.write_bytes(data[:at] + _exif_as_imagemagick_writes_it(6) + data[at:])
    with monkeypatch.context() as limit_raised:
        limit_raised.setattr(PngImagePlugin, "MAX_TEXT_CHUNK", 4_000_000)
        with Image.open(path) as direct:
            assert direct.getexif().get(0x0112) == 6
    upright = np.rot90(stored, k=-1)  # orientation 6: turned a quarter clockwise to be shown
    with pillow_settings(DEFAULT_MAX_PIXELS):
        shown = np.asarray(decode_image(path))
    assert np.array_equal(shown, upright)


def _size_reads_0(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files' sizes say 0 bytes to the decoder, as a /proc or /sys file's does, though reading
    them brings their content."""
    real_fstat = os.fstat

    def fstat_saying_0(fd: int) -> os.stat_result:
        fields = list(real_fstat(fd))
        fields[6] = 0  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr(images.os, "fstat", fstat_saying_0)


def test_a_file_whose_size_says_0_bytes_is_decoded_from_its_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pixels = blocky_rgb(16, 8, seed=13)
    path = tmp_path / "sized_zero.gif"
    Image.fromarray(pixels).quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path)
    with Image.open(path) as direct:
        expected = np.asarray(direct.convert("RGB"))
    _size_reads_0(monkeypatch)
    assert np.array_equal(np.asarray(decode_image(path)), expected)


def test_a_file_whose_size_says_0_bytes_is_checked_from_its_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The checks made before Pillow reads a file see its signature too: a PNM header padded
    # past 64 KB is refused unread (Pillow reads such a header a byte a call).
    path = tmp_path / "padded.ppm"
    path.write_bytes(b"P6\n2 1" + b"\n" * 70_000 + b"255\n" + bytes(6))
    _size_reads_0(monkeypatch)
    with pytest.raises(DecodeError) as raised:
        decode_image(path)
    assert (raised.value.status, raised.value.reason) == (
        "not_an_image",
        "PPM signature, but its header runs past 64 KB of whitespace or comments: not read",
    )


def _stat_before_the_swap(monkeypatch: pytest.MonkeyPatch, path: Path, regular: Path) -> None:
    """The decoder's stat of `path` sees the regular file `regular`, as it would where `path`
    was a regular file replaced between that stat and the open."""
    real_stat = os.stat

    def stat(name: object, *args: object, **kwargs: object) -> os.stat_result:
        return real_stat(regular if os.fspath(name) == os.fspath(path) else name, *args, **kwargs)

    monkeypatch.setattr(images.os, "stat", stat)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_a_socket_is_not_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a short relative name: socket paths are limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("listening.png")
        path = tmp_path / "listening.png"
        with pytest.raises(DecodeError) as raised:
            decode_image(path)
        assert (raised.value.status, raised.value.reason) == ("not_a_file", "is a socket")
        # A socket that takes a regular file's place after the decoder's stat: its open fails.
        Image.new("RGB", (4, 4)).save(tmp_path / "regular.png")
        _stat_before_the_swap(monkeypatch, path, tmp_path / "regular.png")
        with pytest.raises(DecodeError) as raised:
            decode_image(path)
        assert (raised.value.status, raised.value.reason) == (
            "not_a_file",
            "is a socket or a device with no driver",
        )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_that_takes_a_files_place_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opened without blocking (no writer), then told apart by the open file's own stat.
    pipe = tmp_path / "pipe.png"
    os.mkfifo(pipe)
    Image.new("RGB", (4, 4)).save(tmp_path / "regular.png")
    _stat_before_the_swap(monkeypatch, pipe, tmp_path / "regular.png")
    with pytest.raises(DecodeError) as raised:
        decode_image(pipe)
    assert (raised.value.status, raised.value.reason) == ("not_a_file", "is a named pipe")


@NEEDS_PILLOW_13  # Pillow 12 cannot open a TGA whose colour map holds alpha
def test_colour_mapped_tga_with_alpha_in_its_map_is_composited_on_white(tmp_path: Path) -> None:
    # 32-bit colour map entries (BGRA) and a header giving 8 alpha bits: the palette's alpha
    # is the pixels' transparency.
    entries = np.array([[0, 0, 255, 255], [0, 255, 0, 128], [255, 0, 0, 0], [255, 255, 255, 64]])
    header = struct.pack("<BBBHHBHHHHBB", 0, 1, 1, 0, 4, 32, 0, 0, 2, 2, 8, 0x28)
    path = tmp_path / "mapped.tga"
    path.write_bytes(header + entries.astype(np.uint8).tobytes() + bytes([0, 1, 2, 3]))
    rgb, alpha = entries[:, 2::-1], entries[:, 3:] / 255
    expected = rgb * alpha + 255 * (1 - alpha)
    shown = np.asarray(decode_image(path)).reshape(-1, 3)
    np.testing.assert_allclose(shown, expected, atol=1)


def test_grey_tga_with_zero_alpha_everywhere_is_opaque(tmp_path: Path) -> None:
    # As a colour one: writers that mean no alpha leave its bytes zero, and a blank page is
    # never the picture.
    grey = blocky_rgb(16, 8, seed=14)[..., 1]
    path = tmp_path / "grey.tga"
    Image.fromarray(np.dstack([grey, np.zeros_like(grey)]), "LA").save(path)
    with Image.open(path) as direct:
        assert direct.mode == "LA"
    np.testing.assert_array_equal(np.asarray(decode_image(path)), np.dstack([grey] * 3))


def test_ico_whose_png_picture_is_wholly_see_through_is_white(tmp_path: Path) -> None:
    # Only a BMP picture has an AND mask to stand in for alpha that is zero everywhere; a PNG
    # picture's alpha is its own, and a PNG of none is a blank (white) page.
    colours = blocky_rgb(32, 32, seed=15)
    clear = np.dstack([colours, np.zeros((32, 32), np.uint8)])
    path = tmp_path / "clear.ico"
    Image.fromarray(clear, "RGBA").save(path, sizes=[(32, 32)])
    assert b"\x89PNG" in path.read_bytes()
    np.testing.assert_array_equal(np.asarray(decode_image(path)), np.full((32, 32, 3), 255))


def test_headerless_32bit_dib_reads_its_spare_byte_as_alpha_as_a_bmp_does(tmp_path: Path) -> None:
    # A DIB is a BMP without its 14-byte file header (as Windows' clipboard keeps one).
    rgb = blocky_rgb(16, 8, seed=17)
    alpha = np.zeros((8, 16), np.uint8)
    alpha[:, :8] = 255  # the left half opaque, the right half see-through
    bgra = np.dstack([rgb[..., ::-1], alpha])[::-1]  # rows bottom-up
    header = struct.pack("<IiiHHIIiiII", 40, 16, 8, 1, 32, 0, bgra.size, 0, 0, 0, 0)
    path = tmp_path / "clipboard.dib"
    path.write_bytes(header + bgra.tobytes())
    with Image.open(path) as direct:
        assert (direct.format, direct.mode) == ("DIB", "RGB")
    expected = rgb.copy()
    expected[:, 8:] = 255
    np.testing.assert_array_equal(np.asarray(decode_image(path)), expected)
