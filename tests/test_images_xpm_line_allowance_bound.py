"""decode_image on XPMs at the bound of the lines they may hold: the read budget's free reads,
a line a pixel row and one a colour it may use, after the size line; one more is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.helpers import failure_of
from zsl_cli.image_formats import ReadBudget
from zsl_cli.images import decode_image


def _xpm(rows: list[bytes], colours: list[bytes], blank_lines: int) -> bytes:
    """A 2x2 XPM, one character a pixel, with `blank_lines` between its two pixel rows."""
    head = b"/* XPM */\nstatic char *image[] = {\n"
    quoted = [b'"' + line + b'",\n' for line in [b"2 2 2 1", *colours]]
    pixels = (b"\n" * blank_lines).join(b'"' + row + b'",\n' for row in rows)
    return head + b"".join(quoted) + pixels + b"};\n"


def test_xpm_of_just_the_lines_allowed_decodes_and_of_one_more_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ReadBudget, "FREE_READS", 10)
    colours = [b"a c #FF0000", b"b c #0000FF"]
    rows = [b"ab", b"ba"]
    # After the size line: its own end, 2 colours, 2 rows, the blank lines and "};": 6 and
    # the blank lines, against 10 free reads, 2 rows and 2 colours: 14.
    path = tmp_path / "image.xpm"
    path.write_bytes(_xpm(rows, colours, blank_lines=8))
    red, blue = [255, 0, 0], [0, 0, 255]
    assert np.asarray(decode_image(path)).tolist() == [[red, blue], [blue, red]]
    path.write_bytes(_xpm(rows, colours, blank_lines=9))
    error = failure_of(path)
    assert (error.status, "hold no pixel" in error.reason) == ("decode_error", True)
