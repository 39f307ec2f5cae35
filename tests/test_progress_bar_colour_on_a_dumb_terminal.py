"""A progress bar drawn on a dumb terminal (TERM=dumb: Emacs' shell) that the user says is
interactive (TTY_INTERACTIVE=1, which rich honours) is drawn without colour: such a terminal
shows tqdm's green as raw escape codes at every redraw."""

from __future__ import annotations

import sys

import pytest

from tests.terminal import terminal_bytes, terminal_env

BAR_OF_3 = [
    sys.executable,
    "-c",
    "from zsl_cli.summary import ProgressBar\n"
    "bar = ProgressBar()\n"
    "bar.start(3, 'encoding images')\n"
    "bar.advance(3)\n"
    "bar.stop()\n",
]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_bar_forced_onto_a_dumb_terminal_is_drawn_without_colour() -> None:
    coloured = terminal_bytes(BAR_OF_3, stdout=False, env=terminal_env(TTY_INTERACTIVE="1"))
    assert b"\x1b[32m" in coloured  # the check can see colour
    shown = terminal_bytes(
        BAR_OF_3, stdout=False, env=terminal_env(TERM="dumb", TTY_INTERACTIVE="1"), timeout=120
    )
    assert b"encoding images:" in shown
    assert b"\x1b[32m" not in shown
