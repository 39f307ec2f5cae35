"""jpeg_with_end_marker leaves the file at its start whatever it returns, as the other JPEG
checks do: where it gives no file back (no frame it reads, a frame of another coding), the
caller's next read starts from byte 0, not from where the frame search stopped."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.corpus import encoded, smooth_rgb
from zsl_cli.image_damage import JPEG_END, jpeg_frame, jpeg_with_end_marker


def cut_jpeg(**settings: object) -> bytes:
    """A whole JPEG of a photo, less its end marker."""
    data = encoded(Image.fromarray(smooth_rgb(64, 48, seed=5)), "JPEG", **settings)
    assert data.endswith(JPEG_END)
    return data[:-2]


def with_frame_code(data: bytes, code: int) -> bytes:
    """`data` with its frame marker's code replaced by `code` (another coding)."""
    frame = jpeg_frame(io.BytesIO(data))
    assert frame is not None
    return data[: frame[1] + 1] + bytes([code]) + data[frame[1] + 2 :]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(with_frame_code(cut_jpeg(), 0xC9), id="arithmetic_frame"),
        pytest.param(with_frame_code(cut_jpeg(), 0xC3), id="lossless_frame"),
        pytest.param(
            b"\xff\xd8" + b"\xff\xfe\x00\x10 no frame here " + b"\x00" * 50, id="no_frame"
        ),
        pytest.param(encoded(Image.new("RGB", (8, 8)), "PNG"), id="not_a_jpeg"),
    ],
)
def test_a_file_given_no_end_marker_is_left_at_its_start(data: bytes) -> None:
    file = io.BytesIO(data)
    assert jpeg_with_end_marker(file, len(data)) is None
    assert file.tell() == 0
    assert file.read(4) == data[:4]


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_a_file_given_its_end_marker_back_is_left_at_its_start(progressive: bool) -> None:
    data = cut_jpeg(progressive=progressive)
    file = io.BytesIO(data)
    assert jpeg_with_end_marker(file, len(data)) == data + JPEG_END
    assert file.tell() == 0


def test_a_file_with_later_scans_missing_is_left_at_its_start() -> None:
    # Cut inside a progressive JPEG's second scan: its first scan codes the DC bits alone.
    whole = cut_jpeg(progressive=True)
    second_scan = whole.index(b"\xff\xda", whole.index(b"\xff\xda") + 2)
    data = whole[: second_scan + 40]
    file = io.BytesIO(data)
    assert jpeg_with_end_marker(file, len(data)) is None
    assert file.tell() == 0
