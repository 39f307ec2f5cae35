"""ImagePreparation checks the resize from the sizes an image has whole: before decoding, its
stored size; after, its shown full size (FULL_SIZE_INFO), never the smaller size a draft decoded
it at. The sizes expected are those the test wrote, turned by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from tests.corpus import blocky_rgb
from zsl_cli.images import DecodeOptions, ImagePreparation


class _Recording:
    """A preprocessor that notes each size its resize is checked for."""

    def __init__(self) -> None:
        self.checked: list[tuple[int, int]] = []

    def resized_pixels(self, width: int, height: int) -> int:
        self.checked.append((width, height))
        return width * height

    def __call__(self, image: Image.Image) -> np.ndarray:
        return np.asarray(image)

    def set_up_process(self) -> None:
        pass


def test_a_drafted_turned_jpeg_is_checked_at_its_full_sizes(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned a quarter: 480x640
    Image.fromarray(blocky_rgb(640, 480, seed=1)).save(path, quality=90, exif=exif.tobytes())
    recording = _Recording()
    pixels = ImagePreparation(DecodeOptions(draft=(80, 80)), recording, 10**9)(path)
    assert pixels.shape == (640 // 4, 480 // 4, 3)  # decoded at 1/4 scale, turned
    assert recording.checked == [(640, 480), (480, 640)]
