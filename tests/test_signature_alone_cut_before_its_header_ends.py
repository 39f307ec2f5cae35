"""decode_image on a file that holds a GIF's whole signature: cut short where it ends before its
screen descriptor does (13 bytes), though "GIF89a" reads as text; a file of 13 bytes or more
holds that descriptor, so one whose bytes there read as text is told no image."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import failure_of


def test_gif_signature_ending_a_byte_before_its_screen_descriptor_is_truncated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cut.gif"
    path.write_bytes(b"GIF89a is fu")  # 12 bytes
    error = failure_of(path)
    assert error.status == "truncated", error.reason
    assert "data ends after 12 bytes" in error.reason


def test_thirteen_bytes_of_text_after_a_gif_signature_are_no_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.gif"
    path.write_bytes(b"GIF89a notes\n")  # 13 bytes: as long as the signature and descriptor
    error = failure_of(path)
    assert error.status == "not_an_image", error.reason
