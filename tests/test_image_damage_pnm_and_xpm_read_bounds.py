"""The text-header checks of image_damage at their bounds: an XPM whose first 64 KB hold just the
lines allowed is read on, and refused for a line more after them; a raw PBM (P4) header has two
numbers, so pixel bytes that read as whitespace are no header running on."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.image_damage import DecodeError
from zsl_cli.image_damage.pnm import check_pnm, check_xpm
from zsl_cli.image_formats import ReadBudget
from zsl_cli.images import decode_image

HEAD = 64 * 1024  # what check_xpm reads first


def _xpm_with_lines_allowed_in_its_head(more: int) -> bytes:
    """An XPM header of a 2x2 image of 2 colours whose size line 14 line ends follow within its
    first 64 KB (10 free reads, 2 rows, 2 colours: all allowed), then `more` after them."""
    start = b'/* XPM */\nstatic char *x[] = {\n"2 2 2 1",' + b"\n" * 14
    return start + b" " * (HEAD - len(start)) + b"\n" * more


@pytest.mark.parametrize(("more", "refused"), [(0, False), (2, True)])
def test_an_xpm_with_the_lines_allowed_in_its_head_is_read_on(
    monkeypatch: pytest.MonkeyPatch, more: int, refused: bool
) -> None:
    monkeypatch.setattr(ReadBudget, "FREE_READS", 10)
    data = _xpm_with_lines_allowed_in_its_head(more)
    if refused:
        with pytest.raises(DecodeError):
            check_xpm(io.BytesIO(data))
    else:
        check_xpm(io.BytesIO(data))


def test_a_raw_pbm_whose_pixel_bytes_read_as_spaces_is_decoded(tmp_path: Path) -> None:
    # 512 pixels a row are 64 bytes: 0x20 is a row of 8 pixels, the third black.
    width, height = 512, 1100
    data = b"P4\n%d %d\n" % (width, height) + b" " * (width // 8 * height)
    check_pnm(io.BytesIO(data))
    path = tmp_path / "spaces.pbm"
    path.write_bytes(data)
    pixels = np.asarray(decode_image(path).convert("L"))
    assert pixels.shape == (height, width)
    assert (pixels[:, 2::8] == 0).all() and (pixels[:, 3::8] == 255).all()
