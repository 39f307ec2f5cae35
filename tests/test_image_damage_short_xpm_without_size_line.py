"""check_xpm leaves an XPM without a size line that ends within 64 KB to Pillow, which refuses
it and says why; only one whose first 64 KB hold none is refused unread."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from zsl_cli.image_damage import DecodeError
from zsl_cli.image_damage.pnm import check_xpm
from zsl_cli.images import decode_image

SHORT = b"/* XPM */\nstatic char *x[] = {\n};\n"


def test_a_short_xpm_without_a_size_line_is_left_to_pillow() -> None:
    check_xpm(io.BytesIO(SHORT))


def test_a_short_xpm_without_a_size_line_is_no_image_in_pillows_words(tmp_path: Path) -> None:
    path = tmp_path / "x.xpm"
    path.write_bytes(SHORT)
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "not_an_image"
    assert "no size line in its first" not in caught.value.reason, caught.value.reason


def test_an_xpm_whose_first_64_kb_hold_no_size_line_is_refused_unread() -> None:
    with pytest.raises(DecodeError) as caught:
        check_xpm(io.BytesIO(SHORT + b"\n" * 70_000))
    assert caught.value.status == "not_an_image"
