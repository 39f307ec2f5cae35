"""A JPEG cut short and left without its end marker is truncated, also where it ends with the
0xFF of a coded 0xFF (0xFF 0): the end marker put back after that byte would read as a fill
byte before it, and bytes put there as a marker with it, so no check of the pixels tells the
cut (the data ends a byte early either way)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded, smooth_rgb
from tests.helpers import failure_of
from zsl_cli.images import DecodeOptions, decode_image


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
@pytest.mark.parametrize("which", [0.5, 0.9, 1.0], ids=["middle", "late", "last"])
def test_jpeg_cut_just_after_a_coded_ff_is_truncated(
    tmp_path: Path, progressive: bool, which: float
) -> None:
    noise = np.random.default_rng(6).integers(0, 256, (160, 208, 3), dtype=np.uint8)
    pixels = (smooth_rgb(208, 160, seed=6) // 2 + noise // 2).astype(np.uint8)
    jpeg = encoded(Image.fromarray(pixels), "JPEG", quality=95, progressive=progressive)
    first_scan = jpeg.index(b"\xff\xda")
    pairs = [at for at in range(first_scan, len(jpeg) - 2) if jpeg[at : at + 2] == b"\xff\x00"]
    cut = pairs[int((len(pairs) - 1) * which)] + 1  # the 0xFF kept, its 0 not
    path = tmp_path / "cut.jpg"
    path.write_bytes(jpeg[:cut])
    for options in (DecodeOptions(), DecodeOptions(draft=(52, 40))):
        assert failure_of(path, options).status == "truncated"


def scan_data_ends(jpeg: bytes) -> list[int]:
    """Where each scan's coded data ends: at the first marker after its header that is no
    restart marker and no coded 0xFF."""
    ends = []
    for start in (match.start() for match in re.finditer(rb"\xff\xda", jpeg)):
        data = start + 2 + int.from_bytes(jpeg[start + 2 : start + 4], "big")
        ends.append(re.compile(rb"\xff[^\x00\xd0-\xd7]").search(jpeg, data).start())
    return ends


def restarts_from_a_later_scan(pixels: np.ndarray, first: int) -> bytes:
    """A whole progressive JPEG whose scans from the `first`-th on (counted from 0) have restart
    markers, their interval set (DRI) between scans: the scans before that of Pillow's file
    without restart markers, the rest (each with its own Huffman tables) of its file with them,
    which code the same coefficients."""
    plain = encoded(Image.fromarray(pixels), "JPEG", quality=90, progressive=True)
    restarts = encoded(
        Image.fromarray(pixels), "JPEG", quality=90, progressive=True, restart_marker_blocks=4
    )
    interval = restarts.index(b"\xff\xdd")
    dri = restarts[interval : interval + 6]
    return (
        plain[: scan_data_ends(plain)[first - 1]]
        + dri
        + restarts[scan_data_ends(restarts)[first - 1] :]
    )


def test_progressive_jpeg_setting_restarts_between_scans_cut_where_an_interval_ends_is_truncated(
    tmp_path: Path,
) -> None:
    # libjpeg skips bytes put after such a cut as it looks for the next restart marker: only
    # the interval set between scans tells that the end marker may not be put back.
    pixels = smooth_rgb(208, 160, seed=8)
    jpeg = restarts_from_a_later_scan(pixels, 5)
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(jpeg)
    with Image.open(io.BytesIO(jpeg)) as image:
        expected = np.asarray(image.convert("RGB"))
    assert np.array_equal(np.asarray(decode_image(whole)), expected)
    last_scan = jpeg.rindex(b"\xff\xda")
    markers = [m.start() for m in re.finditer(rb"\xff[\xd0-\xd7]", jpeg) if m.start() > last_scan]
    assert len(markers) > 3
    for cut in (markers[-1], markers[-2]):
        path = tmp_path / "cut.jpg"
        path.write_bytes(jpeg[:cut])
        assert failure_of(path).status == "truncated", cut


def test_jpeg_whose_header_sets_a_restart_interval_of_0_and_lacks_only_its_end_marker_decodes(
    tmp_path: Path,
) -> None:
    # An interval of 0 turns restart markers off (the scans hold none), so the end marker is
    # put back as for any file without them, and the file decodes whole.
    whole = encoded(Image.fromarray(smooth_rgb(208, 160, seed=8)), "JPEG", quality=90)
    frame = whole.index(b"\xff\xc0")
    no_restarts = whole[:frame] + b"\xff\xdd\x00\x04\x00\x00" + whole[frame:]
    with Image.open(io.BytesIO(no_restarts)) as image:
        expected = np.asarray(image.convert("RGB"))
    path = tmp_path / "no_end_marker.jpg"
    path.write_bytes(no_restarts[:-2])
    assert np.array_equal(np.asarray(decode_image(path)), expected)
