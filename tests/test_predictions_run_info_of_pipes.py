"""Predictions read from a named pipe have no run info file: a run info left beside the pipe's
name is not taken for theirs (no size tells whether it describes what came through), and the
predictions are read once."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from zsl_cli.readers import read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_run_info_beside_a_named_pipe_is_not_read(tmp_path: Path) -> None:
    pipe = tmp_path / "p.csv"
    os.mkfifo(pipe)
    (tmp_path / "p.csv.run.json").write_text(json.dumps({"model": "m"}))
    content = (",".join(CSV_COLUMNS) + "\na.png,cat,0.75,cat|dog,0.75|0.25,ok,\n").encode()

    def write() -> None:
        with open(pipe, "wb") as stream:
            stream.write(content)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    predictions, run_info = read_predictions_and_run_info(pipe)
    writer.join(timeout=60)
    assert [(p.path, p.label) for p in predictions] == [("a.png", "cat")]
    assert run_info is None
