"""`-q` at a terminal: a path list read from it is read without the line that asks for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")  # not on Windows


def typed_at_a_terminal(folder: Path, *args: str) -> tuple[int, str]:
    """The exit status and stderr of `zsl ARGS` whose stdin is a terminal where Ctrl-D is typed
    at once: a path list of none."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "zsl_cli", *args],
        stdin=terminal,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        cwd=folder,
        env=env,
    ) as typed:
        os.close(terminal)
        os.write(controller, b"\x04")  # Ctrl-D at the start of a line: the end of the list
        stderr = typed.stderr.read().decode()
        status = typed.wait(timeout=300)
    os.close(controller)
    return status, stderr


@pytest.mark.parametrize(
    ("args", "said_quietly"),
    [
        # label ends with its error (no image); embed registers the model, and says nothing.
        (["label", "-", "-c", "classes.txt", "-m", "shapes-demo"], "zsl: error: "),
        (["embed", "-", "-s", "s.zsl", "-m", "shapes-demo"], ""),
    ],
    ids=["label", "embed"],
)
def test_quiet_reads_a_path_list_at_a_terminal_without_asking(tmp_path, args, said_quietly):
    (tmp_path / "classes.txt").write_text("red circle\nblue square\n")
    status, stderr = typed_at_a_terminal(tmp_path, *args)
    assert stderr.startswith("zsl: reading image paths from the terminal, one per line; Ctrl-D")
    quiet_status, quiet = typed_at_a_terminal(tmp_path, *args, "-q")
    assert quiet_status == status
    assert "reading" not in quiet and quiet.count("\n") == bool(said_quietly)
    assert quiet.startswith(said_quietly) and stderr.endswith(quiet)
