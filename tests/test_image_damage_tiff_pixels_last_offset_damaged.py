"""tiff_damage on a TIFF written with its pixels last (as Pillow writes one uncompressed) whose
strip offset was damaged to point past the end: the file ends with a run of the strip's length
that no part covers, padding before it or not, and that tells damage inside (placed past its
end), not a cut; a run longer than the strip and its padding tells nothing."""

from __future__ import annotations

import io
import struct

import pytest

from zsl_cli.image_damage.tiff import CUT, PLACED_PAST_END, tiff_damage


def _tiff_with_its_strip_offset_past_the_end(padding: int) -> bytes:
    strip = bytes(range(100))
    entries = [
        (256, 3, 1, 10),
        (257, 3, 1, 10),
        (258, 3, 1, 8),
        (273, 4, 1, 50_000),  # the strip's offset, damaged: it lies after the directory
        (279, 4, 1, len(strip)),
    ]
    table = struct.pack("<H", len(entries))
    table += b"".join(struct.pack("<HHII", *entry) for entry in entries) + bytes(4)
    return b"II" + struct.pack("<HI", 42, 8) + table + b"\0" * padding + strip


@pytest.mark.parametrize("padding", [0, 1, 8])
def test_a_strip_offset_past_the_end_of_a_file_ending_with_its_run_is_damage(
    padding: int,
) -> None:
    data = _tiff_with_its_strip_offset_past_the_end(padding)
    assert tiff_damage(io.BytesIO(data), len(data)) == PLACED_PAST_END


def test_a_run_longer_than_the_strip_and_its_padding_tells_no_damage() -> None:
    data = _tiff_with_its_strip_offset_past_the_end(9)
    assert tiff_damage(io.BytesIO(data), len(data)) == CUT
