"""torch's CPU threads under an address-space limit that leaves little room: starting them at
the load either works or fails with an error the load names as a limit of the system (one line,
exit 2), never natively (libgomp's exit(1)) nor by hanging (a Python thread that ran out of
memory as it started left Thread.start() waiting for ever)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import zsl_cli
from zsl_cli.encoders import hf, limits

CHILD_TIMEOUT_S = 60
THREADS = 4

# In a process of its own (the limit and torch's pool stay with it): the limit is set at what
# the process maps now and some megabytes more.
SCRIPT = textwrap.dedent(
    f"""
    import resource, sys
    import torch
    from zsl_cli import batching
    from zsl_cli.encoders import hf
    from zsl_cli.encoders.limits import system_limit

    batching.available_cores = lambda: {THREADS}
    torch.set_num_threads({THREADS})

    def mapped():
        with open("/proc/self/maps") as maps:
            spans = (line.split()[0].split("-") for line in maps)
            return sum(int(end, 16) - int(start, 16) for start, end in spans)

    limit = mapped() + int(sys.argv[1]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    try:
        hf.start_cpu_threads(torch.device("cpu"))
    except Exception as error:
        print("limit" if system_limit(error) else f"other: {{error!r}}")
        sys.exit(2)
    print("started")
    """
)


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="mapped memory from /proc")
@pytest.mark.parametrize("megabytes", range(0, 100, 8))
def test_threads_start_or_fail_as_a_limit_of_the_system(megabytes):
    env = {**os.environ, "PYTHONPATH": str(Path(zsl_cli.__file__).parents[1])}
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_STACKSIZE", "GOMP_STACKSIZE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(megabytes)],
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_TIMEOUT_S,
    )
    assert (result.returncode, result.stdout) in ((0, "started\n"), (2, "limit\n")), (
        result.returncode,
        result.stdout,
        result.stderr,
    )


def test_room_for_the_threads_is_checked_only_where_an_allocation_can_fail(monkeypatch):
    import mmap

    mapped: list[int] = []

    class Spy:
        def __init__(self, fileno: int, size: int, **kwargs: object) -> None:
            mapped.append(size)

        def close(self) -> None:
            pass

    monkeypatch.setattr(mmap, "mmap", Spy)
    monkeypatch.setattr(limits, "allocations_can_fail", lambda: False)
    limits.check_room_for_threads(3)
    assert mapped == []
    monkeypatch.setattr(limits, "allocations_can_fail", lambda: True)
    limits.check_room_for_threads(3)
    # Twice the stacks, for threads that ended but are not yet gone, and a margin.
    assert mapped == [6 * limits.thread_stack_bytes() + limits.THREAD_START_MARGIN]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads listed in /proc")
def test_the_checking_threads_are_gone_when_the_check_returns():
    hf._check_threads_start(3)
    # Only this process's own threads are left: none the check started.
    left = set(os.listdir("/proc/self/task"))
    hf._check_threads_start(3)
    assert set(os.listdir("/proc/self/task")) == left
