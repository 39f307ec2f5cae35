"""Reading predictions back: what the messages about a file that is no predictions file say."""

from __future__ import annotations

import os
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
