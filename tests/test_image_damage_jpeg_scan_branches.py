"""The progressive-scan JPEG checks on files damaged where they had not been tried: a scan
header that holds what none can (more components than it has room for, coefficients past 63
or in reverse order, a component the frame lacks), where the checks give no verdict and
libjpeg refuses the file; a progressive JPEG whose corner is flat grey, cut inside its last
scan and given an end marker back; a frame header cut off by the file's end; and a file cut
inside a comment after its last scan."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded
from tests.helpers import failure_of, scan_markers
from zsl_cli.image_damage import JPEG_END, check_jpeg_scans, jpeg_frame, jpeg_with_end_marker
from zsl_cli.images import decode_image

RANDOM = np.random.default_rng(31)
NOISE = Image.fromarray(RANDOM.integers(0, 256, (48, 64, 3), dtype=np.uint8))


def with_scan_header_bytes(changes: dict[int, int]) -> bytes:
    """A grey progressive JPEG whose second scan's header (from its component count on, after
    the marker and length) has the bytes at these places changed."""
    data = bytearray(encoded(NOISE.convert("L"), "JPEG", progressive=True))
    header = scan_markers(bytes(data))[1] + 4
    assert data[header] == 1  # one component: its selector and tables, then Ss, Se, Ah/Al
    for at, value in changes.items():
        data[header + at] = value
    return bytes(data)


@pytest.mark.parametrize(
    "changes",
    [{0: 4}, {4: 70}, {3: 63, 4: 5}, {1: 9}],
    ids=["more_components_than_room", "coefficient_past_63", "bands_reversed", "no_such_component"],
)
def test_progressive_jpeg_with_an_impossible_scan_header_is_a_decode_error(
    tmp_path: Path, changes: dict[int, int]
) -> None:
    data = with_scan_header_bytes(changes)
    path = tmp_path / "scan_header.jpg"
    path.write_bytes(data)
    failure = failure_of(path)
    assert failure.status == "decode_error"
    # The scan checks give no verdict on a header no scan can have: libjpeg refuses it.
    assert "scans its progression needs" not in failure.reason
    assert not check_jpeg_scans(io.BytesIO(data), jpeg_frame(io.BytesIO(data)))


def grey_cornered_progressive() -> bytes:
    pixels = RANDOM.integers(0, 256, (64, 96, 3), dtype=np.uint8)
    pixels[32:, 48:] = 128  # the grey of blocks of zero coefficients, where the image ends
    return encoded(Image.fromarray(pixels), "JPEG", progressive=True, quality=90)


@pytest.mark.parametrize("part", [0.3, 0.8])
def test_progressive_jpeg_cut_in_its_last_scan_given_an_end_marker_is_a_decode_error(
    tmp_path: Path, part: float
) -> None:
    # Every scan's header is there, so no coefficient bit is left uncoded by the headers; the
    # last block is grey, and bytes put where the data ran out change the pixels.
    whole = grey_cornered_progressive()
    last = scan_markers(whole)[-1]
    cut = last + int((len(whole) - last) * part)
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[:cut] + JPEG_END)
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "its data runs out in its last scan" in failure.reason
    path.write_bytes(whole)
    decode_image(path)


def test_jpeg_whose_frame_header_the_file_cuts_gets_no_verdict() -> None:
    # Pillow opens no such file, but the checks are handed any bytes: no verdict, no error.
    whole = encoded(NOISE, "JPEG", progressive=True)
    frame = jpeg_frame(io.BytesIO(whole))
    assert frame is not None
    for end in (frame[1] + 6, frame[1] + 12):  # inside its size; inside its components
        data = whole[:end]
        file = io.BytesIO(data)
        assert not check_jpeg_scans(file, jpeg_frame(file))
        assert jpeg_with_end_marker(file, len(data)) is None
        assert file.tell() == 0


def comment_after_last_scan(progressive: bool) -> bytes:
    whole = encoded(NOISE, "JPEG", progressive=progressive, quality=90)
    return whole[:-2] + b"\xff\xfe\x00\x40" + b"c" * 62 + JPEG_END


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_cut_inside_a_comment_after_its_last_scan_decodes_whole(
    tmp_path: Path, progressive: bool
) -> None:
    # Its scans gave every pixel before the comment: the end marker goes back where the last
    # scan ends, not inside the comment, progressive or not.
    whole = comment_after_last_scan(progressive=progressive)
    path = tmp_path / "comment.jpg"
    path.write_bytes(whole[:-30])
    with Image.open(io.BytesIO(whole)) as image:
        expected = np.asarray(image.convert("RGB"))
    assert np.array_equal(np.asarray(decode_image(path)), expected)
