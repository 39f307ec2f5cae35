"""An image named twice in an endless pipe of zsl's own records, read for evaluation (one
prediction per image): refused at its second record, from the pipe's first chunk, as a record
that is no prediction is (tests/test_readers.py). Every record is valid, so nothing else stops
the copy of `yes RECORD |` to a temporary file before it is read."""

from __future__ import annotations

import io
import json

import pytest

from tests.helpers import EndlessPipe
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
    pipe = EndlessPipe(line, start)
    with pytest.raises(ZslError) as refused:
        read_predictions_and_run_info("-", stdin=io.BufferedReader(pipe), one_per_image=True)
    assert refused.value.message.startswith(f"stdin: {places} name the same image, 'a.png'; {fix}")
    assert pipe.given < 4 << 20
