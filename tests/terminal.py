"""The environment a test gives a child it runs on a pseudo-terminal, what it shows there, and a
stream that says it is a terminal."""

import contextlib
import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# What the runner's shell may export that changes how a terminal is drawn on: a dumb TERM
# (Emacs' shell, `docker run` without -t) hides the bar, NO_COLOR/FORCE_COLOR change its colour,
# COLUMNS/LINES override the size the test gave the pty, and rich reads TTY_* as well.
_TERMINAL_VARIABLES = ("TERM", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES")


def terminal_env(**overrides: str) -> dict[str, str]:
    """os.environ with a colour terminal (TERM=xterm-256color) and none of the variables that
    change what is drawn on it, then `overrides`: a pty test asserts on what a real terminal shows,
    whatever terminal the test runner itself was started from."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _TERMINAL_VARIABLES and not key.startswith("TTY_")
    }
    return {**env, "TERM": "xterm-256color", **overrides}


@contextlib.contextmanager
def pseudo_terminal(size: tuple[int, int] = (40, 120)) -> Iterator[tuple[int, int]]:
    """A new pseudo-terminal of `size` (rows, columns; 0 for a terminal nobody sized), as its
    controlling end and its terminal end: the terminal end is the caller's to hand to a child and
    close, the controlling end is closed when the block ends."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    try:
        yield controller, terminal
    finally:
        os.close(controller)


def read_until_closed(controller: int, writer: subprocess.Popen, timeout: float = 300) -> bytes:
    """All that is shown on the terminal of `controller` until its every other end is closed.
    The test fails where it is still open after `timeout` seconds (a hang: `writer` is killed)."""
    deadline = time.monotonic() + timeout
    received = b""
    while select.select([controller], [], [], max(0.0, deadline - time.monotonic()))[0]:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the process, and with it the terminal's last writer, is gone
            return received
        if not chunk:
            return received
        received += chunk
    writer.kill()
    pytest.fail(f"{writer.args} hung: the terminal still open after {timeout} s")


def terminal_bytes(
    command: list[str],
    cwd: Path | None = None,
    *,
    stdout: bool = True,
    stderr: bool = True,
    size: tuple[int, int] = (40, 120),
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> bytes:
    """What `command` writes on a pseudo-terminal of `size` (rows, columns; 0 for a terminal
    nobody sized): its stdout's and stderr's, those of the two not wanted going to /dev/null.
    `env`: terminal_env() unless given. The test fails where the command exits other than 0, or
    has not closed the terminal within `timeout` seconds (a hang: it is killed)."""
    deadline = time.monotonic() + timeout
    with (
        pseudo_terminal(size) as (controller, terminal),
        subprocess.Popen(
            command,
            stdout=terminal if stdout else subprocess.DEVNULL,
            stderr=terminal if stderr else subprocess.DEVNULL,
            cwd=cwd,
            env=terminal_env() if env is None else env,
        ) as shown,
    ):
        os.close(terminal)
        received = read_until_closed(controller, shown, timeout)
        assert shown.wait(timeout=max(1.0, deadline - time.monotonic())) == 0, received
    return received


class Terminal(io.StringIO):
    """An in-memory stream that says it is a terminal, as sys.stderr is in an interactive shell."""

    def isatty(self) -> bool:
        return True
