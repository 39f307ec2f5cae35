"""Reading predictions back: what the messages about a file that is no predictions file say."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions

HEADER = b"path,label,score,top_k_labels,top_k_scores,status,error\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"^'caf\\xe9\.csv' not found"),
        (b"x", r"^'caf\\xe9\.csv' is not a zsl predictions CSV"),
        (HEADER + b"a.png,cat,0.\xe95,cat,0.5,ok,\n", r": line 2: '0\.\\xe95' is not a number$"),
    ],
)
def test_bytes_that_are_not_utf8_show_as_in_every_other_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, message: str
) -> None:
    # repr() showed them as Python's '\udce9' ('caf\udce9.csv' not found), where the README
    # promises \xNN on stderr.
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"caf\xe9.csv")
    if content is not None:
        try:
            Path(name).write_bytes(content)
        except OSError:
            pytest.skip("file system refuses names that are not UTF-8")
    with pytest.raises(ZslError, match=message):
        read_predictions(name)


class _EndlessPipe(io.RawIOBase):
    """`yes LINE |`: a pipe that never ends. A reader that keeps reading fails instead of
    filling the disk (a pipe was copied whole to a temporary file before any of it was read)."""

    def __init__(self, line: bytes) -> None:
        self.line = line
        self.given = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        assert self.given < 16 << 20, "read on past 16 MB of an endless pipe"
        count = len(buffer)
        data = self.line * (count // len(self.line) + 1)
        buffer[:count] = data[:count]
        self.given += count
        return count


@pytest.mark.parametrize("line", [b"y\n", b"path;label;score\n", b"x" * 100])
def test_an_endless_pipe_that_is_no_predictions_csv_ends_at_its_first_line(
    monkeypatch: pytest.MonkeyPatch, line: bytes
) -> None:
    pipe = _EndlessPipe(line)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(pipe)))
    with pytest.raises(ZslError, match="^'stdin' is not a zsl predictions CSV: the header must"):
        read_predictions("-")
    assert pipe.given < 4 << 20


class _Pipe(io.RawIOBase):
    """A pipe that gives `data`, then ends."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        return self.data.readinto(buffer)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\n\n", "^'stdin' is empty"), (b"\r\n" + HEADER.replace(b"\n", b"\r\n"), None)],
)
def test_a_pipe_that_is_empty_or_only_a_header_reads_as_before(
    monkeypatch: pytest.MonkeyPatch, content: bytes, message: str | None
) -> None:
    stdin = io.TextIOWrapper(io.BufferedReader(_Pipe(content)))
    monkeypatch.setattr(sys, "stdin", stdin)
    if message is None:
        assert read_predictions("-") == []
    else:
        with pytest.raises(ZslError, match=message):
            read_predictions("-")
