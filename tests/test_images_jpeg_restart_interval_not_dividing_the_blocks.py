"""decode_image on a JPEG whose restart interval does not divide its MCUs (its last interval
shorter), cut at its last restart marker: its last scan lacks that marker, which its blocks take
(one after each interval but the last, rounded up), so it is truncated, progressive or not,
subsampled 4:2:0 or (sequential) 4:2:2."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.image_damage import DecodeError
from zsl_cli.images import decode_image


@pytest.mark.parametrize(("progressive", "subsampling"), [(False, 2), (True, 2), (False, 1)])
def test_a_jpeg_cut_at_its_last_restart_marker_is_truncated(
    tmp_path: Path, progressive: bool, subsampling: int
) -> None:
    pixels = np.random.default_rng(3).integers(0, 256, (203, 301, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(
        buffer,
        "JPEG",
        quality=90,
        progressive=progressive,
        subsampling=subsampling,
        restart_marker_blocks=2,  # 4:2:0: 19 x 13 = 247 MCUs; 4:2:2: 19 x 26 = 494 (luma 38 x 26)
    )
    data = buffer.getvalue()
    restarts = [
        at for at in range(len(data) - 1) if data[at] == 0xFF and 0xD0 <= data[at + 1] <= 0xD7
    ]
    assert len(restarts) > 3
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: restarts[-1]])
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "truncated", caught.value.reason
