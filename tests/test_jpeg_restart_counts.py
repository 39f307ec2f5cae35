"""The restart markers a JPEG's scans take, counted from the frame's size and sampling and each
scan's components and restart interval, tell a file cut where an interval ends (truncated, or
with an end marker put back, a decode_error) from a whole one lacking only its end marker (kept,
its pixels as the whole file's). Pillow writes the common files; the small writer here writes
what it cannot: any sampling (4:1:1, odd factors), scans of one component in a sequential file,
and a DRI segment before the frame or between scans."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded
from tests.helpers import failure_of, scan_markers
from zsl_cli.images import decode_image

JPEG_END = b"\xff\xd9"


def ceil(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def segment(code: int, payload: bytes) -> bytes:
    return bytes([0xFF, code]) + (len(payload) + 2).to_bytes(2, "big") + payload


def dri(interval: int) -> bytes:
    return segment(0xDD, interval.to_bytes(2, "big"))


class Bits:
    """Huffman-coded data: bits put most significant first, a coded 0xFF followed by 0."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.byte = self.count = 0

    def put(self, value: int, length: int) -> None:
        for shift in range(length - 1, -1, -1):
            self.byte = self.byte << 1 | (value >> shift) & 1
            self.count += 1
            if self.count == 8:
                self.out += b"\xff\x00" if self.byte == 0xFF else bytes([self.byte])
                self.byte = self.count = 0

    def pad(self) -> None:  # with one bits, as before a marker
        if self.count:
            self.put((1 << (8 - self.count)) - 1, 8 - self.count)


Scan = tuple[list[int], int, int, int | None]  # components, Ss, Se, a DRI written before it


def dc_jpeg(
    size: tuple[int, int],
    sampling: list[tuple[int, int]],
    scans: list[Scan],
    progressive: bool = False,
) -> bytes:
    """A JPEG of blocks of random DC coefficients (the AC ones all 0, each block's band coded as
    an end of band), of components sampled as `sampling` gives (h, v), coded in `scans`, with a
    restart marker after each interval of MCUs but the last, as an encoder writes them. Quantized
    by 8, a DC coefficient d shows as level d + 128."""
    width, height = size
    most_h, most_v = max(h for h, _ in sampling), max(v for _, v in sampling)
    across, down = ceil(width, 8 * most_h), ceil(height, 8 * most_v)
    rng = np.random.default_rng(width * height)
    levels = [rng.integers(-60, 61, (down * v, across * h)) for h, v in sampling]
    out = bytearray(b"\xff\xd8")
    out += segment(0xDB, bytes(1) + bytes([8] * 64))
    components = b"".join(bytes([at + 1, h << 4 | v, 0]) for at, (h, v) in enumerate(sampling))
    header = height.to_bytes(2, "big") + width.to_bytes(2, "big") + bytes([len(sampling)])
    out += segment(0xC2 if progressive else 0xC0, b"\x08" + header + components)
    # DC: sizes 0 to 11, each a code of 4 bits; AC: an end of band alone, a code of 1 bit.
    out += segment(0xC4, bytes([0x00, 0, 0, 0, 12] + [0] * 12) + bytes(range(12)))
    out += segment(0xC4, bytes([0x10, 1] + [0] * 15) + b"\x00")
    interval = 0
    for scanned, first, last, new_interval in scans:
        if new_interval is not None:
            out += dri(new_interval)
            interval = new_interval
        ids = b"".join(bytes([at + 1, 0]) for at in scanned)
        out += segment(0xDA, bytes([len(scanned)]) + ids + bytes([first, last, 0]))
        if len(scanned) > 1:
            mcus = [
                [
                    (at, row * sampling[at][1] + y, column * sampling[at][0] + x)
                    for at in scanned
                    for y in range(sampling[at][1])
                    for x in range(sampling[at][0])
                ]
                for row in range(down)
                for column in range(across)
            ]
        else:  # one component: its MCU is one block, over its own size in blocks
            at = scanned[0]
            h, v = sampling[at]
            blocks_across = ceil(ceil(width * h, most_h), 8)
            blocks_down = ceil(ceil(height * v, most_v), 8)
            mcus = [[(at, y, x)] for y in range(blocks_down) for x in range(blocks_across)]
        bits, before = Bits(), [0] * len(sampling)
        for index, mcu in enumerate(mcus):
            if interval and index and index % interval == 0:
                bits.pad()
                bits.out += bytes([0xFF, 0xD0 + (index // interval - 1) % 8])
                before = [0] * len(sampling)
            for at, y, x in mcu:
                if first == 0:
                    level = int(levels[at][y, x])
                    difference, before[at] = level - before[at], level
                    bits.put(length := abs(difference).bit_length(), 4)
                    bits.put(
                        difference if difference >= 0 else difference + (1 << length) - 1, length
                    )
                if last > 0:
                    bits.put(0, 1)
        bits.pad()
        out += bits.out
    return bytes(out + JPEG_END)


def without_restarts(scans: list[Scan]) -> list[Scan]:
    return [
        (scanned, first, last, None if new is None else 0) for scanned, first, last, new in scans
    ]


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


def last_scan_restarts(data: bytes) -> list[int]:
    last_scan = scan_markers(data)[-1]
    return [at.start() for at in re.finditer(rb"\xff[\xd0-\xd7]", data) if at.start() > last_scan]


def assert_whole_kept_and_cuts_refused(tmp_path: Path, whole: bytes) -> None:
    """The file lacking only its end marker decodes as the whole one; cut at (or just after)
    each restart marker of its last scan, it is truncated, and given an end marker back, not
    decoded."""
    path = tmp_path / "file.jpg"
    for data in (whole, whole[:-2]):
        path.write_bytes(data)
        assert np.array_equal(np.asarray(decode_image(path)), pixels(whole))
    restarts = last_scan_restarts(whole)
    assert restarts
    for marker in restarts:
        for cut in (marker, marker + 2):
            path.write_bytes(whole[:cut])
            assert failure_of(path).status == "truncated", (restarts.index(marker), cut - marker)
            path.write_bytes(whole[:cut] + JPEG_END)
            assert failure_of(path).status == "decode_error", (restarts.index(marker), cut - marker)


def pillow_jpeg(mode: str, size: tuple[int, int], **settings: object) -> bytes:
    width, height = size
    rng = np.random.default_rng(width * height)
    image = Image.fromarray(rng.integers(0, 256, (height, width, 3), np.uint8)).convert(mode)
    return encoded(image, "JPEG", quality=90, **settings)


@pytest.mark.parametrize(
    ("mode", "size", "settings"),
    [
        ("L", (17, 9), {"restart_marker_blocks": 1}),
        ("L", (17, 9), {"restart_marker_blocks": 3, "progressive": True}),
        ("RGB", (17, 9), {"restart_marker_blocks": 1, "subsampling": 1}),
        ("RGB", (40, 24), {"restart_marker_rows": 1, "subsampling": 2, "progressive": True}),
        ("CMYK", (17, 9), {"restart_marker_blocks": 1, "progressive": True}),
    ],
    ids=["grey", "grey_progressive", "rgb_4:2:2", "rgb_4:2:0_progressive_rows", "cmyk_progressive"],
)
def test_jpeg_cut_at_or_just_after_each_restart_marker_of_its_last_scan_is_refused(
    tmp_path: Path, mode: str, size: tuple[int, int], settings: dict[str, object]
) -> None:
    # Cut just after the last restart marker, the count is whole but the last interval is
    # missing: every interval codes a bit at least, a byte once padded.
    assert_whole_kept_and_cuts_refused(tmp_path, pillow_jpeg(mode, size, **settings))


SAMPLINGS = {
    "grey": [(1, 1)],
    "grey_2x2": [(2, 2)],
    "4:1:1": [(4, 1), (1, 1), (1, 1)],
    "4:4:0": [(1, 2), (1, 1), (1, 1)],
    "3x1": [(3, 1), (1, 1), (1, 1)],  # libjpeg upsamples by whole ratios alone
    "four_components": [(2, 2), (1, 1), (1, 1), (2, 2)],
}


def layouts(count: int, interval: int) -> dict[str, tuple[list[Scan], bool]]:
    every = list(range(count))
    return {
        "interleaved": ([(every, 0, 63, interval)], False),
        "a_scan_each": ([([at], 0, 63, interval + count - 1 - at) for at in every], False),
        "progressive": ([(every, 0, 0, interval)] + [([at], 1, 63, None) for at in every], True),
        "progressive_dc_each": (
            [([at], 0, 0, interval) for at in every] + [([at], 1, 63, None) for at in every],
            True,
        ),
    }


@pytest.mark.parametrize("sampling", SAMPLINGS.values(), ids=SAMPLINGS.keys())
@pytest.mark.parametrize(
    "layout", ["interleaved", "a_scan_each", "progressive", "progressive_dc_each"]
)
@pytest.mark.parametrize(("size", "interval"), [((17, 9), 1), ((37, 29), 3)], ids=["17x9", "37x29"])
def test_jpeg_restart_markers_are_counted_for_any_sampling_and_scan_of_one_component(
    tmp_path: Path,
    sampling: list[tuple[int, int]],
    layout: str,
    size: tuple[int, int],
    interval: int,
) -> None:
    if len(sampling) == 1 and layout in ("a_scan_each", "progressive_dc_each"):
        pytest.skip("one component: no other layout")
    scans, progressive = layouts(len(sampling), interval)[layout]
    whole = dc_jpeg(size, sampling, scans, progressive)
    # The writer counts MCUs as libjpeg does: its restart markers change no pixel.
    assert np.array_equal(
        pixels(whole), pixels(dc_jpeg(size, sampling, without_restarts(scans), progressive))
    )
    assert_whole_kept_and_cuts_refused(tmp_path, whole)


def test_dc_jpeg_writes_the_levels_libjpeg_reads() -> None:
    whole = dc_jpeg((17, 9), [(1, 1)], [([0], 0, 63, 1)])
    levels = np.random.default_rng(17 * 9).integers(-60, 61, (2, 3)) + 128
    expected = np.kron(levels, np.ones((8, 8), int))[:9, :17]
    with Image.open(io.BytesIO(whole)) as image:
        assert np.array_equal(np.asarray(image), expected)


@pytest.mark.parametrize("sampling", [[(1, 1)], [(2, 2), (1, 1), (1, 1)]], ids=["grey", "4:2:0"])
def test_jpeg_whose_dri_comes_before_its_frame_has_its_restart_markers_counted(
    tmp_path: Path, sampling: list[tuple[int, int]]
) -> None:
    written = dc_jpeg((37, 29), sampling, [(list(range(len(sampling))), 0, 63, 2)])
    whole = written[:2] + dri(2) + written[2:].replace(dri(2), b"", 1)
    assert whole.index(dri(2)) < whole.index(b"\xff\xc0")
    assert_whole_kept_and_cuts_refused(tmp_path, whole)


def test_pillow_jpeg_whose_dri_is_moved_before_its_frame_has_its_restart_markers_counted(
    tmp_path: Path,
) -> None:
    written = pillow_jpeg("RGB", (40, 24), restart_marker_blocks=2, subsampling=2)
    at = written.index(b"\xff\xdd")
    moved = written[:2] + written[at : at + 6] + written[2:at] + written[at + 6 :]
    assert moved.index(b"\xff\xdd") < moved.index(b"\xff\xc0")
    assert_whole_kept_and_cuts_refused(tmp_path, moved)


@pytest.mark.parametrize(
    "first", [None, 0, 7], ids=["no_dri_before_first_scan", "dri_0_first", "dri_changed"]
)
@pytest.mark.parametrize("progressive", [False, True], ids=["a_scan_each", "progressive"])
def test_jpeg_whose_dri_between_scans_sets_its_last_scans_interval_has_its_markers_counted(
    tmp_path: Path, first: int | None, progressive: bool
) -> None:
    # A header setting no interval (or 0) does not tell that no scan has restart markers.
    sampling = [(2, 2), (1, 1), (1, 1)]
    if progressive:
        scans: list[Scan] = [([0, 1, 2], 0, 0, first), ([0], 1, 63, None), ([1], 1, 63, None)]
        scans.append(([2], 1, 63, 2))
    else:
        scans = [([0], 0, 63, first), ([1], 0, 63, None), ([2], 0, 63, 2)]
    whole = dc_jpeg((37, 29), sampling, scans, progressive)
    assert np.array_equal(
        pixels(whole), pixels(dc_jpeg((37, 29), sampling, without_restarts(scans), progressive))
    )
    assert_whole_kept_and_cuts_refused(tmp_path, whole)


def test_jpeg_whose_dri_0_ends_restarts_before_its_last_scan_is_whole(tmp_path: Path) -> None:
    sampling = [(2, 2), (1, 1), (1, 1)]
    scans: list[Scan] = [([0, 1, 2], 0, 0, 3), ([0], 1, 63, None), ([1], 1, 63, None)]
    scans.append(([2], 1, 63, 0))
    whole = dc_jpeg((37, 29), sampling, scans, progressive=True)
    assert not last_scan_restarts(whole)
    path = tmp_path / "whole.jpg"
    for data in (whole, whole[:-2]):
        path.write_bytes(data)
        assert np.array_equal(np.asarray(decode_image(path)), pixels(whole))


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_jpeg_whose_interval_is_longer_than_its_scans_is_whole(
    tmp_path: Path, progressive: bool
) -> None:
    whole = pillow_jpeg("RGB", (37, 29), restart_marker_blocks=5000, progressive=progressive)
    assert b"\xff\xdd" in whole and not last_scan_restarts(whole)
    path = tmp_path / "whole.jpg"
    for data in (whole, whole[:-2]):
        path.write_bytes(data)
        assert np.array_equal(np.asarray(decode_image(path)), pixels(whole))


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_jpeg_whose_restart_markers_go_round_rst7_to_rst0_many_times_is_counted(
    tmp_path: Path, progressive: bool
) -> None:
    whole = pillow_jpeg("L", (1023, 1), restart_marker_blocks=1, progressive=progressive)
    restarts = last_scan_restarts(whole)
    assert len(restarts) == 127
    path = tmp_path / "file.jpg"
    path.write_bytes(whole[:-2])
    assert np.array_equal(np.asarray(decode_image(path)), pixels(whole))
    for marker in (restarts[7], restarts[8], restarts[63], restarts[-1]):
        for cut in (marker, marker + 2):
            path.write_bytes(whole[:cut])
            assert failure_of(path).status == "truncated"
            path.write_bytes(whole[:cut] + JPEG_END)
            assert failure_of(path).status == "decode_error"


def test_jpeg_whose_last_scan_ends_in_a_restart_marker_more_is_whole(tmp_path: Path) -> None:
    # Some writers put a restart marker after the last interval too: libjpeg reads past it.
    written = pillow_jpeg("RGB", (17, 9), restart_marker_blocks=1)
    last = last_scan_restarts(written)[-1]
    after = bytes([0xFF, 0xD0 + (written[last + 1] - 0xD0 + 1) % 8])
    whole = written[:-2] + after + JPEG_END
    path = tmp_path / "whole.jpg"
    for data in (whole, whole[:-2]):
        path.write_bytes(data)
        assert np.array_equal(np.asarray(decode_image(path)), pixels(written))
