"""Process-wide settings (Pillow's limits, the warning filters, csv's field size limit) that
blocks of ours change while they run, in any threads.

Blocks that overlap may end in another order than they began: each putting back what it found
would, for those, put back for good the setting of a block that has ended. So the first block
to enter saves the host program's setting and the last to leave puts it back.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Generic, TypeVar, cast

T = TypeVar("T")

__all__ = ["SharedOverride", "warning_filters_held"]


class SharedOverride(Generic[T]):
    """A process-wide setting that overlapping blocks change: `save` (which returns what the
    setting is, and may change it too) runs as the first block enters, `restore` with what it
    returned as the last one leaves."""

    def __init__(self, save: Callable[[], T], restore: Callable[[T], object]) -> None:
        self._save = save
        self._restore = restore
        self._lock = threading.Lock()
        self._blocks = 0
        self._saved: T | None = None

    @contextmanager
    def held(self, change: Callable[[], object] | None = None) -> Iterator[None]:
        """A block in which the setting is changed: by `change`, which each block runs as it
        enters (after the first one saved), one at a time."""
        with self._lock:
            if self._blocks == 0:
                self._saved = self._save()
            self._blocks += 1
        try:
            if change is not None:
                with self._lock:
                    change()
            yield
        finally:
            with self._lock:
                self._blocks -= 1
                if self._blocks == 0:
                    saved, self._saved = cast(T, self._saved), None
                    self._restore(saved)


def _warning_filters_saved() -> warnings.catch_warnings:
    saved = warnings.catch_warnings()
    saved.__enter__()
    return saved


_WARNING_FILTERS = SharedOverride(
    _warning_filters_saved, lambda saved: saved.__exit__(None, None, None)
)


def warning_filters_held() -> AbstractContextManager[None]:
    """A block whose changes to the warning filters are undone when it and every other such
    block (images.pillow_settings too) have ended: warnings.catch_warnings in a thread would put
    back for good the changes of a block in another thread that began before it and ended
    first."""
    return _WARNING_FILTERS.held()
