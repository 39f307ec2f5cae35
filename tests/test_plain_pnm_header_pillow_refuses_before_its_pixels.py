"""decode_image on a plain (text) PNM whose header Pillow refuses (a largest value of 65536 or
more, a side of 0) and whose pixels hold over 100 comments: refused for its header, as Pillow
refuses it before reading a pixel, not for comments among pixels it never reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import failure_of

COMMENTS = b"# a comment\n" * 150


@pytest.mark.parametrize(
    "header",
    [b"P2\n2 1\n65536\n", b"P2\n2 1\n70000\n", b"P2\n0 1\n255\n", b"P3\n2 0\n255\n"],
    ids=["largest-65536", "largest-70000", "no-width", "no-height"],
)
def test_plain_pnm_of_a_header_pillow_refuses_is_no_image(tmp_path: Path, header: bytes) -> None:
    path = tmp_path / "refused.pnm"
    path.write_bytes(header + COMMENTS + b"1 2 3\n")
    error = failure_of(path)
    assert error.status == "not_an_image", error.reason
    assert "comments" not in error.reason


def test_plain_pgm_of_a_header_pillow_reads_is_refused_for_its_comments(tmp_path: Path) -> None:
    # The same file with a largest value just under the limit: its comments are read, and
    # refused, as the format allows none among the pixels.
    path = tmp_path / "commented.pgm"
    path.write_bytes(b"P2\n2 1\n65535\n" + COMMENTS + b"1 2\n")
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "over 100 comments among the pixels of a plain PGM" in error.reason
