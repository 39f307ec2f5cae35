"""What the benchmark scripts share for timing."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path


def fastest(run: Callable[[], object], repeats: int) -> float:
    """Seconds the fastest of `repeats` calls of `run` took: other load only ever adds time."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


class ProcessWatch:
    """A child's own peak RSS (VmHWM from /proc/<pid>/status) and its own CPU time over the run
    (utime + stime from /proc/<pid>/stat, all its threads but none of its children), polled
    until the child exits.

    os.wait4's ru_maxrss will not do: Linux counts the memory of the process that forked the child
    (this one, holding a model and images) as the child's until it execs, so every child looked
    at least as large as the benchmark itself; and its CPU time includes zsl's decode processes.
    Without /proc (macOS) `kb` stays None and `cpu` empty."""

    INTERVAL_S = 0.01

    def __init__(self, pid: int, started: float) -> None:
        self.kb: int | None = None
        self.cpu: list[tuple[float, float]] = []  # (seconds since `started`, own CPU seconds)
        self._started = started
        self._status = Path(f"/proc/{pid}/status")
        self._stat = Path(f"/proc/{pid}/stat")
        self._ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> ProcessWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        while True:
            try:
                status, stat = self._status.read_text(), self._stat.read_text()
            except OSError:
                return
            lines = [line for line in status.splitlines() if line.startswith("VmHWM:")]
            if not lines:  # exited: a zombie has no memory left
                return
            self.kb = max(self.kb or 0, int(lines[0].split()[1]))
            # Fields after the command name, which may hold spaces and parentheses: utime and
            # stime are the 14th and 15th of the line.
            fields = stat.rpartition(")")[2].split()
            own_cpu = (int(fields[11]) + int(fields[12])) / self._ticks
            self.cpu.append((time.perf_counter() - self._started, own_cpu))
            if self._stop.wait(self.INTERVAL_S):
                return
