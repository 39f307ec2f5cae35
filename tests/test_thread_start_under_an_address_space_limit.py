"""torch's CPU threads under an address-space limit that leaves little room: starting them at
the load either works or fails with an error the load names as a limit of the system (one line,
exit 2), never natively (libgomp's exit(1)) nor by hanging (a Python thread that ran out of
memory as it started left Thread.start() waiting for ever)."""

from __future__ import annotations

import json
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

MEGABYTES = range(0, 100, 8)

# torch is imported once, in a process of its own; each limit is then tried in a child forked
# from it (the limit and torch's pool stay with that child), as if a fresh process: no thread
# pool is started before the fork. The limit is set at what the child maps now and some
# megabytes more. A child that hangs is killed and reported as such.
SCRIPT = textwrap.dedent(
    f"""
    import json, os, resource, signal, sys, time
    import torch
    from zsl_cli import batching
    from zsl_cli.encoders import hf
    from zsl_cli.encoders.limits import system_limit

    def mapped():
        with open("/proc/self/maps") as maps:
            spans = (line.split()[0].split("-") for line in maps)
            return sum(int(end, 16) - int(start, 16) for start, end in spans)

    def child(megabytes):
        batching.available_cores = lambda: {THREADS}
        torch.set_num_threads({THREADS})
        limit = mapped() + megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
        try:
            hf.start_cpu_threads(torch.device("cpu"))
        except Exception as error:
            return "limit" if system_limit(error) else f"other: {{error!r}}", 2
        return "started", 0

    results = {{}}
    for megabytes in map(int, sys.argv[1:]):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                said, status = child(megabytes)
            except BaseException as error:
                said, status = f"raised: {{error!r}}", 1
            os.write(write, (said + "\\n").encode())
            os._exit(status)
        os.close(write)
        deadline = time.monotonic() + {CHILD_TIMEOUT_S}
        while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        if done[0] == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = "hung"
        else:
            status = os.waitstatus_to_exitcode(done[1])
        with os.fdopen(read) as said:
            results[megabytes] = [status, said.read()]
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list]:
    """Each limit's exit status (or "hung") and what its child said, keyed by megabytes."""
    env = {**os.environ, "PYTHONPATH": str(Path(zsl_cli.__file__).parents[1])}
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_STACKSIZE", "GOMP_STACKSIZE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *map(str, MEGABYTES)],
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_TIMEOUT_S * (len(MEGABYTES) + 1),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="mapped memory from /proc")
@pytest.mark.parametrize("megabytes", MEGABYTES)
def test_threads_start_or_fail_as_a_limit_of_the_system(outcomes, megabytes):
    status, said = outcomes[str(megabytes)]
    assert (status, said) in ((0, "started\n"), (2, "limit\n")), (status, said)


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
