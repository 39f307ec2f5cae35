"""torch's threads on the CPU: at most one per core this process may use (its affinity and a
container's CPU quota, as for decode workers), unless OMP_NUM_THREADS or MKL_NUM_THREADS says
otherwise; and started while the model loads, so that a limit of the system that stops them
(ulimit -v, ulimit -u, a pids limit) ends the load in one line, before a run creates its
output, rather than at the first batch, where libgomp ends the process itself (exit 1) and the
output's temporary file stays behind."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import run, temp_files
from zsl_cli import batching
from zsl_cli.encoders import hf, load_encoder
from zsl_cli.errors import ZslError

CHILD_TIMEOUT_S = 120


@pytest.fixture()
def torch_threads():
    """Put back torch's thread count, which is process-wide, after the test."""
    import torch

    saved = torch.get_num_threads()
    yield torch
    torch.set_num_threads(saved)


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    (tmp_path / "images").mkdir()
    Image.new("RGB", (50, 40), "red").save(tmp_path / "images" / "red.png")
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    (tmp_path / "out").mkdir()
    return tmp_path


def with_cores(monkeypatch: pytest.MonkeyPatch, cores: int) -> None:
    monkeypatch.setattr(batching, "available_cores", lambda: cores)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)


def test_torch_threads_are_capped_at_the_available_cores(monkeypatch, torch_threads, tiny_clip):
    with_cores(monkeypatch, 1)
    torch_threads.set_num_threads(2)  # a 2-CPU quota's worth on a larger machine
    load_encoder(str(tiny_clip), device="cpu")
    assert torch_threads.get_num_threads() == 1


def test_fewer_torch_threads_than_cores_are_kept(monkeypatch, torch_threads, tiny_clip):
    with_cores(monkeypatch, 4)
    torch_threads.set_num_threads(1)  # as the demo and the benchmarks set them
    load_encoder(str(tiny_clip), device="cpu")
    assert torch_threads.get_num_threads() == 1


@pytest.mark.parametrize("variable", ["OMP_NUM_THREADS", "MKL_NUM_THREADS"])
def test_threads_set_in_the_environment_are_left_alone(
    monkeypatch, torch_threads, tiny_clip, variable
):
    with_cores(monkeypatch, 1)
    monkeypatch.setenv(variable, "2")
    torch_threads.set_num_threads(2)
    load_encoder(str(tiny_clip), device="cpu")
    assert torch_threads.get_num_threads() == 2


def test_failing_thread_starts_are_a_system_limit_and_end_the_threads_started(monkeypatch):
    started, start = [], threading.Thread.start

    def start_two(self):
        if len(started) == 2:
            raise RuntimeError("can't start new thread")
        started.append(self)
        start(self)

    monkeypatch.setattr(threading.Thread, "start", start_two)
    with pytest.raises(RuntimeError, match="can't start new thread"):
        hf._check_threads_start(3)
    monkeypatch.undo()
    for thread in started:
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_threads_that_cannot_start_end_the_run_in_one_line_and_leave_no_file(
    monkeypatch, tiny_clip, world
):
    def cannot_start(count: int) -> None:
        raise RuntimeError("can't start new thread")

    with_cores(monkeypatch, 2)
    monkeypatch.setattr(hf, "_check_threads_start", cannot_start)
    monkeypatch.setattr(hf.torch, "get_num_threads", lambda: 2)
    out = world / "out" / "p.csv"
    args = ("label", world / "images", "-c", world / "classes.txt", "-m", tiny_clip, "-o", out)
    result = run(*args, "--device", "cpu", "-q")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "cannot load the model" in result.stderr and "ulimit -u" in result.stderr
    # The output's temporary file, made before the load, is gone with the run.
    assert os.listdir(world / "out") == [] and temp_files(world / "out") == []


def test_threads_are_checked_before_the_model_runs_anything(monkeypatch, tiny_clip, world):
    from transformers import CLIPModel

    events: list[str] = []
    check = hf._check_threads_start

    def checked(count: int) -> None:
        events.append("threads")
        check(count)

    def spied(name: str):
        forward = getattr(CLIPModel, name)

        def spy(self, *args, **kwargs):
            events.append(name)
            return forward(self, *args, **kwargs)

        monkeypatch.setattr(CLIPModel, name, spy)

    with_cores(monkeypatch, 2)
    monkeypatch.setattr(hf, "_check_threads_start", checked)
    monkeypatch.setattr(hf.torch, "get_num_threads", lambda: 2)
    spied("get_text_features")
    spied("get_image_features")
    out = world / "out" / "p.csv"
    args = ("label", world / "images", "-c", world / "classes.txt", "-m", tiny_clip, "-o", out)
    result = run(*args, "--device", "cpu", "-q")
    assert result.exit_code == 0, result.output
    assert events[0] == "threads" and events.count("threads") == 1
    assert "get_image_features" in events


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads counted from /proc")
def test_torch_starts_its_threads_at_the_load_not_at_the_first_batch(tiny_clip):
    # In a process of its own: torch's thread pool, once started, lives as long as the process.
    script = textwrap.dedent(
        f"""
        import os
        import numpy as np
        import torch
        torch.set_num_threads(2)
        from zsl_cli import batching
        batching.available_cores = lambda: 2
        from zsl_cli.encoders import load_encoder
        threads = lambda: len(os.listdir("/proc/self/task"))
        encoder = load_encoder({str(tiny_clip)!r}, device="cpu")
        loaded = threads()
        pixels = np.zeros((16, *encoder.preprocessor.input_size, 3), dtype=np.uint8)
        encoder.encode_images(pixels)
        torch.ones(1 << 20).add_(1)  # as parallel as torch gets
        print(loaded, threads())
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
    loaded, later = map(int, result.stdout.split())
    assert later == loaded


def test_a_thread_limit_reached_at_load_is_a_load_error(monkeypatch, tiny_clip):
    def cannot_start(count: int) -> None:
        raise RuntimeError("can't start new thread")

    with_cores(monkeypatch, 2)
    monkeypatch.setattr(hf, "_check_threads_start", cannot_start)
    monkeypatch.setattr(hf.torch, "get_num_threads", lambda: 2)
    with pytest.raises(ZslError, match="cannot load the model .*ulimit -u"):
        load_encoder(str(tiny_clip), device="cpu")
