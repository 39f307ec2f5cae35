"""decode_image on a JPEG whose restart marker lies across the end of a block the restart check
reads (1 MB of a scan's coded data): fill bytes before it end the block, its code starts the
next. It is found all the same, so the markers after it are in turn and the file decodes."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PIL import Image

from tests.corpus import encoded
from zsl_cli.images import decode_image

_BLOCK = 1024 * 1024


def test_jpeg_whose_restart_marker_is_split_by_a_read_block_decodes(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    noise = Image.fromarray(rng.integers(0, 256, (1400, 1400, 3), np.uint8))
    data = encoded(noise, "JPEG", quality=95, restart_marker_blocks=1)
    scan = data.index(b"\xff\xda")
    start = scan + 2 + int.from_bytes(data[scan + 2 : scan + 4], "big")
    assert len(data) > start + _BLOCK + 1000
    boundary = start + _BLOCK - 1  # where the block's last byte lies
    marker = [m.start() for m in re.finditer(rb"\xff[\xd0-\xd7]", data) if m.start() < boundary][-1]
    # Fill bytes (0xFF) before a marker, which libjpeg skips: the last at the block's end.
    split = data[:marker] + b"\xff" * (boundary - marker) + data[marker:]
    assert split[boundary] == 0xFF and 0xD0 <= split[boundary + 1] <= 0xD7
    path = tmp_path / "photo.jpg"
    path.write_bytes(split)
    with Image.open(path) as whole:
        expected = np.asarray(whole.convert("RGB"))
    assert np.array_equal(np.asarray(decode_image(path)), expected)
