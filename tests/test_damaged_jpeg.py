"""The JPEG checks around decode_image where the file cannot be read on (an I/O error on a flaky
disk or network share): no verdict of theirs, and the file left at its start for the decode,
which meets the error itself; and decode_image on a large JPEG cut and given its end marker
back."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.corpus import blocky_rgb
from tests.helpers import FailingAfter
from zsl_cli.image_damage import (
    check_jpeg_data_ran_out,
    check_jpeg_restarts,
    check_jpeg_scans,
    jpeg_frame,
    jpeg_with_end_marker,
)
from zsl_cli.image_damage.jpeg import jpeg_header_end
from zsl_cli.images import DecodeError, decode_image


def jpeg_bytes(**settings: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(48, 32, seed=2)).save(buffer, "JPEG", **settings)
    return buffer.getvalue()


PROGRESSIVE = jpeg_bytes(progressive=True)
RESTARTS = jpeg_bytes(restart_marker_blocks=2)
IMAGE = Image.open(io.BytesIO(PROGRESSIVE))
IMAGE.load()


def frame_of(data: bytes) -> tuple[bytes, int]:
    frame = jpeg_frame(io.BytesIO(data))
    assert frame is not None
    return frame


CHECKS: dict[str, tuple[bytes, Callable[[io.BytesIO], object]]] = {
    "jpeg_frame": (PROGRESSIVE, jpeg_frame),
    "jpeg_header_end": (PROGRESSIVE, jpeg_header_end),
    "check_jpeg_scans": (PROGRESSIVE, lambda f: check_jpeg_scans(f, frame_of(PROGRESSIVE))),
    "jpeg_with_end_marker": (
        PROGRESSIVE[:-2],
        lambda f: jpeg_with_end_marker(f, len(PROGRESSIVE) - 2),
    ),
    "check_jpeg_restarts": (RESTARTS, lambda f: check_jpeg_restarts(f, frame_of(RESTARTS))),
    "check_jpeg_data_ran_out": (
        PROGRESSIVE,
        lambda f: check_jpeg_data_ran_out(IMAGE, f, frame_of(PROGRESSIVE), None, uncoded=True),
    ),
}


@pytest.mark.parametrize("name", CHECKS)
def test_jpeg_checks_give_no_verdict_where_a_read_fails(name: str) -> None:
    # Whichever read fails: none of the reads a whole run makes may be left out of its verdict.
    data, check = CHECKS[name]
    whole = FailingAfter(data, 10**6)
    verdict = check(whole)
    assert verdict or name.startswith("check_"), name  # the finders find, whole
    for reads in range(10**6 - whole.reads):
        file = FailingAfter(data, reads)
        assert not check(file), reads
        assert file.tell() == 0 or not name.startswith("check_"), reads  # for the decode


@pytest.mark.parametrize("progressive", [False, True], ids=["sequential", "progressive"])
def test_large_jpeg_cut_and_given_its_end_marker_back_is_a_decode_error(
    tmp_path: Path, progressive: bool
) -> None:
    # Over 4 MB of pixels: the decode with bytes put where its data ran out is compared with
    # the first a band of rows at a time.
    buffer = io.BytesIO()
    Image.fromarray(blocky_rgb(1600, 1200, seed=9)).save(
        buffer, "JPEG", quality=90, progressive=progressive
    )
    data = buffer.getvalue()
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    assert decode_image(path).size == (1600, 1200)
    path.write_bytes(data[: len(data) * 3 // 5] + b"\xff\xd9")
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "decode_error"
    assert "yet its JPEG end marker follows" in caught.value.reason
