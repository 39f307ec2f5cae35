"""PatchedFile: a read anywhere in a file gives its bytes with the patches that reach into the
read, and only those, in place; including a patch that starts before the read or ends after."""

from __future__ import annotations

import io

import pytest

from zsl_cli.image_damage import PatchedFile

DATA = bytes(range(48, 48 + 40))  # "0123456789:;<=>?@ABC..."
PATCHES = {4: b"wxyz", 20: b"PQ", 30: b"abcdefgh"}


def patched_by_hand(start: int, size: int) -> bytes:
    data = bytearray(DATA)
    for at, replacement in PATCHES.items():
        data[at : at + len(replacement)] = replacement
    return bytes(data[start : start + size])


@pytest.mark.parametrize(
    ("start", "size"),
    [
        (0, 40),  # all of it
        (5, 2),  # inside a patch, past its first byte
        (7, 3),  # a patch's last byte, then bytes of the file
        (2, 2),  # just before a patch: untouched
        (8, 12),  # from just after one patch to just before the next
        (21, 1),  # a patch's last byte alone
        (19, 3),  # across a whole patch
        (33, 3),  # inside the longest patch
        (37, 10),  # its end, and past the file's end
        (6, 30),  # from inside one patch to inside another
    ],
)
def test_a_read_gives_the_bytes_with_the_patches_that_reach_into_it(start: int, size: int) -> None:
    file = PatchedFile(io.BytesIO(DATA), PATCHES)
    file.seek(start)
    assert file.read(size) == patched_by_hand(start, size)
    assert file.tell() == min(start + size, len(DATA))


def test_reads_in_turn_give_the_patched_file_whole() -> None:
    file = PatchedFile(io.BytesIO(DATA), PATCHES)
    pieces = [file.read(size) for size in (3, 3, 5, 1, 9, 4, 7, 100)]
    assert b"".join(pieces) == patched_by_hand(0, 40)
