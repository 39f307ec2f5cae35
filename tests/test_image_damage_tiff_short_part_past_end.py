"""tiff_damage takes a run of bytes no part covers for where a part placed past the end was only
for parts longer than padding: a value of 8 bytes (a resolution) placed past the end of a file
that ends after its directory with a few bytes more is cut, however many bytes lie unlisted
elsewhere in it (8 here, as long as that value)."""

from __future__ import annotations

import io
import struct

from zsl_cli.image_damage.tiff import CUT, PLACED_PAST_END, tiff_damage


def _tiff(tail: bytes) -> bytes:
    """A 10x10 grey TIFF: its one strip, 8 bytes no tag lists, its directory (whose XResolution,
    a RATIONAL, lies past the end), then `tail`."""
    strip = bytes(range(100))
    unlisted = b"\xaa" * 8
    directory = 8 + len(strip) + len(unlisted)
    entries = [
        (256, 3, 1, 10),
        (257, 3, 1, 10),
        (258, 3, 1, 8),
        (273, 4, 1, 8),  # the strip, after the header
        (279, 4, 1, len(strip)),
        (282, 5, 1, 10_000),  # XResolution, past the end
    ]
    table = struct.pack("<H", len(entries))
    table += b"".join(struct.pack("<HHII", *entry) for entry in entries) + bytes(4)
    return b"II" + struct.pack("<HI", 42, directory) + strip + unlisted + table + tail


def test_a_short_value_past_the_end_with_bytes_after_the_directory_is_cut() -> None:
    data = _tiff(b"\x01\x02\x03")
    assert tiff_damage(io.BytesIO(data), len(data)) == CUT


def test_the_same_file_ending_with_its_directory_is_placed_past_its_end() -> None:
    data = _tiff(b"")
    assert tiff_damage(io.BytesIO(data), len(data)) == PLACED_PAST_END
