"""Background decoding into ordered batches that keep every item's identity.

Threads by default: Pillow releases the GIL while it decodes and resizes, and threads share the
preprocessor without pickling. Each image still holds the GIL for about a millisecond of Python,
which caps threads near 1,000 images/s however many cores there are: enough for a model on the
CPU, not for a GPU, so a GPU's decoding runs in worker processes instead. A bounded number of
images is in flight, so memory stays flat however many images there are.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import math
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zsl_cli.errors import ZslError
from zsl_cli.records import ImageItem

# (path) -> model input array; raises an exception with .status/.reason for a bad image.
Prepare = Callable[[Path], np.ndarray]


# Each decode also runs some Python under the GIL, so beyond a few dozen threads more add
# contention rather than speed.
MAX_DEFAULT_WORKERS = 32


# Where Linux shows control groups, and which ones this process belongs to.
CGROUP_ROOT = Path("/sys/fs/cgroup")
OWN_CGROUPS = Path("/proc/self/cgroup")


def available_cores() -> int:
    """Cores this process may run on: a CPU affinity mask or a container's cpuset counts, and so
    does a container's CPU quota (a pod limited to 8 CPUs on a 64-core machine has 8)."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0)) or 1
    else:
        cores = os.cpu_count() or 1
    quota = cpu_quota(CGROUP_ROOT, OWN_CGROUPS)
    return cores if quota is None else min(cores, quota)


def cpu_quota(cgroup_root: Path, own_cgroups: Path) -> int | None:
    """The CPUs a control group's CPU quota allows, rounded up; None where no quota is set or
    none can be read. Read from this process's own group (as `own_cgroups`, /proc/self/cgroup,
    names it) and the groups above it up to the root, the smallest counting (a systemd slice's
    CPUQuota limits the scope a job runs in); else from the root, where a container sees its
    own: cgroup v2's cpu.max ("quota period" or "max ..."), else cgroup v1's cpu.cfs_quota_us
    (-1: none) and cpu.cfs_period_us."""
    own = _own_cgroups(own_cgroups)
    v2 = [_read_words(folder / "cpu.max") for folder in _up_to(cgroup_root, own.get(""))]
    if any(v2):
        return _smallest(_cpus(words) for words in v2 if words)
    v1 = _up_to(cgroup_root / "cpu", own.get("cpu"))
    return _smallest(
        _cpus(_read_words(folder / "cpu.cfs_quota_us") + _read_words(folder / "cpu.cfs_period_us"))
        for folder in v1
    )


def _up_to(root: Path, group: str | None) -> list[Path]:
    """The folder of this process's `group` (see `_group_folder`) and those above it, up to
    `root`: never above it, where a container's root is its own group."""
    folder = _group_folder(root, group)
    folders = [folder]
    while folder != root and folder.parent != folder:
        folder = folder.parent
        folders.append(folder)
    return folders


def _smallest(quotas: Iterable[int | None]) -> int | None:
    return min((quota for quota in quotas if quota is not None), default=None)


def _own_cgroups(own_cgroups: Path) -> dict[str, str]:
    """Controller ("" for cgroup v2) -> this process's group, from lines as "3:cpu,cpuacct:/a"."""
    groups: dict[str, str] = {}
    for line in _read_text(own_cgroups).splitlines():
        fields = line.split(":", 2)
        if len(fields) == 3:
            groups.update(dict.fromkeys(fields[1].split(","), fields[2]))
    return groups


def _group_folder(root: Path, group: str | None) -> Path:
    """The folder of this process's `group` under `root`, where `root` shows it; else `root`,
    where a container sees its own group."""
    # A group outside this process's cgroup namespace is named with "..": not under `root`.
    if not group or ".." in Path(group).parts:
        return root
    folder = root / group.lstrip("/")
    return folder if os.path.isdir(folder) else root


def _read_text(path: Path) -> str:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):  # no such file, not one, not readable
        return ""


def _read_words(path: Path) -> list[str]:
    return _read_text(path).split()


def _cpus(quota_and_period: list[str]) -> int | None:
    """`quota period` in microseconds -> CPUs, rounded up; None: no quota, or not one."""
    if len(quota_and_period) != 2 or not all(map(str.isdecimal, quota_and_period)):
        return None  # "max", "-1": no quota
    quota, period = map(int, quota_and_period)
    return max(1, math.ceil(quota / period)) if quota > 0 and period > 0 else None


def default_workers() -> int:
    """One decode worker per core. With a GPU, decoding is the CPU's main work (the cap used to
    be 8, which on a 16-core GPU machine left half the cores idle); on CPU the threads run only
    while images are due, taking turns with the model's own threads."""
    return min(MAX_DEFAULT_WORKERS, available_cores())


def loading_workers(workers: int) -> int:
    """Decodes allowed at once while the main thread loads the model: it needs a core of its own
    (on 2 cores, two busy decode threads slowed importing torch and transformers by ~2 s)."""
    return max(1, min(workers, available_cores() - 1))


_OUT_OF_MEMORY = "out of memory while preparing the image for the model"


def _ran_out_of_memory(error: Exception) -> bool:
    # numpy's MemoryError ("Unable to allocate 1.00 GiB for an array ..."); torch's CPU allocator
    # (the JPEG resize) raises a RuntimeError: "DefaultCPUAllocator: can't allocate memory".
    return isinstance(error, MemoryError) or (
        isinstance(error, RuntimeError) and "can't allocate memory" in str(error)
    )


def prepare_item(index: int, path: Path, prepare: Prepare) -> ImageItem:
    """Run `prepare` on one path; any failure becomes the item's status, never an exception."""
    try:
        return ImageItem(index, path, pixels=prepare(path))
    except Exception as error:  # one bad file must never stop the run
        if _ran_out_of_memory(error):
            # In the model's resize, after the decode: worded as decode_image words it there,
            # which tells a store that another run, with memory to spare, may read the image
            # (it was stored as the file's own failure, not read again until the file changed).
            return ImageItem(index, path, status="decode_error", error=_OUT_OF_MEMORY)
        status = getattr(error, "status", "decode_error")
        reason = getattr(error, "reason", None) or f"{type(error).__name__}: {error}"
        return ImageItem(index, path, status=status, error=str(reason))


class DecodeQueue:
    """Decodes `paths` in background workers from the moment it is created, in input order.

    Starting before the model is loaded lets the first images decode while the main thread is
    busy importing torch and reading weights (single-threaded work that leaves cores idle).
    At most `window` items are decoded ahead of the consumer. Until the consumer takes its first
    item, at most `startup_workers` threads decode at once (default: all `workers`). Close it
    (or use it as a context manager) to stop the workers when the consumer stops early.

    processes: decode in `workers` forked worker processes instead of threads, a few images per
    task (each task costs this process about half a millisecond of Python); `process_setup` runs
    once in each before its first image, and `startup_workers` does not apply. Should the pool
    break (a worker killed, say by the out-of-memory killer, or its `process_setup` failing) or
    no process start, what is still to decode is decoded in threads.
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
        self._pool: Executor
        if processes:
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_decode_process,
                initargs=(prepare, process_setup, os.getpid()),
            )
            startup_workers = workers
        else:
            self._pool = _thread_pool(workers)
        self._in_processes = processes
        self.processes = processes  # as started: decoding in processes, or in threads
        self.workers = workers
        # Whether a broken pool, or one whose processes could not start, left the rest to threads:
        # as correct, but slower on a GPU machine, which a run should say.
        self.processes_stopped = False
        self._workers = workers
        startup_workers = min(workers, startup_workers or workers)
        self._running = threading.Semaphore(startup_workers)
        self._held_back = workers - startup_workers
        self._pending: deque[_Task] = deque()
        self._pending_items = 0
        self._todo: Iterator[tuple[int, Path]] = iter(enumerate(paths))
        self._prepare = prepare
        self._closed = False
        self.total = len(paths)
        self.window = max(window, workers * 2)
        try:
            self._submit()
        except BaseException:  # a Ctrl-C while workers start: no caller holds the queue to close
            self.close()
            raise

    def _decode(self, chunk: list[tuple[int, Path]]) -> list[ImageItem]:
        with self._running:
            if self._closed:  # held back by startup_workers until after close(): unwanted now
                return []
            return [prepare_item(index, path, self._prepare) for index, path in chunk]

    def _chunk_size(self) -> int:
        if not self._in_processes:
            return 1
        # Two tasks per worker in the window keep every worker busy while one is collected.
        return max(1, min(MAX_CHUNK, self.window // (2 * self._workers)))

    def _start(self, chunk: list[tuple[int, Path]]) -> _Task:
        if self._in_processes:
            try:
                return _Task(chunk, self._pool.submit(_prepare_in_process, chunk))
            except (OSError, RuntimeError):  # no process could start; BrokenProcessPool too
                self._continue_in_threads()
        return _Task(chunk, self._pool.submit(self._decode, chunk))

    def _submit(self) -> None:
        # Whole tasks only, and only while they fit: the window counts images not yet handed over.
        while self._pending_items + self._chunk_size() <= self.window:
            chunk = list(itertools.islice(self._todo, self._chunk_size()))
            if not chunk:
                return
            task = self._start(chunk)  # may replace self._pending (no processes)
            self._pending.append(task)
            self._pending_items += len(chunk)

    def _result(self, task: _Task) -> list[ImageItem]:
        while True:
            try:
                return task.future.result(timeout=_POLL_SECONDS)
            except FutureTimeoutError:
                # A worker killed in the middle of sending its result leaves the pool's own
                # thread waiting for the rest of that message for ever, so the pool never
                # reports itself broken: notice the dead worker here.
                if self._in_processes and _a_worker_died(self._pool):
                    raise BrokenProcessPool("a decode process died") from None

    def _continue_in_threads(self) -> None:
        """Decode in threads what the broken process pool had not delivered."""
        if isinstance(self._pool, ProcessPoolExecutor):
            _stop_decode_processes(self._pool)
        self._in_processes = False
        self.processes_stopped = True
        self._pool = _thread_pool(self._workers)
        self._pending = deque(
            task if task.delivered() else self._start(task.chunk) for task in self._pending
        )

    def items(self) -> Iterator[ImageItem]:
        if self._held_back:
            self._running.release(self._held_back)
            self._held_back = 0
        try:
            while self._pending:
                try:
                    items = self._result(self._pending[0])
                except BrokenProcessPool:
                    self._continue_in_threads()
                    continue
                self._pending.popleft()
                for item in items:
                    self._pending_items -= 1
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
        """Cancel what has not started; running decodes in threads finish in the background,
        decode processes are stopped at once."""
        self._closed = True
        self._todo = iter(())
        self._pending.clear()
        self._pending_items = 0
        if isinstance(self._pool, ProcessPoolExecutor):
            _stop_decode_processes(self._pool)
        else:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> DecodeQueue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


MAX_CHUNK = 16  # images per task for a decode process
_POLL_SECONDS = 0.5  # how often a wait for decoded images checks that the workers live


def _a_worker_died(pool: Executor) -> bool:
    processes = getattr(pool, "_processes", None) or {}
    return any(process.exitcode is not None for process in list(processes.values()))


def _stop_decode_processes(pool: ProcessPoolExecutor) -> None:
    """End a closed pool's worker processes now rather than after their tasks (up to MAX_CHUNK
    images each, seconds of work nobody will take). Left running, they hold the exit: the
    interpreter joins the pool's thread at exit, and a second Ctrl-C during that join let
    multiprocessing's own exit code close the task queue first, so the workers never got the
    order to stop and the process hung (or, Ctrl-C'd again, left them running as orphans)."""
    # No public way before Python 3.14; shutdown() forgets the processes, so take them first.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with suppress(Exception):  # already gone
            process.kill()
    # The pool's thread sees its workers gone and ends; joining them here takes milliseconds
    # and leaves nothing for the exit to wait for.
    for process in processes:
        with suppress(Exception):
            process.join(5)
    # A worker killed mid-send leaves that thread reading the rest of its message; with every
    # worker gone, closing this process's own write end of the pipe ends the read (end of file),
    # else the exit would wait for that thread for ever.
    if results is not None:
        with suppress(Exception):
            results._writer.close()


def _thread_pool(workers: int) -> ThreadPoolExecutor:
    return _DecodeThreads(max_workers=workers, thread_name_prefix="zsl-decode")


class _DecodeThreads(ThreadPoolExecutor):
    """A thread pool that says which limit a thread it cannot start ran into: under a limit on
    threads (ulimit -u, a container's pids limit), `-j 1000` ended its run with a traceback
    ("can't start new thread"). Its threads start with the first tasks, before the model loads;
    going on with fewer would leave none for the libraries still to load (scipy's OpenBLAS then
    stopped the run as a Ctrl-C does)."""

    def _adjust_thread_count(self) -> None:  # ThreadPoolExecutor's own, 3.10 to 3.14
        try:
            super()._adjust_thread_count()
        except RuntimeError as error:
            raise ZslError(
                f"cannot start decode thread {len(self._threads) + 1} of {self._max_workers} "
                f"({error}): the system's limit on threads is reached (ulimit -u, a "
                "container's pids limit); give fewer --workers"
            ) from None


@dataclass
class _Task:
    chunk: list[tuple[int, Path]]  # (index, path) of each image, in order
    future: Future[list[ImageItem]]

    def delivered(self) -> bool:
        future = self.future
        return future.done() and not future.cancelled() and future.exception() is None


def processes_available() -> bool:
    """Decode processes are forked (as torch's DataLoader does: "spawn" and "forkserver"
    children import the parent's main module, rerunning a script without a __main__ guard), and
    only Linux forks safely (macOS frameworks break in a forked child; Windows has no fork)."""
    return sys.platform == "linux"


# Each decode worker process's own `prepare`, set once when the process starts.
_process_prepare: Prepare | None = None


def _start_decode_process(
    prepare: Prepare, setup: Callable[[], object] | None, parent: int
) -> None:
    global _process_prepare
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group: the parent handles it and stops the pool, so a
    # worker's own KeyboardInterrupt would only add tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's handlers for the signals that stop it would do the same; a worker ends on them
    # as by default (the parent decodes in threads what it lost), so it can still be killed on
    # its own. Signals the parent ignores (SIGHUP under nohup) stay ignored.
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and callable(signal.getsignal(number)):
            signal.signal(number, signal.SIG_DFL)
    # What the fork brought along stays shared only while untouched: keep the collector's
    # passes (which write to every object they visit) off it.
    gc.freeze()
    if setup is not None:
        try:
            setup()
        except BaseException:
            # Raised, it would print the pool's "Exception in initializer" traceback; ended, the
            # worker is one lost like any other, and what it would have decoded is decoded in
            # threads (DecodeQueue's fallback).
            os._exit(1)
    _process_prepare = prepare


# <linux/prctl.h>: the signal the kernel sends this process when its parent ends.
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Have Linux kill this decode process when `parent`, the process that forked it, ends.

    A parent killed outright (SIGKILL, the out-of-memory killer, a CI runner's timeout) stops no
    worker: they finished their tasks and then waited for more for ever, orphans each holding its
    memory (a zsl label -j 4 killed with kill -9 left four of 235 MB). Where the call is not
    available (another platform, no prctl) nothing changes. The kernel goes by the thread that
    forked, not the process: DecodeQueue forks its workers in the thread that creates it, which
    for the CLI is the main thread; should that thread end first, the pool breaks and the images
    are decoded in threads (DecodeQueue's fallback)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):  # no C library to load, or no prctl in it
        return
    # A parent that ended before the call above sends nothing: this process is already another's.
    if os.getppid() != parent:
        os._exit(1)


def _prepare_in_process(chunk: list[tuple[int, Path]]) -> list[ImageItem]:
    assert _process_prepare is not None, "the decode process was not started"
    return [prepare_item(index, path, _process_prepare) for index, path in chunk]


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


def stack_pixels(items: Sequence[ImageItem]) -> np.ndarray | list[np.ndarray]:
    """The ok items' arrays as one contiguous batch, or as the list of them when their shapes
    differ: a NaFlex model's images keep their aspect ratios, and its encoder pads them."""
    arrays = [item.pixels for item in items if item.ok and item.pixels is not None]
    if len({array.shape for array in arrays}) > 1:
        return arrays
    return np.stack(arrays)
