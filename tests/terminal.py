"""The environment a test gives a child it runs on a pseudo-terminal."""

import os

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
