"""An image named twice in an endless pipe of zsl's own records, read for evaluation (one
prediction per image): refused at its second record, from the pipe's first chunk, as a record
that is no prediction is (tests/test_readers.py). Every record is valid, so nothing else stops
the copy of `yes RECORD |` to a temporary file before it is read."""

from __future__ import annotations

import io
import json

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions_and_run_info

RECORD = json.dumps(
    {
        "path": "a.png",
        "label": "cat",
        "score": 0.75,
        "top_k": [{"label": "cat", "score": 0.75}, {"label": "dog", "score": 0.25}],
        "status": "ok",
        "error": "",
    }
).encode()


class _EndlessPipe(io.RawIOBase):
    """`(printf START; yes LINE) |`: a pipe that never ends, and fails the test past 16 MB."""

    def __init__(self, line: bytes, start: bytes = b"") -> None:
        self.line, self.pending = line, start
        self.given = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        assert self.given < 16 << 20, "read on past 16 MB of an endless pipe"
        count = len(buffer)
        data = self.pending + self.line * (count // len(self.line) + 1)
        buffer[:count], self.pending = data[:count], data[count:]
        self.given += count
        return count


@pytest.mark.parametrize(
    ("start", "line", "places", "fix"),
    [
        (b"", RECORD + b"\n", "lines 1 and 2", "outputs joined with cat?"),
        (b"[", RECORD + b",", "records 1 and 2", "keep one of them"),
        (b'{"predictions": [', RECORD + b",", "predictions 1 and 2", "keep one of them"),
    ],
)
def test_an_endless_pipe_naming_one_image_again_ends_at_its_second_record(
    start: bytes, line: bytes, places: str, fix: str
) -> None:
    pipe = _EndlessPipe(line, start)
    with pytest.raises(ZslError) as refused:
        read_predictions_and_run_info("-", stdin=io.BufferedReader(pipe), one_per_image=True)
    assert refused.value.message.startswith(f"stdin: {places} name the same image, 'a.png'; {fix}")
    assert pipe.given < 4 << 20
