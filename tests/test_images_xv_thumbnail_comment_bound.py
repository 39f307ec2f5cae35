"""check_xv_thumbnail where the 64 KB it reads ends inside the line after the comments: the
lines read whole are all comments, so the header runs past the bound and is not read."""

from __future__ import annotations

import io

import pytest

from zsl_cli.image_damage import check_xv_thumbnail
from zsl_cli.image_status import DecodeError

_LIMIT = 64 * 1024


def _xv_thumbnail(comment_bytes: int) -> bytes:
    comments = b""
    while len(comments) < comment_bytes:
        comments += b"#" + b"x" * 99 + b"\n"
    return b"P7 332\n" + comments[:comment_bytes] + b"\n48 40 255\n" + bytes(48 * 40)


def test_xv_thumbnail_whose_comments_end_just_before_the_bound_is_not_read() -> None:
    data = _xv_thumbnail(_LIMIT - 7 - 5)  # the size line starts 4 bytes before the bound
    assert data[_LIMIT - 4 : _LIMIT] == b"48 4"
    with pytest.raises(DecodeError) as raised:
        check_xv_thumbnail(io.BytesIO(data))
    assert raised.value.status == "not_an_image"
    assert "64 KB of comments" in raised.value.reason


def test_xv_thumbnail_whose_size_line_is_read_whole_is_left_to_pillow() -> None:
    data = _xv_thumbnail(_LIMIT - 7 - 20)
    file = io.BytesIO(data)
    check_xv_thumbnail(file)
    assert file.tell() == 0
