"""An animated WebP cut short after its first frame, whose chunks before that frame include one
of odd length (an ICC profile), padded to an even one: the first frame is found past the pad
byte and shown, as Pillow shows it from the whole file."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from tests.corpus import blocky_rgb, frame_chunks
from zsl_cli.images import decode_image

pytestmark = pytest.mark.skipif(not features.check("webp"), reason="this Pillow has no WebP")


def test_an_animated_webp_with_an_odd_length_profile_cut_after_its_first_frame(
    tmp_path: Path,
) -> None:
    frames = [Image.fromarray(blocky_rgb(32, 24, seed)) for seed in range(3)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        "WEBP",
        save_all=True,
        append_images=frames[1:],
        lossless=True,
        icc_profile=b"p" * 101,
    )
    data = buffer.getvalue()
    assert b"ICCP" + (101).to_bytes(4, "little") in data
    with Image.open(io.BytesIO(data)) as whole:
        first = np.asarray(whole.convert("RGB"))
    np.testing.assert_array_equal(first, np.asarray(frames[0]))  # lossless
    (tmp_path / "cut.webp").write_bytes(data[: frame_chunks(data)[1][0]])
    np.testing.assert_array_equal(np.asarray(decode_image(tmp_path / "cut.webp")), first)
