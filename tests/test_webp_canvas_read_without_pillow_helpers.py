"""A WebP's canvas size, which bounds what a decode may read of it, is read by zsl itself from
the file's first chunk (Pillow 12, the one Python 3.10 gets, has no private reader of it that
zsl could call), the size Pillow opens it at."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from zsl_cli import image_formats

pytestmark = pytest.mark.skipif(not features.check("webp"), reason="Pillow without WebP")

# Lossy (VP8), lossless (VP8L) and with alpha (VP8X), at odd sides.
_KINDS = {
    "lossy": ("RGB", {"quality": 80}),
    "lossless": ("RGB", {"lossless": True}),
    "alpha": ("RGBA", {"quality": 80}),
}


def _webp(path: Path, kind: str, size: tuple[int, int]) -> Path:
    mode, options = _KINDS[kind]
    rng = np.random.default_rng(len(kind))
    pixels = rng.integers(0, 256, (size[1], size[0], len(mode)), dtype=np.uint8)
    if mode == "RGBA":
        pixels[..., 3] = 128
    Image.fromarray(pixels, mode).save(path, "WEBP", **options)
    return path


@pytest.mark.parametrize("kind", sorted(_KINDS))
@pytest.mark.parametrize("size", [(37, 21), (1, 1), (1030, 3)])
def test_the_canvas_is_the_size_pillow_opens(
    tmp_path: Path, kind: str, size: tuple[int, int]
) -> None:
    path = _webp(tmp_path / f"{kind}.webp", kind, size)
    with Image.open(path) as opened:
        assert opened.size == size
    assert image_formats._webp_canvas(path.read_bytes()[:30]) == size
