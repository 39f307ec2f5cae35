"""decode_image on an uncompressed TIFF whose directory lists fewer strips or tiles than its size
takes (a damaged width or height, a strip list cut short): Pillow decodes those it lists and
leaves the rest black, so zsl fails it rather than label a black page."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import failure_of
from zsl_cli.images import decode_image


def grey_tiff(
    width: int,
    height: int,
    pixels: np.ndarray,
    block: tuple[int, int] | None = None,
    planes: int = 1,
) -> bytes:
    """An uncompressed 8-bit grey TIFF declaring `width` x `height`, of `pixels` (rows x columns)
    in strips of `block`'s height (one strip where None) or, where `block` gives a width under
    the pixels' width, in tiles of `block`, listed for `pixels` alone: where the size declared
    is larger, its directory lists fewer strips or tiles than that size takes. With `planes` 3,
    an RGB TIFF of planes stored apart (PlanarConfiguration 2), `pixels` holding them one
    below the other: the strips of each plane listed after the last's."""
    rows, columns = pixels.shape
    across, down = block or (columns, rows)
    parts = [
        pixels[top : top + down, left : left + across]
        for top in range(0, rows, down)
        for left in range(0, columns, across)
    ]
    tiled = across < columns
    if tiled:  # each tile padded to its full size, as TIFF has it
        parts = [np.pad(p, ((0, down - p.shape[0]), (0, across - p.shape[1]))) for p in parts]
    data = b"".join(p.tobytes() for p in parts)
    fields = [(256, width), (257, height), (258, 8), (259, 1), (262, 1), (277, planes)]
    if planes > 1:
        fields[4] = (262, 2)  # RGB
        fields.append((284, 2))
    fields += [(322, across), (323, down)] if tiled else [(278, down)]
    entries = len(fields) + 2
    arrays = 8 + 2 + 12 * entries + 4  # after the directory: offsets, then byte counts
    start = arrays + 8 * len(parts)
    offsets, at = [], start
    for p in parts:
        offsets.append(at)
        at += p.size
    table = b"".join(struct.pack("<HHII", tag, 4, 1, value) for tag, value in fields)
    offsets_tag, counts_tag = (324, 325) if tiled else (273, 279)
    counts = [p.size for p in parts]
    if len(parts) == 1:  # a single value is held in its entry
        table += struct.pack("<HHII", offsets_tag, 4, 1, offsets[0])
        table += struct.pack("<HHII", counts_tag, 4, 1, counts[0])
    else:
        table += struct.pack("<HHII", offsets_tag, 4, len(parts), arrays)
        table += struct.pack("<HHII", counts_tag, 4, len(parts), arrays + 4 * len(parts))
    # Tags in ascending order, as TIFF wants them.
    sorted_table = b"".join(sorted(table[i : i + 12] for i in range(0, len(table), 12)))
    return (
        b"II*\0"
        + struct.pack("<IH", 8, entries)
        + sorted_table
        + bytes(4)
        + struct.pack(f"<{len(parts)}I", *offsets)
        + struct.pack(f"<{len(parts)}I", *counts)
        + data
    )


PIXELS = (np.arange(40 * 48).reshape(40, 48) % 251).astype(np.uint8)


@pytest.mark.parametrize(
    ("width", "height", "block", "listed", "takes"),
    [
        (48, 4000, None, 1, 100),  # one strip of 40 rows: a damaged height
        (48, 65535, (48, 8), 5, 8192),  # strips of 8 rows
        (48, 41, (48, 8), 5, 6),  # one row more than the strips hold
        (480, 40, (16, 16), 9, 90),  # 3 x 3 tiles, 30 across: a damaged width
    ],
    ids=["one_strip", "strips", "one_row", "tiles"],
)
def test_uncompressed_tiff_of_fewer_strips_than_its_size_takes_is_a_decode_error(
    tmp_path: Path,
    width: int,
    height: int,
    block: tuple[int, int] | None,
    listed: int,
    takes: int,
) -> None:
    path = tmp_path / "scan.tif"
    path.write_bytes(grey_tiff(width, height, PIXELS, block) + bytes(100_000))
    error = failure_of(path)
    assert error.status == "decode_error"
    kind = "strip or tile" if listed == 1 else "strips or tiles"
    assert f"lists {listed:,} {kind} of pixels" in error.reason, error.reason
    assert f"takes {takes:,}" in error.reason, error.reason


@pytest.mark.parametrize("block", [None, (48, 8), (48, 7), (16, 16)])
def test_uncompressed_tiff_of_all_its_strips_decodes(
    tmp_path: Path, block: tuple[int, int] | None
) -> None:
    path = tmp_path / "scan.tif"
    path.write_bytes(grey_tiff(48, 40, PIXELS, block))
    decoded = np.asarray(decode_image(path))
    np.testing.assert_array_equal(decoded, np.dstack([PIXELS] * 3))


def test_one_strip_of_more_rows_than_the_image_decodes(tmp_path: Path) -> None:
    # RowsPerStrip over the height (2**32 - 1, "all of them", as many writers give it).
    path = tmp_path / "scan.tif"
    path.write_bytes(
        grey_tiff(48, 40, PIXELS).replace(
            struct.pack("<HHII", 278, 4, 1, 40), struct.pack("<HHII", 278, 4, 1, 2**32 - 1)
        )
    )
    decoded = np.asarray(decode_image(path))
    np.testing.assert_array_equal(decoded, np.dstack([PIXELS] * 3))


def test_planar_tiff_of_fewer_strips_than_its_planes_take_is_a_decode_error(
    tmp_path: Path,
) -> None:
    # Each plane's 5 strips of 8 rows, 15 in all, where a damaged height of 100 takes 13 a
    # plane: Pillow lays the green plane's strips under the red one's, the blue's after them.
    path = tmp_path / "scan.tif"
    path.write_bytes(grey_tiff(48, 100, np.vstack([PIXELS] * 3), (48, 8), planes=3))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "lists 15 strips or tiles of pixels" in error.reason, error.reason
    assert "takes 39 (13 for each of its 3 planes)" in error.reason, error.reason


@pytest.mark.parametrize(
    "block", [(48, 40), (48, 8), (16, 8)], ids=["one_strip", "strips", "tiles"]
)
def test_planar_tiff_of_all_its_strips_decodes(tmp_path: Path, block: tuple[int, int]) -> None:
    # One strip, or 5, or 3 x 5 tiles, a plane (tiles of rows that part no plane's).
    rgb = np.dstack([PIXELS, 255 - PIXELS, PIXELS // 2])
    path = tmp_path / "scan.tif"
    path.write_bytes(grey_tiff(48, 40, np.vstack(np.moveaxis(rgb, 2, 0)), block, planes=3))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), rgb)
