"""Background decoding into ordered batches that keep every item's identity.

Threads by default: Pillow releases the GIL while it decodes and resizes, and threads share the
preprocessor without pickling. Each image still holds the GIL for about a millisecond of Python,
which caps threads near 1,000 images/s however many cores there are: enough for a model on the
CPU, not for a GPU, so a GPU's decoding runs in worker processes instead. A bounded number of
images is in flight, so memory stays flat however many images there are.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np

from zsl_cli.records import ImageItem

# (path) -> model input array; raises an exception with .status/.reason for a bad image.
Prepare = Callable[[Path], np.ndarray]


# Each decode also runs some Python under the GIL, so beyond a few dozen threads more add
# contention rather than speed.
MAX_DEFAULT_WORKERS = 32


def available_cores() -> int:
    """Cores this process may run on (a CPU affinity mask or a container's cpuset counts)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def default_workers() -> int:
    """One decode thread per core. With a GPU, decoding is the CPU's main work (the cap used to
    be 8, which on a 16-core GPU machine left half the cores idle); on CPU the threads run only
    while images are due, taking turns with the model's own threads."""
    return min(MAX_DEFAULT_WORKERS, available_cores())


def loading_workers(workers: int) -> int:
    """Decodes allowed at once while the main thread loads the model: it needs a core of its own
    (on 2 cores, two busy decode threads slowed importing torch and transformers by ~2 s)."""
    return max(1, min(workers, available_cores() - 1))


def prepare_item(index: int, path: Path, prepare: Prepare) -> ImageItem:
    """Run `prepare` on one path; any failure becomes the item's status, never an exception."""
    try:
        return ImageItem(index, path, pixels=prepare(path))
    except Exception as error:  # one bad file must never stop the run
        status = getattr(error, "status", "decode_error")
        reason = getattr(error, "reason", None) or f"{type(error).__name__}: {error}"
        return ImageItem(index, path, status=status, error=str(reason))


class DecodeQueue:
    """Decodes `paths` in background workers from the moment it is created, in input order.

    Starting before the model is loaded lets the first images decode while the main thread is
    busy importing torch and reading weights (single-threaded work that leaves cores idle).
    At most `window` items are decoded ahead of the consumer. Until the consumer takes its
    first item, at most `startup_workers` threads decode at once (default: all `workers`). Close
    it (or use it as a context manager) to stop the workers when the consumer stops early.

    processes: decode in `workers` worker processes instead of threads. `prepare` (and
    `process_setup`, run once in each process first) must then be picklable; each process gets
    them once. `startup_workers` does not apply. Should the pool break (a worker killed, say by
    the out-of-memory killer) or no process start, what is still to decode is decoded in
    threads.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        prepare: Prepare,
        *,
        workers: int,
        window: int,
        startup_workers: int | None = None,
        processes: bool = False,
        process_setup: Callable[[], object] | None = None,
    ) -> None:
        self._workers = workers
        self._in_processes = processes
        self._pool: Executor
        if processes:
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=_process_context(),
                initializer=_start_decode_process,
                initargs=(prepare, process_setup),
            )
            startup_workers = workers
        else:
            self._pool = self._thread_pool()
        startup_workers = min(workers, startup_workers or workers)
        self._slots = threading.Semaphore(startup_workers)
        self._held_back = workers - startup_workers
        self._pending: deque[tuple[int, Path, Future[ImageItem]]] = deque()
        self._todo = iter(enumerate(paths))
        self._prepare = prepare
        self.total = len(paths)
        self.window = max(window, workers * 2)
        self._submit()

    def _thread_pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="zsl-decode")

    def _decode(self, index: int, path: Path) -> ImageItem:
        with self._slots:
            return prepare_item(index, path, self._prepare)

    def _start(self, index: int, path: Path) -> Future[ImageItem]:
        if self._in_processes:
            try:
                return self._pool.submit(_prepare_in_process, index, path)
            except (OSError, RuntimeError):  # no process could start; BrokenProcessPool too
                self._continue_in_threads()
        return self._pool.submit(self._decode, index, path)

    def _submit(self) -> None:
        while len(self._pending) < self.window:
            next_path = next(self._todo, None)
            if next_path is None:
                return
            future = self._start(*next_path)  # may replace self._pending (no processes)
            self._pending.append((*next_path, future))

    def _continue_in_threads(self) -> None:
        """Decode in threads what the broken process pool had not delivered."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._in_processes = False
        self._pool = self._thread_pool()
        self._pending = deque(
            (index, path, future if _delivered(future) else self._start(index, path))
            for index, path, future in self._pending
        )

    def items(self) -> Iterator[ImageItem]:
        if self._held_back:
            self._slots.release(self._held_back)
            self._held_back = 0
        try:
            while self._pending:
                try:
                    item = self._pending[0][2].result()
                except BrokenProcessPool:
                    self._continue_in_threads()
                    continue
                self._pending.popleft()
                self._submit()
                yield item
        finally:
            self.close()

    def batches(self, batch_size: int, prefetch_batches: int = 2) -> Iterator[list[ImageItem]]:
        """The items in order, in groups of `batch_size` ok items (see `group_ok_items`)."""
        self.window = max(self.window, batch_size * prefetch_batches)
        self._submit()
        return group_ok_items(self.items(), batch_size)

    def close(self) -> None:
        """Cancel what has not started; running decodes finish in the background."""
        self._todo = iter(())
        self._pending.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> DecodeQueue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _delivered(future: Future[ImageItem]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _process_context() -> multiprocessing.context.BaseContext:
    # Fork, as torch's DataLoader does: "spawn" and "forkserver" children import the parent's
    # main module, which reruns the top level of a script without a __main__ guard (and takes
    # a second or more per child). A forked child runs only the decoder, never torch or CUDA.
    return multiprocessing.get_context("fork")


def processes_available() -> bool:
    """Decode processes need fork, which only Linux offers safely (macOS frameworks break in a
    forked child; Windows has no fork)."""
    return sys.platform == "linux"


# Each decode worker process's own `prepare`, set once when the process starts.
_process_prepare: Prepare | None = None


def _start_decode_process(prepare: Prepare, setup: Callable[[], object] | None) -> None:
    global _process_prepare
    # Ctrl-C reaches the whole process group: the parent handles it and stops the pool, so a
    # worker's own KeyboardInterrupt would only add tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the fork brought along stays shared only while untouched: keep the collector's
    # passes (which write to every object they visit) off it.
    gc.freeze()
    if setup is not None:
        setup()
    _process_prepare = prepare


def _prepare_in_process(index: int, path: Path) -> ImageItem:
    assert _process_prepare is not None, "the decode process was not started"
    return prepare_item(index, path, _process_prepare)


def group_ok_items(items: Iterable[ImageItem], size: int) -> Iterator[list[ImageItem]]:
    """Items in order, grouped so that each group with an ok item holds `size` of them (the
    last may hold fewer); a failed item rides with its group, and failures with no ok item
    before them form groups of `size` items of their own.

    Float rounding in a forward pass or a matrix product depends on how many rows it has, so
    counting only ok items keeps every image's scores the same whatever broken files sit among
    them. A run of failures after an ok item waits in its group for the group's other ok items
    (the order of the output needs that).
    """
    group: list[ImageItem] = []
    ok = 0
    for item in items:
        group.append(item)
        ok += item.ok
        if ok == size or (not ok and len(group) == size):
            yield group
            group, ok = [], 0
    if group:
        yield group


def stack_pixels(items: Sequence[ImageItem]) -> np.ndarray:
    """The ok items' arrays as one contiguous batch."""
    return np.stack([item.pixels for item in items if item.ok and item.pixels is not None])
