"""Where reading a text file stops: at the first block holding a NUL byte (/dev/zero given as a
class list never ends), at a short read (Ctrl-D on a terminal ends one read, and a next one
would wait), and in UTF-16 at the first NUL character, without reading on."""

from __future__ import annotations

import codecs
import io

from tests.helpers import EndlessPipe
from zsl_cli.text_files import read_text_bytes, read_utf16

BLOCK = 1 << 20  # what text_files reads at a time


class _OneRead(io.RawIOBase):
    """A terminal: one read gives what was typed; a second would wait for more."""

    def __init__(self, typed: bytes) -> None:
        self.typed: bytes | None = typed

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        assert self.typed is not None, "read again after a short read"
        count = len(self.typed)
        buffer[:count], self.typed = self.typed, None
        return count


def test_an_endless_stream_of_nul_bytes_is_read_one_block_only() -> None:
    pipe = EndlessPipe(b"\0")

    data = read_text_bytes(pipe)

    assert data == bytes(BLOCK)
    assert pipe.given == BLOCK


def test_text_then_nul_bytes_is_read_up_to_the_block_holding_the_first() -> None:
    start = b"cat\n" * (BLOCK // 4) + b"dog\n"  # a full block of text, then more
    pipe = EndlessPipe(b"\0", start=start)

    data = read_text_bytes(pipe)

    assert data == start + bytes(2 * BLOCK - len(start))
    assert pipe.given == 2 * BLOCK


def test_a_short_read_is_the_end_of_the_text() -> None:
    assert read_text_bytes(_OneRead(b"cat\ndog\n")) == b"cat\ndog\n"


def test_utf16_holding_a_nul_character_is_not_read_past_it() -> None:
    # A first block read whole, a NUL character in it: the rest, endless, is not read.
    text = "cat\n\0" + "x" * ((BLOCK - 2) // 2 - 5)
    head = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert len(head) == BLOCK
    pipe = EndlessPipe("x".encode("utf-16-le"))

    assert read_utf16(pipe, head) == text
    assert pipe.given == 0


def test_utf16_is_read_on_to_its_end_after_a_full_first_block() -> None:
    text = "cat\n" * ((BLOCK - 2) // 8) + "dog\n" * 3
    data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    handle = io.BytesIO(data)
    head = handle.read(BLOCK)

    assert read_utf16(handle, head) == text


def test_a_file_without_a_utf16_mark_is_no_utf16() -> None:
    assert read_utf16(io.BytesIO(b""), b"cat\n") is None
