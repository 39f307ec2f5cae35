"""A JPEG whose file goes on after its last scan's coded data with marker segments (a comment, an
APPn) before its end marker, cut there: its pixels are all coded, and a progressive one decodes
whole as a sequential one does (libjpeg's own reader shows both whole). A cut where pixels are
missing (inside the last scan, inside a segment before a later scan) stays truncated, and damage
that brings a marker forward inside the last scan is not taken for the end of its data."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.corpus import encoded, smooth_rgb
from tests.helpers import failure_of, scan_markers
from zsl_cli.cli import app
from zsl_cli.images import DecodeOptions, decode_image

JPEG_END = b"\xff\xd9"
SAMPLES = Path(__file__).resolve().parent.parent / "sample_images"
DRAFT = DecodeOptions(draft=(52, 40))


def segment(code: int, payload: bytes) -> bytes:
    return bytes([0xFF, code]) + (len(payload) + 2).to_bytes(2, "big") + payload


COMMENT = segment(0xFE, b"a comment after the last scan " * 8)
# An APP1 whose data ends in 0xFF: no coded 0xFF, since the scans end before it.
APP1 = segment(0xE1, b"Exif\0\0" + bytes(range(256)) * 2)


def photo(progressive: bool) -> bytes:
    """A whole JPEG as Pillow writes it, without its end marker: its last scan's coded data."""
    jpeg = encoded(
        Image.fromarray(smooth_rgb(208, 160, seed=6)), "JPEG", quality=90, progressive=progressive
    )
    assert jpeg.endswith(JPEG_END) and jpeg.count(JPEG_END) == 1
    return jpeg[:-2]


def decoded(data: bytes, options: DecodeOptions = DecodeOptions()) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        if options.draft is not None:
            image.draft("RGB", options.draft)
        return np.asarray(image.convert("RGB"))


def assert_decodes_whole(path: Path, data: bytes, whole: bytes) -> None:
    path.write_bytes(data)
    for options in (DecodeOptions(), DRAFT):
        assert np.array_equal(np.asarray(decode_image(path, options)), decoded(whole, options))


BOTH = pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])


@BOTH
@pytest.mark.parametrize(
    "kept",
    [1, 2, 3, 4, 40, len(COMMENT) - 1, len(COMMENT) + 30],
    ids=["marker_code", "marker", "length_byte", "length", "inside", "last_byte", "next_app1"],
)
def test_jpeg_cut_inside_a_segment_after_its_last_scan_decodes_whole(
    tmp_path: Path, progressive: bool, kept: int
) -> None:
    # kept 1 ends in the 0xFF that starts the comment's marker: the scan's data ended before it,
    # but only the marker's code tells so, which the cut took (see the test below).
    body = photo(progressive)
    whole = body + COMMENT + APP1 + JPEG_END
    data = body + (COMMENT + APP1)[:kept]
    if kept == 1 and progressive:
        path = tmp_path / "cut.jpg"
        path.write_bytes(data)
        assert failure_of(path).status == "truncated"
        return
    assert_decodes_whole(tmp_path / "cut.jpg", data, whole)


def test_progressive_jpeg_ending_in_a_lone_0xff_after_its_last_scan_is_truncated(
    tmp_path: Path,
) -> None:
    # That 0xFF may as well be the first byte of a coded 0xFF (0xFF 0) of a scan cut short: no
    # check of the pixels tells the two apart, and missing pixels must not be labelled.
    path = tmp_path / "cut.jpg"
    path.write_bytes(photo(progressive=True) + b"\xff")
    assert failure_of(path).status == "truncated"


@BOTH
@pytest.mark.parametrize(
    "segments", [b"", COMMENT, APP1, COMMENT + APP1], ids=["none", "comment", "app1", "both"]
)
def test_jpeg_whose_segments_after_its_last_scan_are_whole_but_its_end_marker_missing_decodes(
    tmp_path: Path, progressive: bool, segments: bytes
) -> None:
    body = photo(progressive)
    assert_decodes_whole(tmp_path / "no_end.jpg", body + segments, body + segments + JPEG_END)


@BOTH
def test_jpeg_cut_inside_a_segment_after_its_last_scan_then_given_an_end_marker_decodes(
    tmp_path: Path, progressive: bool
) -> None:
    # The comment's length runs past the end marker and the file's end: the segment is damaged,
    # the pixels before it are all there, as a sequential file's decode shows.
    body = photo(progressive)
    data = body + COMMENT[:40] + JPEG_END
    assert_decodes_whole(tmp_path / "damaged_comment.jpg", data, body + COMMENT + JPEG_END)


@BOTH
@pytest.mark.parametrize(
    "end", [b"", COMMENT[:40], JPEG_END], ids=["cut", "cut_comment", "given_end_marker"]
)
def test_jpeg_cut_inside_its_last_scan_is_not_decoded(
    tmp_path: Path, progressive: bool, end: bytes
) -> None:
    # A comment's marker there ends the scan's data early (as damage makes one), the cut lies
    # inside its segment: libjpeg fills the rest of a sequential one with grey, and Pillow,
    # whose decoder stops after the last block, reads no further.
    body = photo(progressive)
    last_scan = scan_markers(body)[-1]
    path = tmp_path / "cut.jpg"
    path.write_bytes(body[: (last_scan + len(body)) // 2] + end)
    if end != JPEG_END:
        assert failure_of(path).status == "truncated"
    elif not progressive:
        # A progressive one given its end marker back decodes blurred past the cut, as
        # check_jpeg_data_ran_out's docstring tells: out of this file's reach.
        assert failure_of(path).status == "decode_error"


def test_progressive_jpeg_cut_inside_a_segment_before_a_later_scan_is_truncated(
    tmp_path: Path,
) -> None:
    # The scans before the cut are whole, each ended by a marker, but later ones are missing:
    # some coefficients' last bits are not coded, and the pixels are not all there.
    body = photo(progressive=True)
    last_scan = scan_markers(body)[-1]
    tables = body.rindex(b"\xff\xc4", 0, last_scan)  # Huffman tables for the last scan
    path = tmp_path / "cut.jpg"
    path.write_bytes(body[: tables + 10])
    assert failure_of(path).status == "truncated"


@pytest.mark.parametrize("end", [b"", JPEG_END], ids=["no_end_marker", "end_marker"])
def test_progressive_jpeg_whose_last_scan_damage_makes_a_comment_marker_is_not_decoded(
    tmp_path: Path, end: bytes
) -> None:
    # Garbage in the last scan's coded data reads as a comment whose length runs past the
    # file's end: the scan's data ends there to libjpeg, yet its later blocks are missing.
    body = photo(progressive=True)
    last_scan = scan_markers(body)[-1]
    middle = (last_scan + len(body)) // 2
    damaged = body[:middle] + b"\xff\xfe\xff\xf0" + body[middle + 4 :] + end
    assert re.search(rb"\xff[^\x00\xd0-\xd7\xff]", body[middle - 1 : middle + 5]) is None
    path = tmp_path / "damaged.jpg"
    path.write_bytes(damaged)
    assert failure_of(path).status == ("decode_error" if end else "truncated")


def photo_with_restarts(progressive: bool) -> bytes:
    """`photo`, written with a restart marker every 4 MCUs."""
    jpeg = encoded(
        Image.fromarray(smooth_rgb(208, 160, seed=6)),
        "JPEG",
        quality=90,
        progressive=progressive,
        restart_marker_blocks=4,
    )
    assert jpeg.endswith(JPEG_END) and b"\xff\xdd" in jpeg
    return jpeg[:-2]


def restart_markers(data: bytes, start: int) -> list[int]:
    return [
        match.start() for match in re.finditer(rb"\xff[\xd0-\xd7]", data) if match.start() > start
    ]


@BOTH
@pytest.mark.parametrize(
    "segments", [b"", COMMENT, COMMENT[:40]], ids=["no_end_marker", "comment", "cut_comment"]
)
def test_jpeg_with_restart_markers_cut_after_its_last_scan_decodes_whole(
    tmp_path: Path, progressive: bool, segments: bytes
) -> None:
    # Its last scan holds every restart marker its blocks take: the cut lies past its last
    # interval, whose blocks the bytes put after it would change, were any missing.
    body = photo_with_restarts(progressive)
    assert_decodes_whole(tmp_path / "cut.jpg", body + segments, body + COMMENT + JPEG_END)


@BOTH
@pytest.mark.parametrize("which", [-1, -2], ids=["last", "one_before"])
@pytest.mark.parametrize("after", [False, True], ids=["before_marker", "after_marker"])
def test_jpeg_with_restart_markers_cut_at_a_restart_marker_of_its_last_scan_is_truncated(
    tmp_path: Path, progressive: bool, which: int, after: bool
) -> None:
    # Cut where an interval ends, libjpeg skips what is put there as it looks for the next
    # restart marker: only the markers' count tells that blocks are missing.
    body = photo_with_restarts(progressive)
    marker = restart_markers(body, scan_markers(body)[-1])[which]
    path = tmp_path / "cut.jpg"
    path.write_bytes(body[: marker + 2 * after])
    assert failure_of(path).status == "truncated"
    path.write_bytes(body[: marker + 2 * after] + COMMENT[:40])
    assert failure_of(path).status == "truncated"


@BOTH
def test_jpeg_whose_restart_marker_damage_made_a_comment_marker_is_not_decoded(
    tmp_path: Path, progressive: bool
) -> None:
    # A restart marker's code turned into a comment's, whose length runs past the file's end:
    # the last scan's data ends there to libjpeg, an interval early.
    body = photo_with_restarts(progressive)
    marker = restart_markers(body, scan_markers(body)[-1])[-2]
    damaged = body[: marker + 1] + b"\xfe\xff\xf0" + body[marker + 4 :] + JPEG_END
    path = tmp_path / "damaged.jpg"
    path.write_bytes(damaged)
    assert failure_of(path).status == "decode_error"
    path.write_bytes(damaged[:-2])
    assert failure_of(path).status == "truncated"


@BOTH
@pytest.mark.parametrize("which", [-1, -2], ids=["last", "one_before"])
def test_jpeg_with_restart_markers_cut_at_an_interval_end_given_an_end_marker_is_a_decode_error(
    tmp_path: Path, progressive: bool, which: int
) -> None:
    # libjpeg leaves the intervals past the cut grey (or blurred), and bytes put where the data
    # ends change nothing: it skips them as it looks for the restart marker due.
    body = photo_with_restarts(progressive)
    marker = restart_markers(body, scan_markers(body)[-1])[which]
    path = tmp_path / "cut.jpg"
    path.write_bytes(body[:marker] + JPEG_END)
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "restart markers its blocks take" in failure.reason


@BOTH
@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("subsampling", [0, 1, 2], ids=["4:4:4", "4:2:2", "4:2:0"])
def test_whole_jpeg_with_restart_markers_decodes_whatever_its_size_and_sampling(
    tmp_path: Path, progressive: bool, mode: str, subsampling: int
) -> None:
    # The restart markers each scan's blocks take are counted from the frame's size and
    # sampling and the scan's components: a count over what libjpeg writes refuses whole files.
    path = tmp_path / "whole.jpg"
    for width, height in [(1, 1), (17, 9), (33, 65), (259, 131)]:
        pixels = np.random.default_rng(width).integers(0, 256, (height, width, 3), np.uint8)
        image = Image.fromarray(pixels).convert(mode)
        for interval in (1, 3, 7):
            data = encoded(
                image,
                "JPEG",
                progressive=progressive,
                subsampling=subsampling,
                restart_marker_blocks=interval,
            )
            path.write_bytes(data)
            assert np.array_equal(np.asarray(decode_image(path)), decoded(data)), (width, interval)


def test_label_takes_a_progressive_jpeg_cut_after_its_scans_and_skips_those_missing_pixels(
    tmp_path: Path,
) -> None:
    with Image.open(SAMPLES / "red circle" / "red_circle_0000.png") as image:
        rgb = image.convert("RGB")
    progressive = encoded(rgb, "JPEG", quality=95, progressive=True)[:-2]
    sequential = encoded(rgb, "JPEG", quality=95, restart_marker_blocks=2)[:-2]
    last_restart = restart_markers(sequential, scan_markers(sequential)[-1])[-1]
    files = {
        "a_whole.jpg": progressive + COMMENT + JPEG_END,
        "b_cut_in_comment.jpg": progressive + COMMENT[:40],
        "c_cut_in_scan.jpg": sequential[: len(sequential) // 2] + COMMENT[:40],
        "d_cut_at_restart.jpg": sequential[:last_restart] + JPEG_END,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    args = ["label", str(tmp_path), "-c", str(SAMPLES / "classes.txt"), "-m", "shapes-demo"]
    result = CliRunner().invoke(app, [*args, "-f", "jsonl", "-q"])
    assert result.exit_code == 0, result.output
    rows = {Path(row["path"]).name: row for row in map(json.loads, result.stdout.splitlines())}
    statuses = [rows[name]["status"] for name in sorted(rows)]
    assert statuses == ["ok", "ok", "truncated", "decode_error"]
    assert rows["b_cut_in_comment.jpg"]["top_k"] == rows["a_whole.jpg"]["top_k"]


@BOTH
@pytest.mark.parametrize("code", [0x31, 0x02, 0xBF, 0xC0, 0xF0], ids=lambda code: f"ff{code:02x}")
@pytest.mark.parametrize("end", [b"", JPEG_END], ids=["no_end_marker", "end_marker"])
def test_jpeg_whose_last_scan_ends_at_a_marker_no_segment_after_the_scans_has_is_not_decoded(
    tmp_path: Path, progressive: bool, code: int, end: bytes
) -> None:
    # A reserved code, a frame header or a JPGn where a comment or an APPn would follow the scans
    # is damage that made a marker (libjpeg's reader stops at it: "Unsupported marker"), here with
    # a length past the file's end: a fuzzed file of garbled coded data so ended was labelled ok,
    # cut there and given its end marker back.
    body = photo(progressive)
    path = tmp_path / "damaged.jpg"
    path.write_bytes(body + bytes([0xFF, code, 0xF0, 0x5F]) + bytes(range(1, 40)) + end)
    assert failure_of(path).status == "decode_error"


@BOTH
@pytest.mark.parametrize("fill", [1, 3], ids=["one_fill_byte", "three_fill_bytes"])
def test_jpeg_whose_last_scan_is_padded_with_fill_bytes_before_a_cut_segment_decodes_whole(
    tmp_path: Path, progressive: bool, fill: int
) -> None:
    # 0xFF fill bytes may precede any marker (JPEG's B.1.1.2): the segment's code follows them,
    # where the check of a segment after the scans took the first fill byte for that code.
    body = photo(progressive)
    padded = body + b"\xff" * fill + COMMENT
    assert_decodes_whole(tmp_path / "cut.jpg", padded[: len(body) + fill + 40], padded + JPEG_END)
