"""A progressive colour JPEG cut inside one of its last refinement scans and given its end marker
back: some components' coefficients are then coded to their last bit and others' are not (none
is left wholly uncoded), which is still a cut, not a whole file."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded
from tests.helpers import failure_of, scan_markers


@pytest.mark.parametrize("scan", [8, 9])
def test_progressive_jpeg_cut_inside_a_refinement_scan_is_a_decode_error(
    tmp_path: Path, scan: int
) -> None:
    pixels = np.random.default_rng(4).integers(0, 256, (192, 256, 3), dtype=np.uint8)
    jpeg = encoded(Image.fromarray(pixels), "JPEG", quality=90, progressive=True)
    # libjpeg's colour script: scan 7 refines every component's DC to its last bit, scans 8
    # to 10 refine Cr's, Cb's and Y's AC coefficients to theirs.
    starts = scan_markers(jpeg)
    assert len(starts) == 10
    cut = (starts[scan - 1] + starts[scan]) // 2
    damaged = jpeg[:cut] + b"\xff\xd9"
    with Image.open(io.BytesIO(damaged)) as image:  # what Pillow alone makes of it: no error
        image.load()
    path = tmp_path / "cut.jpg"
    path.write_bytes(damaged)
    failure = failure_of(path)
    assert failure.status == "decode_error"
    assert "later scans its progression needs are missing" in failure.reason
