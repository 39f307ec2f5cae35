"""A 256-colour PCX whose pixels' codes are just 769 bytes, the first a pixel's 12, cut where its
palette starts: Pillow takes that 12 for the palette's marker (769 bytes before the end) and the
pixels for the palette; the file is truncated, its pixels ending at its end, not at that 12."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.image_damage import DecodeError
from zsl_cli.images import decode_image


def _pixels() -> np.ndarray:
    """40x20 indices below 0xC0, none like the one before it (a code each) but a run of 32 and
    one of 3 (a code of 2 bytes each): 800 pixels in 769 bytes of codes, the first a 12."""
    steps = np.random.default_rng(7).integers(1, 0xC0, (20, 40))
    pixels = (np.cumsum(steps, axis=1) % 0xC0).astype(np.uint8)
    pixels[0, 0] = 12
    pixels[0, 1] = 13
    pixels[5, 2:34] = 77
    pixels[9, 10:13] = 88
    return pixels


def test_a_pcx_cut_at_its_palette_whose_first_pixel_12_takes_the_markers_place_is_truncated(
    tmp_path: Path,
) -> None:
    image = Image.fromarray(_pixels(), "P")
    image.putpalette([v % 256 for v in range(768)])
    buffer = io.BytesIO()
    image.save(buffer, "PCX")
    data = buffer.getvalue()
    assert len(data) == 128 + 769 + 769 and data[128] == 12
    path = tmp_path / "cut.pcx"
    path.write_bytes(data[: 128 + 769])
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "truncated", caught.value.reason
    assert "where its palette should start" in caught.value.reason
