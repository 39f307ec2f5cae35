"""A process pool that is already broken when a task is handed to it (a worker's set-up failed,
or the out-of-memory killer took one, before the queue submitted more) raises BrokenProcessPool,
a RuntimeError, from submit: what is left is decoded in threads, every image in its place."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from zsl_cli import batching
from zsl_cli.batching import DecodeQueue


def _pid(path: Path) -> np.ndarray:
    return np.array([os.getpid()])


def test_a_pool_broken_at_submit_leaves_the_images_to_threads(monkeypatch):
    class BrokenAtSubmit(batching.ProcessPoolExecutor):
        def submit(self, *args, **kwargs):
            raise batching.BrokenProcessPool("a decode process died")

    monkeypatch.setattr(batching, "ProcessPoolExecutor", BrokenAtSubmit)
    names = [f"p{i}" for i in range(6)]
    with DecodeQueue(
        [Path(name) for name in names], _pid, workers=2, window=4, processes=True
    ) as queue:
        items = list(queue.items())
        assert queue.processes_stopped
    assert [item.path.name for item in items] == names
    assert all(item.ok and int(item.pixels[0]) == os.getpid() for item in items)
