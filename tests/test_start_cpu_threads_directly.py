"""`hf.start_cpu_threads` called on its own: nothing changes for a model on a GPU; on the CPU the
threads it checks first are the ones torch's pool will add to the main thread (one fewer than
torch's count), they have all ended by the time it returns, their stacks free for torch's, and
torch's pool is running then."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from zsl_cli import batching
from zsl_cli.encoders import hf

torch = pytest.importorskip("torch")

CHILD_TIMEOUT_S = 120


@pytest.fixture()
def torch_threads():
    """Put back torch's thread count, which is process-wide, after the test."""
    saved = torch.get_num_threads()
    yield
    torch.set_num_threads(saved)


def with_cores(monkeypatch: pytest.MonkeyPatch, cores: int) -> list[int]:
    """`cores` available, no thread count in the environment; returns the counts checked."""
    monkeypatch.setattr(batching, "available_cores", lambda: cores)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    checked: list[int] = []
    monkeypatch.setattr(hf, "_check_threads_start", checked.append)
    return checked


@pytest.mark.parametrize("device", ["cuda", "cuda:1", "mps"])
def test_a_model_on_a_gpu_leaves_torch_s_cpu_threads_alone(monkeypatch, torch_threads, device):
    checked = with_cores(monkeypatch, 1)
    torch.set_num_threads(3)
    hf.start_cpu_threads(torch.device(device))
    assert torch.get_num_threads() == 3
    assert checked == []


@pytest.mark.parametrize("threads", [2, 3])
def test_the_threads_checked_are_those_torch_adds_to_the_main_one(
    monkeypatch, torch_threads, threads
):
    checked = with_cores(monkeypatch, 8)
    torch.set_num_threads(threads)
    hf.start_cpu_threads(torch.device("cpu"))
    assert checked == [threads - 1]


def test_one_thread_needs_no_check(monkeypatch, torch_threads):
    checked = with_cores(monkeypatch, 8)
    torch.set_num_threads(1)
    hf.start_cpu_threads(torch.device("cpu"))
    assert checked == []


def test_the_threads_checked_have_ended_when_the_check_returns(monkeypatch):
    started: list[threading.Thread] = []
    start = threading.Thread.start

    def recorded(self: threading.Thread) -> None:
        started.append(self)
        start(self)

    monkeypatch.setattr(threading.Thread, "start", recorded)
    hf._check_threads_start(6)
    alive = [thread for thread in started if thread.is_alive()]
    monkeypatch.undo()
    assert len(started) == 6
    assert alive == []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads counted from /proc")
def test_torch_s_thread_pool_is_running_when_it_returns():
    # In a process of its own: torch's pool, once started, lives as long as the process. A load
    # starts it anyway as it runs its first prompt, so only a call on its own tells.
    script = textwrap.dedent(
        """
        import os
        import time
        import torch
        from zsl_cli import batching
        from zsl_cli.encoders import hf
        torch.set_num_threads(2)
        batching.available_cores = lambda: 2
        threads = lambda: len(os.listdir("/proc/self/task"))
        before = threads()
        hf.start_cpu_threads(torch.device("cpu"))
        time.sleep(1)  # the checked threads, joined, take a moment more to leave /proc
        print(before, threads())
        """
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    before, after = map(int, result.stdout.split())
    assert after > before, (before, after)  # torch's pool adds its threads to the main one
