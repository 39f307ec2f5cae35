"""What the benchmark scripts share for timing."""

from __future__ import annotations

import time
from collections.abc import Callable


def fastest(run: Callable[[], object], repeats: int) -> float:
    """Seconds the fastest of `repeats` calls of `run` took: other load only ever adds time."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best
