"""Helpers that several test files share: writing test images, running the CLI in-process and
reading its output, watching processes and races."""

from __future__ import annotations

import threading
from collections.abc import Callable

from zsl_cli import files


def flock_noting_blocked(thread: threading.Thread, blocked: threading.Event) -> Callable:
    """An flock that sets `blocked` each time it refuses a lock to `thread` (one that another
    holds), so that a test knows that thread waits for the lock rather than guessing a time."""
    flock = files.fcntl.flock

    def noting(descriptor: int, operation: int) -> None:
        try:
            flock(descriptor, operation)
        except BlockingIOError:
            if threading.current_thread() is thread:
                blocked.set()
            raise

    return noting
