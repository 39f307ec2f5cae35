"""An output that is a named pipe (`zsl label ... -o fifo`) whose reader goes away: zsl ends as it
does when stdout's reader goes away, killed by SIGPIPE (exit status 141 in a shell) without a
word, as README's exit codes say."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from tests.helpers import write_images


def test_a_fifo_output_whose_reader_leaves_ends_the_run_by_sigpipe(tmp_path):
    write_images(tmp_path / "images", 24)
    (tmp_path / "classes.txt").write_text("red circle\nblue square\n")
    fifo = tmp_path / "predictions.csv"
    os.mkfifo(fifo)

    def read_a_little_then_leave() -> None:
        with open(fifo, "rb") as reader:
            reader.read(100)

    reader = threading.Thread(target=read_a_little_then_leave)
    reader.start()
    command = [sys.executable, "-m", "zsl_cli", "label", "images", "-c", "classes.txt"]
    finished = subprocess.run(
        [*command, "-m", "shapes-demo", "-b", "2", "-o", fifo.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    reader.join(timeout=60)
    assert finished.returncode == -signal.SIGPIPE, finished.stderr
    assert finished.stderr == ""
