"""Edges of the decode queue: the images a decode process takes per task, and every image handed
over once, in input order, under its own index, whatever the window and the batch size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zsl_cli import batching
from zsl_cli.batching import DecodeQueue


def numbered(path: Path) -> np.ndarray:
    """The image's number (from its name "p<number>") as its pixels; "p<n>3" fails."""
    if path.name.endswith("3"):
        raise ValueError("bad file")
    return np.array([int(path.name[1:])], dtype=np.int64)


def test_a_decode_process_takes_no_more_than_max_chunk_images_a_task():
    # A window of 200 for 2 workers would be tasks of 50: a worker killed mid-task would lose,
    # and a slow one hold back, that many.
    paths = [Path(f"p{i}") for i in range(300)]
    with DecodeQueue(paths, numbered, workers=2, window=200, processes=True) as queue:
        assert max(len(task.chunk) for task in queue._pending) == batching.MAX_CHUNK
        items = list(queue.items())
    assert [item.index for item in items] == list(range(300))
    assert [item.path for item in items] == paths
    assert all(int(item.pixels[0]) == item.index for item in items if item.ok)


@pytest.mark.parametrize("processes", [False, True])
@pytest.mark.parametrize(("window", "batch_size"), [(1, 1), (3, 7), (16, 5), (40, 64)])
def test_batches_hand_over_every_image_once_in_order(processes, window, batch_size):
    paths = [Path(f"p{i}") for i in range(97)]
    with DecodeQueue(paths, numbered, workers=2, window=window, processes=processes) as queue:
        batches = list(queue.batches(batch_size))
    items = [item for batch in batches for item in batch]
    assert [item.index for item in items] == list(range(97))
    assert [item.path for item in items] == paths
    assert all(int(item.pixels[0]) == item.index for item in items if item.ok)
    assert [item.index for item in items if not item.ok] == [i for i in range(97) if i % 10 == 3]
    # Every batch with a decoded image, but the last, holds batch_size of them.
    decoded = [sum(item.ok for item in batch) for batch in batches[:-1]]
    assert set(decoded) <= {0, batch_size}
