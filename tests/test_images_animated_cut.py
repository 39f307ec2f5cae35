"""decode_image on an animated WebP cut short after its first frame: labelled from that frame,
as a GIF, an APNG or an MPO cut the same way is."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from tests.corpus import blocky_rgb, frame_chunks
from zsl_cli.images import DecodeError, decode_image

pytestmark = pytest.mark.skipif(not features.check("webp"), reason="this Pillow has no WebP")


def animated_webp(alpha: bool, lossless: bool) -> bytes:
    frames = []
    for seed in range(3):
        pixels = blocky_rgb(48, 40, seed)
        if alpha:  # a see-through border: the first frame's canvas shows white there
            rgba = np.dstack([pixels, np.full(pixels.shape[:2], 255, np.uint8)])
            rgba[:6, :, 3] = 0
            frames.append(Image.fromarray(rgba))
        else:
            frames.append(Image.fromarray(pixels))
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "WEBP", save_all=True, append_images=frames[1:], lossless=lossless, quality=90
    )
    return buffer.getvalue()


@pytest.mark.parametrize(("alpha", "lossless"), [(False, True), (True, True), (True, False)])
def test_an_animated_webp_cut_after_its_first_frame_shows_that_frame(
    tmp_path: Path, alpha: bool, lossless: bool
) -> None:
    # libwebp's animation decoder refuses any file cut short: it was truncated, where a GIF,
    # an APNG or an MPO cut in a later frame is labelled from its first.
    data = animated_webp(alpha, lossless)
    frames = frame_chunks(data)
    assert len(frames) == 3
    if alpha and not lossless:  # libwebp left the see-through rows out of the first frame
        top = int.from_bytes(data[frames[0][0] + 11 : frames[0][0] + 14], "little") * 2
        assert top == 6
    (tmp_path / "whole.webp").write_bytes(data)
    first = np.asarray(decode_image(tmp_path / "whole.webp"))
    if alpha and lossless:
        assert (first[:6] == 255).all()  # the see-through rows, on white
    for cut in (frames[1][0], frames[1][0] + 20, frames[2][0] + 30, len(data) - 200):
        (tmp_path / "cut.webp").write_bytes(data[:cut])
        assert np.array_equal(np.asarray(decode_image(tmp_path / "cut.webp")), first), cut


def test_an_animated_webp_cut_inside_its_first_frame_is_truncated(tmp_path: Path) -> None:
    data = animated_webp(alpha=False, lossless=True)
    start, end = frame_chunks(data)[0]
    for cut in (start + 4, (start + end) // 2, end - 1):
        (tmp_path / "cut.webp").write_bytes(data[:cut])
        with pytest.raises(DecodeError) as caught:
            decode_image(tmp_path / "cut.webp")
        assert caught.value.status == "truncated", cut
