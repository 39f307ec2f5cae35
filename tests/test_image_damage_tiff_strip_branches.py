"""The TIFF strip checks on files whose strips are laid out as no Pillow writer lays them out,
built by hand: strips that end in a run header whose data the strip lacks (padding, as some
writers add), planes stored apart, more strips listed than the image needs (one at an offset
past the end, or before the start), a strip of more runs than the PackBits check walks, and a
deflate strip that inflates to far more than its rows. Each whole image decodes to its pixels;
a strip that codes more than its rows is refused where the check reaches it."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import failure_of
from zsl_cli.images import decode_image

PACKBITS, DEFLATE = 32773, 8


def tiff_of_strips(
    width: int,
    height: int,
    rows_per_strip: int,
    strips: list[bytes],
    compression: int,
    samples: int = 1,
    planar: int = 1,
    extra_strips: tuple[tuple[int, int], ...] = (),
    signed_offsets: bool = False,
) -> bytes:
    """A little-endian TIFF of 8-bit samples whose `strips` are coded already: header, strips,
    then its directory and the values it points to. `extra_strips` (offset, byte count) are
    listed after the strips the image needs."""
    offsets, counts, at = [], [], 8
    for strip in strips:
        offsets.append(at)
        counts.append(len(strip))
        at += len(strip)
    for offset, count in extra_strips:
        offsets.append(offset)
        counts.append(count)
    head = b"II*\0" + bytes(4) + b"".join(strips)
    head += bytes(len(head) % 2)
    fields = [
        (256, 4, [width]),
        (257, 4, [height]),
        (258, 3, [8] * samples),
        (259, 3, [compression]),
        (262, 3, [1 if samples == 1 else 2]),  # grey, or RGB
        (273, 9 if signed_offsets else 4, offsets),
        (277, 3, [samples]),
        (278, 4, [rows_per_strip]),
        (279, 4, counts),
    ]
    if samples > 1:
        fields.append((284, 3, [planar]))
    formats = {3: "H", 4: "I", 9: "i"}
    values_at = len(head) + 2 + 12 * len(fields) + 4
    table, values = b"", b""
    for tag, kind, items in fields:
        raw = struct.pack(f"<{len(items)}{formats[kind]}", *items)
        if len(raw) > 4:
            raw, values = struct.pack("<I", values_at + len(values)), values + raw
        table += struct.pack("<HHI", tag, kind, len(items)) + raw.ljust(4, b"\0")
    directory = struct.pack("<H", len(fields)) + table + bytes(4) + values
    return b"II*\0" + struct.pack("<I", len(head)) + head[8:] + directory


def literal_runs(row: bytes) -> bytes:
    """`row` coded in PackBits literal runs of up to 128 bytes."""
    return b"".join(
        bytes([len(row[at : at + 128]) - 1]) + row[at : at + 128] for at in range(0, len(row), 128)
    )


def repeat_runs(row: bytes) -> bytes:
    """`row`, whose bytes come in equal pairs, coded in PackBits repeats of 2 (a run each)."""
    assert row[::2] == row[1::2]
    return b"".join(bytes([257 - 2, value]) for value in row[::2])


def strips_of(pixels: np.ndarray, rows: int, code: Callable[[bytes], bytes]) -> list[bytes]:
    return [
        b"".join(code(row.tobytes()) for row in pixels[top : top + rows])
        for top in range(0, len(pixels), rows)
    ]


def decodes_to(tmp_path: Path, data: bytes, pixels: np.ndarray) -> None:
    path = tmp_path / "image.tif"
    path.write_bytes(data)
    decoded = np.asarray(decode_image(path).convert("RGB" if pixels.ndim == 3 else "L"))
    assert np.array_equal(decoded, pixels)


def refused(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "damaged.tif"
    path.write_bytes(data)
    failure = failure_of(path)
    assert failure.status == "decode_error"
    return failure.reason


GREY = np.random.default_rng(4).integers(0, 256, (30, 40), dtype=np.uint8)


@pytest.mark.parametrize(
    "padding",
    [b"\x00", b"\x05\x01\x02", b"\x81"],
    ids=["literal_header_alone", "literal_cut_short", "repeat_header_alone"],
)
def test_packbits_strips_ending_in_a_run_they_lack_the_data_of_decode(
    tmp_path: Path, padding: bytes
) -> None:
    # libtiff stops each strip once it has its rows, and counts whole runs alone: a run
    # header the strip ends in, its data cut off, makes nothing.
    strips = [strip + padding for strip in strips_of(GREY, 10, literal_runs)]
    decodes_to(tmp_path, tiff_of_strips(40, 30, 10, strips, PACKBITS), GREY)


def test_packbits_strip_coding_a_whole_run_more_than_its_rows_is_a_decode_error(
    tmp_path: Path,
) -> None:
    strips = strips_of(GREY, 10, literal_runs)
    strips[1] += b"\x00\x41"  # a literal run of one byte, whole
    reason = refused(tmp_path, tiff_of_strips(40, 30, 10, strips, PACKBITS))
    assert "strip 2 of 3" in reason and "make 401 bytes, not the 400 of its rows" in reason


def test_packbits_planes_stored_apart_decode(tmp_path: Path) -> None:
    # No verdict on planes stored apart (a strip per plane): the whole image decodes.
    rgb = np.random.default_rng(5).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    planes = [b"".join(literal_runs(row.tobytes()) for row in rgb[:, :, c]) for c in range(3)]
    decodes_to(tmp_path, tiff_of_strips(40, 30, 30, planes, PACKBITS, 3, planar=2), rgb)


# 400 x 260 grey in equal pairs: 200 runs a row, 52,000 in all, past the 50,000 walked.
PAIRED = np.repeat(np.random.default_rng(6).integers(0, 256, (260, 200), dtype=np.uint8), 2, 1)


def test_packbits_of_more_runs_than_walked_decodes(tmp_path: Path) -> None:
    strips = strips_of(PAIRED, 20, repeat_runs)
    decodes_to(tmp_path, tiff_of_strips(400, 260, 20, strips, PACKBITS), PAIRED)


def test_packbits_run_too_many_is_found_within_the_runs_walked_alone(tmp_path: Path) -> None:
    first = strips_of(PAIRED, 20, repeat_runs)
    first[0] += b"\x00\x41"
    reason = refused(tmp_path, tiff_of_strips(400, 260, 20, first, PACKBITS))
    assert "strip 1 of 13" in reason
    # In the last strip, past the runs walked: no verdict, and the image stands as decoded.
    last = strips_of(PAIRED, 20, repeat_runs)
    last[-1] += b"\x00\x41"
    decodes_to(tmp_path, tiff_of_strips(400, 260, 20, last, PACKBITS), PAIRED)


def deflate_strips(pixels: np.ndarray, rows: int, after: bytes = b"") -> list[bytes]:
    return [
        zlib.compress(pixels[top : top + rows].tobytes() + after)
        for top in range(0, len(pixels), rows)
    ]


@pytest.mark.parametrize("compression", [PACKBITS, DEFLATE], ids=["packbits", "deflate"])
@pytest.mark.parametrize(
    ("extra", "signed"),
    [((10**6, 100), False), ((-16, 100), True)],
    ids=["past_the_end", "before_the_start"],
)
def test_tiff_listing_a_strip_more_than_its_rows_need_decodes(
    tmp_path: Path, extra: tuple[int, int], signed: bool, compression: int
) -> None:
    # libtiff reads as many strips as the rows need; the checks find no data in the one more
    # (past the end), or cannot seek to it (before the start): no verdict, no fault.
    if compression == PACKBITS:
        strips = strips_of(GREY, 10, literal_runs)
    else:
        strips = deflate_strips(GREY, 10)
    data = tiff_of_strips(
        40, 30, 10, strips, compression, extra_strips=(extra,), signed_offsets=signed
    )
    decodes_to(tmp_path, data, GREY)


def test_deflate_strip_inflating_past_twice_the_image_decodes(tmp_path: Path) -> None:
    # Past twice the image's bytes (and a block) the check stops, with no verdict: libtiff
    # took the rows it needed from the start of each stream.
    strips = deflate_strips(GREY, 10, after=bytes(3 * 1024 * 1024))
    decodes_to(tmp_path, tiff_of_strips(40, 30, 10, strips, DEFLATE), GREY)
