"""decode_image on damaged container files: ISO base media (AVIF, HEIF) whose boxes are cut or
odd, and JPEG 2000 (.jp2) files whose boxes or codestream segments are; what `zsl label` shows
as the image's status and reason."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from tests.corpus import blocky_rgb
from tests.helpers import failure_of, needs_jpeg_2000
from zsl_cli.image_damage import container_cut_short
from zsl_cli.images import DecodeError, decode_image


def assert_heif_refused(error: DecodeError) -> None:
    """No cut told: the HEIF is refused for what it is (no picture pillow-heif reads, or no
    pillow-heif), not called truncated."""
    assert error.status == "not_an_image", error.reason
    assert error.reason.startswith("HEIF"), error.reason


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def ftyp(major: bytes = b"heic") -> bytes:
    return box(b"ftyp", major + bytes(4) + b"mif1" + major)


def iloc(*extents: tuple[int, int], method: int = 0) -> bytes:
    """An "iloc" box (version 1, 4-byte offsets and lengths, no base offset) of one item whose
    extents are (offset, length), stored as `method` says (0: in the file; 1: in "idat")."""
    fields = struct.pack(">HH", 1, method) + struct.pack(">HH", 0, len(extents))
    fields += b"".join(struct.pack(">II", offset, length) for offset, length in extents)
    body = bytes([1, 0, 0, 0]) + struct.pack(">BBH", 0x44, 0x00, 1) + fields
    return box(b"iloc", body)


def meta(*children: bytes) -> bytes:
    return box(b"meta", bytes(4) + b"".join(children))


def heif(*boxes: bytes) -> bytes:
    return ftyp() + b"".join(boxes)


def test_heif_cut_inside_a_box_header_is_truncated(tmp_path: Path) -> None:
    # A cut inside the next box's 8-byte header, or inside a 64-bit box size (size field 1).
    path = tmp_path / "photo.heic"
    whole = heif(meta(iloc((0, 10))), box(b"mdat", bytes(200)))
    for data in (
        whole + b"\0\0\0",
        whole + b"\0\0\0\x01mdat\0\0",
    ):
        path.write_bytes(data)
        error = failure_of(path)
        assert error.status == "truncated", data[-12:]
        assert error.reason == f"image file is truncated (data ends after {len(data)} bytes)"


def test_heif_whose_64_bit_box_size_runs_past_the_end_is_truncated(tmp_path: Path) -> None:
    path = tmp_path / "photo.heic"
    mdat = struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 16 + 5000) + bytes(300)
    path.write_bytes(heif(meta(iloc((0, 10))), mdat))
    assert failure_of(path).status == "truncated"
    # The same box, its 64-bit size that of the bytes it holds: no cut.
    mdat = struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 16 + 300) + bytes(300)
    path.write_bytes(heif(meta(iloc((0, 10))), mdat))
    assert_heif_refused(failure_of(path))


def test_heif_whose_last_box_runs_to_the_end_is_truncated_where_an_item_lies_past_it(
    tmp_path: Path,
) -> None:
    # A box of size 0 runs to the file's end: the "meta" box before it says where the pictures
    # are, and one placed past the end was cut off.
    path = tmp_path / "photo.heic"
    to_the_end = bytes(4) + b"mdat" + bytes(300)
    path.write_bytes(heif(meta(iloc((100, 5000))), to_the_end))
    assert failure_of(path).status == "truncated"
    path.write_bytes(heif(meta(iloc((100, 50))), to_the_end))
    assert_heif_refused(failure_of(path))


@pytest.mark.parametrize(
    "meta_box",
    [
        pytest.param(meta(struct.pack(">I", 4) + b"hdlr"), id="a child box of size 4"),
        pytest.param(meta(box(b"hdlr", bytes(24))), id="no iloc"),
        pytest.param(meta(iloc((100, 5000), method=1)), id="an extent in idat"),
        pytest.param(meta(iloc((100, 50))[:-3]), id="an iloc cut inside its extent"),
    ],
)
def test_heif_whose_meta_box_places_no_picture_past_the_end_is_not_truncated(
    tmp_path: Path, meta_box: bytes
) -> None:
    # Where no item's extent lies in the file past its end, nothing tells a cut.
    path = tmp_path / "photo.heic"
    data = heif(meta_box, box(b"mdat", bytes(300)))
    path.write_bytes(data)
    assert_heif_refused(failure_of(path))
    # The same file, an item placed past its end in a second "iloc" where one was kept.
    past = heif(meta(iloc((100, 5000))), box(b"mdat", bytes(300)))
    path.write_bytes(past)
    assert failure_of(path).status == "truncated"


def test_heif_whose_iloc_is_cut_after_an_extent_past_the_end_is_truncated(
    tmp_path: Path,
) -> None:
    # The extents read before the "iloc" box's own cut still tell where the pictures lie.
    path = tmp_path / "photo.heic"
    cut_iloc = iloc((100, 5000), (200, 50))
    cut_iloc = struct.pack(">I", len(cut_iloc) - 3) + cut_iloc[4:-3]
    path.write_bytes(heif(meta(cut_iloc), box(b"mdat", bytes(300))))
    assert failure_of(path).status == "truncated"


def test_container_cut_short_is_false_where_the_file_cannot_be_read() -> None:
    # A read error (an I/O error on a disk, a closed file) tells nothing of a cut.
    class Failing(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise OSError("I/O error")

    assert not container_cut_short(Failing(ftyp()), 100)


def jp2_boxes(pixels: np.ndarray) -> list[tuple[bytes, bytes]]:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG2000", tile_size=(32, 32))
    data, boxes, at = buffer.getvalue(), [], 0
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big") or len(data) - at
        boxes.append((data[at + 4 : at + 8], data[at + 8 : at + length]))
        at += length
    return boxes


def jp2(boxes: list[tuple[bytes, bytes]], *, long: frozenset[bytes] = frozenset()) -> bytes:
    """A .jp2 of `boxes`, those whose type is in `long` with a 64-bit length."""
    return b"".join(
        struct.pack(">I", 1) + kind + struct.pack(">Q", 16 + len(payload)) + payload
        if kind in long
        else box(kind, payload)
        for kind, payload in boxes
    )


@needs_jpeg_2000
def test_jp2_with_64_bit_box_lengths_decodes_and_is_truncated_when_cut(tmp_path: Path) -> None:
    pixels = blocky_rgb(70, 50, seed=3)
    boxes = jp2_boxes(pixels)
    path = tmp_path / "scan.jp2"
    data = jp2(boxes, long=frozenset({b"jp2c"}))
    path.write_bytes(data)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    sot = data.rindex(b"\xff\x90")
    path.write_bytes(data[: sot + 2])
    assert failure_of(path).status == "truncated"


@needs_jpeg_2000
def test_jp2_whose_codestream_box_holds_only_nuls_is_truncated(tmp_path: Path) -> None:
    # A copy cut short that wrote the file's full size: the codestream is NULs, its box whole.
    boxes = [
        (kind, bytes(len(payload)) if kind == b"jp2c" else payload)
        for kind, payload in jp2_boxes(blocky_rgb(70, 50, seed=4))
    ]
    path = tmp_path / "scan.jp2"
    path.write_bytes(jp2(boxes))
    assert failure_of(path).status == "truncated"


@needs_jpeg_2000
@pytest.mark.parametrize("padding", [b"", b"\r\n", bytes(100)])
def test_jp2_whose_header_disagrees_with_its_whole_codestream_is_a_decode_error(
    tmp_path: Path, padding: bytes
) -> None:
    # The codestream is whole (its end marker where its tile-parts place it) and padding after
    # its box is no box cut short: the damage is inside (a size its header box misstates).
    boxes = jp2_boxes(blocky_rgb(70, 50, seed=5))
    header = dict(boxes)[b"jp2h"]
    at = header.index(b"ihdr") + 4
    header = header[:at] + struct.pack(">II", 51, 70) + header[at + 8 :]
    path = tmp_path / "scan.jp2"
    path.write_bytes(jp2([(k, header if k == b"jp2h" else p) for k, p in boxes]) + padding)
    error = failure_of(path)
    assert error.status == "decode_error", error.reason


@needs_jpeg_2000
def test_jp2_with_a_64_bit_codestream_box_and_bytes_after_its_end_marker_decodes(
    tmp_path: Path,
) -> None:
    # A last tile-part of length 0 runs on to the file's end in OpenJPEG, which fails on the
    # bytes after the codestream box: its start is found after the box's 64-bit length.
    pixels = blocky_rgb(70, 50, seed=6)
    boxes = jp2_boxes(pixels)
    codestream = dict(boxes)[b"jp2c"]
    last = codestream.rindex(b"\xff\x90")
    codestream = codestream[: last + 6] + bytes(4) + codestream[last + 10 :]
    boxes = [(k, codestream if k == b"jp2c" else p) for k, p in boxes]
    path = tmp_path / "scan.jp2"
    path.write_bytes(jp2(boxes, long=frozenset({b"jp2c"})) + b"garbage")
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


def test_j2k_whose_size_segment_gives_tiles_of_width_0_is_a_decode_error(tmp_path: Path) -> None:
    # No tile count follows from it (a division by the tile width): the walk to the end marker
    # stops, and the file, ending with that marker, is whole but damaged.
    if not features.check("jpg_2000"):
        pytest.skip("this Pillow has no JPEG 2000 support")
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(70, 50, seed=7)).save(
        buffer, "JPEG2000", tile_size=(32, 32), no_jp2=True
    )
    data = buffer.getvalue()
    tile_width = 4 + 4 + 16  # SOC, SIZ's marker and length, Rsiz, the image's size and offset
    path = tmp_path / "scan.j2k"
    path.write_bytes(data[:tile_width] + bytes(4) + data[tile_width + 4 :])
    error = failure_of(path)
    assert error.status == "decode_error", error.reason


def test_heif_without_pillow_heif_installed_says_how_to_install_it(tmp_path: Path) -> None:
    # A fresh interpreter in which pillow-heif cannot be imported, as where it is not installed.
    path = tmp_path / "photo.heic"
    path.write_bytes(heif(meta(iloc((0, 10))), box(b"mdat", bytes(300))))
    script = (
        "import sys; sys.modules['pillow_heif'] = None\n"
        "from zsl_cli.images import DecodeError, decode_image\n"
        "try:\n"
        f"    decode_image(__import__('pathlib').Path({str(path)!r}))\n"
        "except DecodeError as error:\n"
        "    print(error.status, error.reason, sep='|')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "not_an_image|HEIF support not installed: pip install pillow-heif (or zsl-cli[heif])\n"
    )
