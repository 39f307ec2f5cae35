"""A JPEG's scans are walked a block (1 MB) at a time: a scan header the block's end splits is
read whole all the same. It was taken for one not read, and a progressive JPEG that lacked
only its end marker, with a header there, was called truncated instead of decoded whole; and
its later scans, missing, went unseen."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded
from tests.helpers import failure_of, scan_markers
from zsl_cli.image_damage import JPEG_END
from zsl_cli.image_damage import jpeg as jpeg_checks
from zsl_cli.images import decode_image


@pytest.fixture(scope="module")
def split_header() -> tuple[bytes, int, bytes, int]:
    """A progressive JPEG over 1 MB whose scan header (after its marker and length) the end of
    the first block read from its frame marker splits, by a comment put before that scan, and
    where that scan starts; and the same file with no comment, and where that scan starts."""
    noise = np.random.default_rng(21).integers(0, 256, (1100, 1100, 3), dtype=np.uint8)
    whole = encoded(Image.fromarray(noise), "JPEG", progressive=True, quality=95)
    frame = jpeg_checks.jpeg_frame(io.BytesIO(whole))
    assert frame is not None
    # The marker and its length are the block's last 4 bytes, the rest of the header after it.
    split_at = frame[1] + jpeg_checks._SCAN_BLOCK - 4
    scan = max(at for at in scan_markers(whole) if split_at - 60_000 < at < split_at)
    pad = split_at - scan
    comment = b"\xff\xfe" + (pad - 2).to_bytes(2, "big") + b"c" * (pad - 4)
    padded = whole[:scan] + comment + whole[scan:]
    assert padded.index(b"\xff\xda", split_at - 10) == split_at
    return padded, split_at, whole, scan


def test_jpeg_lacking_only_its_end_marker_decodes_whole_with_a_header_split(
    tmp_path: Path, split_header: tuple[bytes, int, bytes, int]
) -> None:
    padded = split_header[0]
    assert padded.endswith(JPEG_END)
    path = tmp_path / "no_end_marker.jpg"
    path.write_bytes(padded[:-2])
    with Image.open(io.BytesIO(padded)) as image:
        expected = np.asarray(image.convert("RGB"))
    assert np.array_equal(np.asarray(decode_image(path)), expected)


def test_jpeg_whose_later_scans_are_missing_is_refused_with_a_header_split(
    tmp_path: Path, split_header: tuple[bytes, int, bytes, int]
) -> None:
    # Cut inside the scan whose header is split, given an end marker back: the scan after it,
    # which its progression needs, is missing, as in the same file with no header split.
    padded, split_at, plain, scan = split_header
    assert len(scan_markers(plain)) > scan_markers(plain).index(scan) + 1
    for data, start, name in ((padded, split_at, "padded"), (plain, scan, "plain")):
        cut = start + 5000
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(data[:cut] + JPEG_END)
        failure = failure_of(path)
        assert failure.status == "decode_error", name
        assert "later scans its progression needs are missing" in failure.reason, name
