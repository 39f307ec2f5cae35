"""The environment a test gives a child it runs on a pseudo-terminal, what it shows there, and a
stream that says it is a terminal."""

import fcntl
import io
import os
import pty
import struct
import subprocess
import termios
from pathlib import Path

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


def terminal_bytes(command: list[str], cwd: Path | None = None, stderr_too: bool = True) -> bytes:
    """What `command` writes on a terminal of 120 columns, its stdout's (and stderr's)."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    stderr = terminal if stderr_too else subprocess.DEVNULL
    env = terminal_env()
    with subprocess.Popen(command, stdout=terminal, stderr=stderr, cwd=cwd, env=env) as shown:
        os.close(terminal)
        received = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the process, and with it the terminal's last writer, is gone
                break
            if not chunk:
                break
            received += chunk
        assert shown.wait(timeout=300) == 0
    os.close(controller)
    return received


class Terminal(io.StringIO):
    """An in-memory stream that says it is a terminal, as sys.stderr is in an interactive shell."""

    def isatty(self) -> bool:
        return True
