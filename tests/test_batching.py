"""Background decoding: order, bounded look-ahead, failures kept in place, prompt shutdown."""

import multiprocessing
import os
import random
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time
from concurrent import futures
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import process_running
from zsl_cli import batching
from zsl_cli.batching import DecodeQueue
from zsl_cli.errors import ZslError
from zsl_cli.images import decided_by_content


def test_items_come_in_input_order_with_failures_in_place():
    def prepare(path: Path) -> np.ndarray:
        time.sleep(0.001 * (hash(path.name) % 5))  # finish out of order
        if path.name.endswith("3"):
            raise ValueError("bad file")
        return np.full((2, 2, 3), int(path.name[1:]), dtype=np.uint8)

    paths = [Path(f"p{i}") for i in range(25)]
    with DecodeQueue(paths, prepare, workers=4, window=8) as queue:
        batches = list(queue.batches(batch_size=4))
    # Each batch holds 4 decoded images, so a failure never changes the size of a forward
    # pass (float rounding depends on it); a failure rides with the batch it falls in.
    assert [[item.index for item in b] for b in batches] == [
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8],
        [9, 10, 11, 12],
        [13, 14, 15, 16, 17],
        [18, 19, 20, 21],
        [22, 23, 24],
    ]
    items = [item for batch in batches for item in batch]
    assert [item.index for item in items] == list(range(25))
    assert [item.path for item in items] == paths
    failed = [item.index for item in items if not item.ok]
    assert failed == [3, 13, 23]
    # The exception's type names what went wrong when its message alone does not.
    assert all(items[i].status == "decode_error" for i in failed)
    assert all(items[i].error == "ValueError: bad file" for i in failed)
    assert all(int(item.pixels[0, 0, 0]) == item.index for item in items if item.ok)


def test_failures_ahead_of_any_decoded_image_form_batches_of_their_own():
    # A long run of broken files does not wait for the next good images (progress, an
    # interrupt, one store transaction per batch).
    def prepare(path: Path) -> np.ndarray:
        if path.name.startswith("bad"):
            raise ValueError("bad file")
        return np.zeros((1, 1, 3), dtype=np.uint8)

    names = ["bad0", "bad1", "bad2", "ok3", "bad4", "ok5", "bad6"]
    with DecodeQueue([Path(name) for name in names], prepare, workers=2, window=8) as queue:
        batches = [[item.path.name for item in b] for b in queue.batches(batch_size=2)]
    assert batches == [["bad0", "bad1"], ["bad2", "ok3", "bad4", "ok5"], ["bad6"]]


class StartRecorder:
    """A prepare function that notes the name of each path it starts on; with `hold`, it then
    waits for `release` (5 s at most)."""

    def __init__(self, hold: bool = False) -> None:
        self.started: list[str] = []
        self.release = threading.Event()
        self._hold = hold
        self._lock = threading.Lock()

    def __call__(self, path: Path) -> np.ndarray:
        with self._lock:
            self.started.append(path.name)
        if self._hold:
            self.release.wait(5)
        return np.zeros((1, 1, 3), dtype=np.uint8)

    def wait_for(self, count: int) -> None:
        """Until `count` paths have started, or 60 s have passed (a hang guard)."""
        deadline = time.monotonic() + 60
        while len(self.started) < count and time.monotonic() < deadline:
            time.sleep(0.01)


def handed_out_decoded(queue: DecodeQueue) -> None:
    """Until every task the queue has handed its workers is done (60 s at most, a hang guard).
    The queue hands out more only as its consumer takes items, so until then no decode starts:
    what has started by now is all that will, however slowly a loaded machine runs the workers."""
    futures.wait([task.future for task in queue._pending], timeout=60)


def test_decoding_starts_at_once_and_stays_within_the_window():
    prepare = StartRecorder()
    started = prepare.started
    paths = [Path(f"p{i}") for i in range(100)]
    queue = DecodeQueue(paths, prepare, workers=2, window=10)
    handed_out_decoded(queue)
    assert len(started) == 10  # before anyone asked for an item, and no more than the window
    consumed = 0
    for _ in queue.items():
        consumed += 1
        handed_out_decoded(queue)
        assert len(started) <= consumed + 10
    assert consumed == 100


def test_close_cancels_what_has_not_started():
    release = threading.Event()
    calls: list[Path] = []

    def prepare(path: Path) -> np.ndarray:
        calls.append(path)
        release.wait(5)
        return np.zeros((1, 1, 3), dtype=np.uint8)

    queue = DecodeQueue([Path(f"p{i}") for i in range(50)], prepare, workers=2, window=20)
    queue.close()
    release.set()
    time.sleep(0.1)
    assert len(calls) <= 2  # only what was already running
    with pytest.raises(StopIteration):
        next(queue.items())
    assert list(queue.batches(batch_size=4)) == []  # nothing left to start, either


def test_startup_workers_bound_concurrency_until_the_first_item_is_taken():
    lock = threading.Lock()
    running, peak = [0], {"startup": 0, "consuming": 0}
    phase = ["startup"]

    def prepare(path: Path) -> np.ndarray:
        with lock:
            running[0] += 1
            peak[phase[0]] = max(peak[phase[0]], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return np.zeros((1, 1, 3), dtype=np.uint8)

    paths = [Path(f"p{i}") for i in range(40)]
    with DecodeQueue(paths, prepare, workers=4, window=40, startup_workers=1) as queue:
        time.sleep(0.3)  # the model would be loading now
        phase[0] = "consuming"
        items = list(queue.items())
    assert len(items) == 40 and all(item.ok for item in items)
    assert peak["startup"] == 1
    assert peak["consuming"] > 1  # every worker once the consumer has started


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this OS")
@pytest.mark.parametrize(
    ("cores", "workers", "while_loading"), [(1, 1, 1), (3, 3, 2), (100, 32, 32)]
)
def test_default_workers_follow_the_cores_this_process_may_use(
    monkeypatch, tmp_path, cores, workers, while_loading
):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)))
    monkeypatch.setattr(batching, "CGROUP_ROOT", tmp_path)  # no CPU quota (nor a file saying so)
    monkeypatch.setattr(batching, "OWN_CGROUPS", tmp_path / "cgroup")
    assert batching.default_workers() == workers
    assert batching.loading_workers(workers) == while_loading


def cgroups(root: Path, files: dict[str, str], own: str = "0::/\n") -> Path:
    """A folder laid out as /sys/fs/cgroup with `files` in it; returns the file that stands for
    /proc/self/cgroup, which says `own`."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "self-cgroup").write_text(own)
    return root / "self-cgroup"


@pytest.mark.parametrize(
    ("files", "cpus"),
    [
        ({"cpu.max": "800000 100000\n"}, 8),  # cgroup v2: a pod limited to 8 CPUs
        ({"cpu.max": "150000 100000\n"}, 2),  # 1.5 CPUs: the second runs part of the time
        ({"cpu.max": "5000 100000\n"}, 1),
        ({"cpu.max": "max 100000\n"}, None),  # no limit
        ({"cpu/cpu.cfs_quota_us": "400000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 4),  # v1
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),  # not Linux, or no cgroup file system
        # Unreadable as a quota: ignored.
        ({"cpu.max": "eight\n"}, None),
        ({"cpu.max": ""}, None),
        ({"cpu.max": "800000 0\n"}, None),
        ({"cpu.max": "\u00b200000 100000\n"}, None),  # a digit, not a decimal one
        ({"cpu.max/x": ""}, None),  # a folder, not a file
        ({"cpu/cpu.cfs_quota_us": "400000\n"}, None),  # no period
        ({"cpu/cpu.cfs_quota_us": "4e5\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ],
)
def test_a_containers_cpu_quota_counts_in_whole_cpus(tmp_path, files, cpus):
    own = cgroups(tmp_path, files)
    assert batching.cpu_quota(tmp_path, own) == cpus


def test_the_cpu_quota_is_read_from_this_processs_own_cgroup_first(tmp_path):
    files = {"cpu.max": "max 100000\n", "kubepods/pod7/cpu.max": "300000 100000\n"}
    own = cgroups(tmp_path, files, own="0::/kubepods/pod7\n")
    assert batching.cpu_quota(tmp_path, own) == 3
    # A cgroup named that the folder does not show (a container sees its own at the root).
    own.write_text("0::/elsewhere\n")
    assert batching.cpu_quota(tmp_path, own) is None
    (tmp_path / "cpu.max").write_text("200000 100000\n")
    assert batching.cpu_quota(tmp_path, own) == 2
    own.unlink()  # unreadable: the root's
    assert batching.cpu_quota(tmp_path, own) == 2
    # A cgroup outside this process's namespace: named from its own, never looked for above it.
    cgroups(tmp_path / "elsewhere", {"cpu.max": "100000 100000\n"})
    own.write_text("0::/../elsewhere\n")
    assert batching.cpu_quota(tmp_path / "kubepods", own) is None


def test_the_cpu_quota_is_read_from_the_own_cgroup_in_cgroup_v1(tmp_path):
    files = {
        "cpu/cpu.cfs_quota_us": "-1\n",
        "cpu/cpu.cfs_period_us": "100000\n",
        "cpu/job/cpu.cfs_quota_us": "600000\n",
        "cpu/job/cpu.cfs_period_us": "100000\n",
    }
    own = cgroups(tmp_path, files, own="4:memory:/job\n3:cpu,cpuacct:/job\n0::/\n")
    assert batching.cpu_quota(tmp_path, own) == 6


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this OS")
@pytest.mark.parametrize(("cores", "quota", "workers"), [(64, 8, 8), (4, 8, 4), (64, None, 32)])
def test_default_workers_follow_a_containers_cpu_quota(
    monkeypatch, tmp_path, cores, quota, workers
):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)))
    files = {"cpu.max": f"{quota * 100000} 100000\n" if quota else "max 100000\n"}
    monkeypatch.setattr(batching, "OWN_CGROUPS", cgroups(tmp_path, files))
    monkeypatch.setattr(batching, "CGROUP_ROOT", tmp_path)
    assert batching.available_cores() == min(cores, quota or cores)
    assert batching.default_workers() == workers
    assert batching.loading_workers(workers) == min(workers, min(cores, quota or cores) - 1)


# Worker processes receive these by pickling, so they live at module level.


def pid_or_failure(path: Path) -> np.ndarray:
    """The worker's process id as pixels; "bad" paths fail like a broken image."""
    if path.name.startswith("bad"):
        raise ValueError(f"bad file {path.name}")
    return np.array([os.getpid()], dtype=np.int64)


def killed_at_kill(path: Path) -> np.ndarray:
    """Kills its decode process at the path named "kill" (never the test's own process)."""
    if path.name == "kill" and multiprocessing.parent_process() is not None:
        os.kill(os.getpid(), signal.SIGKILL)
    return np.array([os.getpid()], dtype=np.int64)


# Windows of 12 and 96 give tasks of 2 and 16 images.
@pytest.mark.parametrize("window", [12, 96])
def test_worker_processes_keep_order_and_failures_in_place(window):
    names = [f"bad{i}" if i % 7 == 3 else f"p{i}" for i in range(100)]
    with DecodeQueue(
        [Path(n) for n in names], pid_or_failure, workers=3, processes=True, window=window
    ) as queue:
        items = [item for batch in queue.batches(batch_size=4) for item in batch]
        assert not queue.processes_stopped
    assert [item.path.name for item in items] == names
    failed = [item for item in items if not item.ok]
    assert [item.path.name for item in failed] == [n for n in names if n.startswith("bad")]
    assert all(item.status == "decode_error" and item.path.name in item.error for item in failed)
    decoded_by = {int(item.pixels[0]) for item in items if item.ok}
    assert decoded_by and os.getpid() not in decoded_by


def test_a_killed_worker_process_loses_no_image():
    names = [f"p{i}" for i in range(30)] + ["kill"] + [f"q{i}" for i in range(30)]
    with DecodeQueue(
        [Path(n) for n in names], killed_at_kill, workers=2, processes=True, window=8
    ) as queue:
        items = list(queue.items())
        stopped = queue.processes_stopped
    assert [item.path.name for item in items] == names
    assert all(item.ok for item in items)
    assert stopped  # for the run to say why the rest went slower
    # The rest, from the broken pool on, was decoded in this process's threads.
    assert int(items[names.index("kill")].pixels[0]) == os.getpid()
    assert int(items[-1].pixels[0]) == os.getpid()


def killed_mid_send_at_kill(path: Path) -> np.ndarray:
    """At the path named "kill", its decode process dies while sending a result: it leaves the
    start of a message in the pool's result pipe and still holds the pipe's write lock, as a
    worker killed by the out-of-memory killer in the middle of a send would."""
    if path.name == "kill" and multiprocessing.parent_process() is not None:
        frame = sys._getframe()
        while frame.f_code.co_name != "_process_worker":
            frame = frame.f_back
        result_queue = frame.f_locals["result_queue"]
        result_queue._wlock.acquire()
        os.write(result_queue._writer.fileno(), struct.pack("!i", 100_000) + b"partial")
        os._exit(9)
    return np.array([os.getpid()], dtype=np.int64)


def test_a_worker_process_killed_mid_send_loses_no_image_and_does_not_hang():
    # The pool's own thread waits for the rest of that message for ever and never sees the
    # worker gone, so nothing told the queue the pool was broken: the run hung.
    names = [f"p{i}" for i in range(30)] + ["kill"] + [f"q{i}" for i in range(30)]
    started = time.monotonic()
    with DecodeQueue(
        [Path(n) for n in names], killed_mid_send_at_kill, workers=2, processes=True, window=8
    ) as queue:
        items = list(queue.items())
    assert [item.path.name for item in items] == names
    assert all(item.ok for item in items)
    assert int(items[names.index("kill")].pixels[0]) == os.getpid()
    assert time.monotonic() - started < 120  # guards a hang (it took well under a second)


def slow_in_a_process(path: Path) -> np.ndarray:
    """Takes ten minutes in a decode process (instantly in the test's own)."""
    if multiprocessing.parent_process() is not None:
        time.sleep(600)
    return np.array([os.getpid()], dtype=np.int64)


def test_close_stops_decode_processes_at_once():
    # Left to finish their tasks, the workers held the exit, and a second Ctrl-C during that
    # wait hung the process for good (multiprocessing's exit code closed the task queue first).
    queue = DecodeQueue(
        [Path(f"p{i}") for i in range(40)], slow_in_a_process, workers=2, processes=True, window=8
    )
    processes = list(queue._pool._processes.values())
    assert processes
    started = time.monotonic()
    queue.close()
    # Each task takes 600 s: close waited for none of them (the bound is no speed target).
    assert time.monotonic() - started < 120
    # The pool's own thread may reap a worker while this one polls it (its exit code is then
    # set a moment later): poll until a deadline (a hang guard) rather than once.
    deadline = time.monotonic() + 60
    while any(process.is_alive() for process in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(process.is_alive() for process in processes)


@pytest.mark.skipif(not batching.processes_available(), reason="no decode processes here")
def test_decode_processes_end_with_a_parent_killed_outright(tmp_path):
    # A parent killed by SIGKILL (the out-of-memory killer, a CI runner's timeout) stops nothing
    # itself: its workers finished their tasks and then waited for more for ever, as orphans.
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            """
            import os
            import time
            from pathlib import Path
            from zsl_cli.batching import DecodeQueue

            def slow(path):
                # This worker has started. One write: print's may interleave with another's.
                os.write(1, f"{os.getpid()}\\n".encode())
                time.sleep(60)

            paths = [Path(f"p{i}") for i in range(40)]
            queue = DecodeQueue(paths, slow, workers=3, window=12, processes=True)
            time.sleep(60)
            """
        )
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        assert parent.stdout is not None
        workers = sorted({int(parent.stdout.readline()) for _ in range(3)})
        assert len(workers) == 3 and parent.poll() is None
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 60  # guards a hang: the workers end at once
        while any(map(process_running, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if process_running(pid)]
    finally:
        parent.kill()
        for pid in filter(process_running, workers):  # so that a failure leaves no orphan behind
            os.kill(pid, signal.SIGKILL)
        parent.communicate(timeout=10)  # the workers held its stdout open too


@pytest.mark.skipif(not batching.processes_available(), reason="no decode processes here")
def test_a_decode_process_whose_parent_ended_before_it_started_ends():
    # The kernel signals only a parent's end that comes after the prctl call: a worker whose
    # parent ended between the fork and that call (and whose parent is now another) ends itself.
    context = multiprocessing.get_context("fork")
    for parent, exitcode in ((os.getpid(), 0), (-1, 1)):  # -1: no process is its parent
        worker = context.Process(target=batching._die_with_parent, args=(parent,))
        worker.start()
        worker.join(10)
        assert worker.exitcode == exitcode


def test_decode_processes_decode_real_files_with_the_runs_pillow_settings(tmp_path):
    from PIL import Image

    from zsl_cli.encoders.preprocess import FastPreprocessor
    from zsl_cli.images import DecodeOptions, ImagePreparation

    Image.new("RGB", (64, 48), (200, 10, 10)).save(tmp_path / "red.jpg")
    (tmp_path / "notes.jpg").write_text("not a picture\n")
    Image.new("RGB", (300, 300)).save(tmp_path / "big.png")  # over the run's pixel limit
    preparation = ImagePreparation(
        DecodeOptions(max_pixels=50_000),
        FastPreprocessor(
            shortest_edge=32,
            resize_to=None,
            crop=(32, 32),
            resample=Image.BICUBIC,
            torch_resize=True,
        ),
        resize_limit=10**6,
    )
    paths = [tmp_path / name for name in ("red.jpg", "notes.jpg", "big.png", "missing.jpg")]
    with DecodeQueue(
        paths,
        preparation,
        workers=2,
        window=4,
        processes=True,
        process_setup=preparation.set_up_process,
    ) as queue:
        items = list(queue.items())
    threads = [batching.prepare_item(i, p, preparation) for i, p in enumerate(paths)]
    assert (
        [item.status for item in items]
        == [item.status for item in threads]
        == ["ok", "not_an_image", "too_large", "not_found"]
    )
    assert [item.error for item in items] == [item.error for item in threads]
    np.testing.assert_array_equal(items[0].pixels, threads[0].pixels)


def test_decoding_falls_back_to_threads_when_no_process_can_start(monkeypatch):
    class NoProcesses(batching.ProcessPoolExecutor):
        def submit(self, *args, **kwargs):
            raise OSError("cannot fork")

    monkeypatch.setattr(batching, "ProcessPoolExecutor", NoProcesses)
    names = [f"p{i}" for i in range(10)]
    with DecodeQueue(
        [Path(n) for n in names], pid_or_failure, workers=2, window=4, processes=True
    ) as queue:
        items = list(queue.items())
    assert [item.path.name for item in items] == names
    assert all(item.ok and int(item.pixels[0]) == os.getpid() for item in items)


@pytest.mark.parametrize(
    "raised",
    [
        MemoryError(
            "Unable to allocate 1.00 GiB for an array with shape (89478485, 3) and data type "
            "float32"
        ),
        # torch's CPU allocator, as torch 2.13 words it (the JPEG resize runs in torch).
        RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
            "memory: you tried to allocate 1073741824 bytes. Error code 12 (Cannot allocate "
            "memory)"
        ),
    ],
    ids=["numpy", "torch"],
)
def test_memory_running_out_while_preparing_an_image_is_a_failure_another_run_retries(
    raised: Exception,
):
    # Memory running out in the model's resize, after the decode, was "decode_error:
    # MemoryError: Unable to allocate ...", which a store took for the file's own failure: not
    # read again until the file changed (decode_image's own out of memory is retried).
    def prepare(path: Path) -> np.ndarray:
        raise raised

    item = batching.prepare_item(0, Path("big.png"), prepare)
    assert (item.status, item.error) == (
        "decode_error",
        "out of memory while preparing the image for the model",
    )
    assert not decided_by_content(item.status, item.error)


def test_a_thread_the_system_will_not_start_is_one_clear_error_naming_workers(monkeypatch):
    # Under a limit on threads (ulimit -u, a container's pids limit), -j 1000 ended the run with
    # a traceback at the first thread over it ("can't start new thread").
    start = threading.Thread.start
    started: list[threading.Thread] = []

    def limited_start(thread: threading.Thread) -> None:
        if thread.name.startswith("zsl-decode"):
            if len(started) == 2:
                raise RuntimeError("can't start new thread")
            started.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", limited_start)
    release = threading.Event()

    def prepare(path: Path) -> np.ndarray:
        release.wait(5)  # busy, as while the model loads: each task wants a thread of its own
        return np.zeros((1, 1, 3), dtype=np.uint8)

    paths = [Path(f"p{i}") for i in range(40)]
    try:
        with pytest.raises(ZslError) as caught:
            DecodeQueue(paths, prepare, workers=16, window=32)
    finally:
        release.set()
    assert caught.value.message == (
        "cannot start decode thread 3 of 16 (can't start new thread): the system's limit on "
        "threads is reached (ulimit -u, a container's pids limit); give fewer --workers"
    )


def test_a_window_below_two_per_worker_still_keeps_every_worker_busy():
    prepare = StartRecorder(hold=True)
    with DecodeQueue([Path(f"p{i}") for i in range(20)], prepare, workers=3, window=1) as queue:
        assert queue.window == 6
        prepare.wait_for(3)
        assert len(prepare.started) == 3  # one per worker, though the window asked for one image
        prepare.release.set()
        assert len(list(queue.items())) == 20


def test_more_startup_workers_than_workers_is_all_the_workers():
    paths = [Path(f"p{i}") for i in range(6)]
    with DecodeQueue(paths, pid_or_failure, workers=2, window=4, startup_workers=8) as queue:
        assert [item.path for item in queue.items()] == paths


def test_worker_processes_keep_the_window_in_images_not_tasks():
    # Tasks of 2 images each (a window of 4 for 1 worker): 4 images in flight, not 4 tasks.
    queue = DecodeQueue(
        [Path(f"p{i}") for i in range(40)], pid_or_failure, workers=1, window=4, processes=True
    )
    with queue:
        assert [len(task.chunk) for task in queue._pending] == [2, 2]
        items = queue.items()
        next(items)
        assert sum(len(task.chunk) for task in queue._pending) <= 4


def test_an_items_iterator_closed_early_cancels_what_has_not_started():
    release = threading.Event()
    calls: list[str] = []

    def prepare(path: Path) -> np.ndarray:
        calls.append(path.name)
        if path.name != "p0":
            release.wait(5)
        return np.zeros((1, 1, 3), dtype=np.uint8)

    queue = DecodeQueue([Path(f"p{i}") for i in range(10)], prepare, workers=1, window=2)
    items = queue.items()
    assert next(items).path.name == "p0"
    items.close()  # the consumer stops early, without closing the queue itself
    release.set()
    time.sleep(0.1)
    assert "p2" not in calls  # queued behind p1 (which may have started): never decoded


def test_stack_pixels_stacks_one_shape_and_lists_several():
    from zsl_cli.records import ImageItem

    def item(index: int, shape: tuple[int, ...]) -> ImageItem:
        return ImageItem(index, Path(f"p{index}"), pixels=np.full(shape, index, np.uint8))

    failed = ImageItem(9, Path("bad"), status="decode_error")
    alike = batching.stack_pixels([item(0, (2, 2, 3)), failed, item(1, (2, 2, 3))])
    assert isinstance(alike, np.ndarray) and alike.shape == (2, 2, 2, 3)
    assert alike[:, 0, 0, 0].tolist() == [0, 1]
    mixed = batching.stack_pixels([item(0, (2, 2, 3)), item(1, (2, 4, 3))])
    assert isinstance(mixed, list) and [array.shape for array in mixed] == [(2, 2, 3), (2, 4, 3)]


def test_batches_decode_ahead_as_many_batches_as_asked():
    prepare = StartRecorder()
    with DecodeQueue([Path(f"p{i}") for i in range(50)], prepare, workers=1, window=2) as queue:
        batches = queue.batches(batch_size=5, prefetch_batches=3)
        handed_out_decoded(queue)
        assert len(prepare.started) == 15  # before the first batch is asked for
        assert sum(len(batch) for batch in batches) == 50


def slower_than_a_poll_in_a_process(path: Path) -> np.ndarray:
    if multiprocessing.parent_process() is not None:
        time.sleep(batching._POLL_SECONDS * 1.5)
    return np.array([os.getpid()], dtype=np.int64)


def test_a_decode_slower_than_a_poll_stays_in_its_process():
    # Waiting on a live worker past a poll is not taken for a dead one.
    with DecodeQueue(
        [Path("p0")], slower_than_a_poll_in_a_process, workers=1, window=2, processes=True
    ) as queue:
        items = list(queue.items())
    assert items[0].ok and int(items[0].pixels[0]) != os.getpid()


def test_falling_back_to_threads_keeps_what_processes_delivered():
    from concurrent.futures import Future

    queue = DecodeQueue([], pid_or_failure, workers=1, window=2)
    delivered: Future = Future()
    delivered.set_result([batching.prepare_item(0, Path("p0"), pid_or_failure)])
    lost: Future = Future()
    lost.set_exception(batching.BrokenProcessPool("a decode process died"))
    queue._pending.extend(
        [batching._Task([(0, Path("p0"))], delivered), batching._Task([(1, Path("p1"))], lost)]
    )
    queue._continue_in_threads()
    assert queue._pending[0].future is delivered  # not decoded a second time
    assert [item.path.name for item in queue.items()] == ["p0", "p1"]


def test_close_skips_decodes_held_back_until_the_first_item():
    # Threads held back by startup_workers wait their turn with a task in hand; once the queue
    # was closed they still decoded it, one after another, after the consumer had gone.
    prepare = StartRecorder(hold=True)
    queue = DecodeQueue(
        [Path(f"p{i}") for i in range(20)], prepare, workers=4, window=8, startup_workers=1
    )
    prepare.wait_for(1)
    queue.close()
    prepare.release.set()
    deadline = time.monotonic() + 60  # guards a hang: the threads end at once
    while time.monotonic() < deadline and any(
        thread.name.startswith("zsl-decode") for thread in threading.enumerate()
    ):
        time.sleep(0.01)
    assert prepare.started == ["p0"]


class ProcessStartCounter:
    """A prepare function for decode processes that counts the images they have started."""

    def __init__(self) -> None:
        self.count = multiprocessing.get_context("fork").Value("i", 0)

    def __call__(self, path: Path) -> np.ndarray:
        with self.count.get_lock():
            self.count.value += 1
        return np.zeros(1, dtype=np.uint8)


def test_worker_processes_never_decode_more_than_the_window_ahead():
    # A window of 23 for 1 worker makes tasks of 11 images: a third task took 33 images ahead,
    # and the images of a task were no longer counted once it was being handed over.
    prepare = ProcessStartCounter()
    paths = [Path(f"p{i}") for i in range(100)]
    with DecodeQueue(paths, prepare, workers=1, window=23, processes=True) as queue:
        handed_out_decoded(queue)
        assert 0 < prepare.count.value <= 23
        for consumed, _ in enumerate(queue.items(), start=1):
            handed_out_decoded(queue)
            assert prepare.count.value <= consumed + 23
            if consumed == 12:
                break


def test_an_interrupt_while_the_queue_starts_leaves_no_decode_process():
    # The constructor never returned, so nothing could close the pool: its workers went on with
    # their tasks (and held the exit) after the KeyboardInterrupt.
    started: list[multiprocessing.Process] = []
    real_start = DecodeQueue._start

    def interrupted_start(queue: DecodeQueue, chunk: list) -> object:
        if queue._pending:  # the first task is out, so the workers are
            started.extend(queue._pool._processes.values())
            raise KeyboardInterrupt
        return real_start(queue, chunk)

    paths = [Path(f"p{i}") for i in range(40)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DecodeQueue, "_start", interrupted_start)
        with pytest.raises(KeyboardInterrupt):
            DecodeQueue(paths, slow_in_a_process, workers=2, processes=True, window=8)
    assert started
    deadline = time.monotonic() + 60  # guards a hang: the workers end at once
    while any(process.is_alive() for process in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(process.is_alive() for process in started)


@pytest.mark.parametrize("processes", [False, True])
def test_ctrl_c_while_waiting_for_images_stops_every_worker_quietly(
    processes, ctrl_c_interrupts, capfd
):
    # The terminal sends SIGINT to the whole process group: here, to each decode process (one
    # of them idle) and then to this one, while the consumer waits for a decode that ends only
    # when released (a decode thread cannot be interrupted; a minute at most).
    events = multiprocessing.get_context("fork")
    release, decoded = events.Event(), events.Event()

    def slow_everywhere(path: Path) -> np.ndarray:
        release.wait(60)
        decoded.set()
        return np.zeros(1, dtype=np.uint8)

    queue = DecodeQueue(
        [Path("p0"), Path("p1")], slow_everywhere, workers=3, window=6, processes=processes
    )
    children = list(queue._pool._processes.values()) if processes else []

    def ctrl_c() -> None:
        for process in children:
            os.kill(process.pid, signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)

    ctrl_c_interrupts.after(0.3, ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        for _ in queue.items():
            pass
    assert not decoded.is_set()  # Ctrl-C ended the wait, not the decode
    if not processes:
        release.set()  # the decode threads end once their decode is over; processes are stopped
    deadline = time.monotonic() + 60  # guards a hang
    while time.monotonic() < deadline and (
        any(process.is_alive() for process in children)
        or any(thread.name.startswith("zsl-decode") for thread in threading.enumerate())
    ):
        time.sleep(0.05)
    assert not any(process.is_alive() for process in children)
    assert not any(thread.name.startswith("zsl-decode") for thread in threading.enumerate())
    assert capfd.readouterr() == ("", "")  # no worker's traceback


class RandomFailures:
    """A cheap prepare function that, by a seeded plan, decodes a path to an array holding its
    index (of a random, sometimes odd, shape), raises for it, takes a moment over it or, in a
    decode process, kills that process; it marks each index it starts on."""

    def __init__(self, rng: random.Random, count: int, kinds: list[str]) -> None:
        self.kind = [rng.choice(kinds) for _ in range(count)]
        self.shape = [rng.choice([(2, 2, 3), (0,), (), (1, 2, 3, 4), (7,)]) for _ in range(count)]
        self.started = multiprocessing.get_context("fork").Array("b", max(count, 1))

    def __call__(self, path: Path) -> np.ndarray:
        index = int(path.name[1:])
        self.started[index] = 1
        kind = self.kind[index]
        if kind == "raise":
            raise ValueError(f"bad {path.name}")
        if kind == "slow":
            time.sleep(0.005)
        if kind == "kill" and multiprocessing.parent_process() is not None:
            os.kill(os.getpid(), signal.SIGKILL)
        return np.full(self.shape[index], index, dtype=np.int64)

    def check(self, items: list, paths: list[Path]) -> None:
        assert [item.path for item in items] == paths
        assert [item.index for item in items] == list(range(len(paths)))
        for item in items:
            if self.kind[item.index] == "raise":
                assert not item.ok and item.error == f"ValueError: bad {item.path.name}"
            else:
                assert item.ok and item.pixels.shape == self.shape[item.index]
                assert (item.pixels == item.index).all()


def take_counting_ahead(queue: DecodeQueue, prepare: RandomFailures, rng: random.Random) -> list:
    """The queue's items through `batches` of a random size, checking at each item handed over
    that no more than the window's worth of the items after it have been started."""
    taken: list = []

    def counted(items):
        for item in items:
            taken.append(item)
            assert sum(prepare.started[:]) - len(taken) <= queue.window
            yield item

    with pytest.MonkeyPatch.context() as patch:
        grouped = batching.group_ok_items
        patch.setattr(batching, "group_ok_items", lambda items, size: grouped(counted(items), size))
        batch_size = rng.randrange(1, 9)
        batches = list(queue.batches(batch_size, prefetch_batches=rng.randrange(1, 4)))
    for batch in batches[:-1]:
        ok = sum(item.ok for item in batch)
        assert ok == batch_size or (ok == 0 and len(batch) == batch_size)
    return [item for batch in batches for item in batch]


@pytest.mark.parametrize("seed", range(300))
def test_random_failures_in_threads_keep_every_path_in_place_within_the_window(seed):
    rng = random.Random(seed)
    count = rng.choice([0, 1, 2, rng.randrange(60)])
    prepare = RandomFailures(rng, count, ["ok", "ok", "ok", "raise", "slow"])
    paths = [Path(f"p{i}") for i in range(count)]
    with DecodeQueue(
        paths,
        prepare,
        workers=rng.randrange(1, 7),
        window=rng.randrange(1, 15),
        startup_workers=rng.choice([None, 1, rng.randrange(1, 9)]),
    ) as queue:
        items = take_counting_ahead(queue, prepare, rng)
    prepare.check(items, paths)


@pytest.mark.parametrize("seed", range(100))
def test_random_failures_and_killed_decode_processes_keep_every_path_in_place(seed):
    rng = random.Random(seed)
    count = rng.choice([0, 1, 2, rng.randrange(80)])
    kinds = ["ok", "ok", "ok", "raise", "slow"] + ["kill"] * (seed % 3 == 0)
    prepare = RandomFailures(rng, count, kinds)
    paths = [Path(f"p{i}") for i in range(count)]
    with DecodeQueue(
        paths, prepare, workers=rng.randrange(1, 5), window=rng.randrange(1, 40), processes=True
    ) as queue:
        items = take_counting_ahead(queue, prepare, rng)
    prepare.check(items, paths)


def test_a_decode_process_whose_setup_fails_loses_no_image_and_prints_no_traceback(tmp_path):
    # The pool logs "Exception in initializer:" with a traceback for a setup that raises (to
    # the terminal, as nothing else handles that log outside pytest) and reports itself broken;
    # the images were still decoded, in threads, but the traceback reached the user.
    script = tmp_path / "setup_fails.py"
    script.write_text(
        textwrap.dedent(
            """
            import os
            from pathlib import Path
            import numpy as np
            from zsl_cli.batching import DecodeQueue

            def setup():
                raise MemoryError("no room to start")

            def prepare(path):
                return np.array([os.getpid()])

            names = [f"p{i}" for i in range(20)]
            with DecodeQueue([Path(n) for n in names], prepare, workers=2, window=8,
                             processes=True, process_setup=setup) as queue:
                items = list(queue.items())
            assert [item.path.name for item in items] == names
            assert all(item.ok and int(item.pixels[0]) == os.getpid() for item in items)
            print("decoded", len(items))
            """
        )
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "decoded 20\n", "")
