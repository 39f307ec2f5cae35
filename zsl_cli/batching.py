"""Background decoding into ordered batches that keep every item's identity.

Threads are enough: Pillow releases the GIL while it decodes and resizes, and threads share the
preprocessor without pickling. At most `workers * 2 + batch_size * prefetch` images are in flight,
so memory stays flat however many images there are.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from zsl_cli.records import ImageItem

# (path) -> model input array; raises an exception with .status/.reason for a bad image.
Prepare = Callable[[Path], np.ndarray]


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def prepare_item(index: int, path: Path, prepare: Prepare) -> ImageItem:
    """Run `prepare` on one path; any failure becomes the item's status, never an exception."""
    try:
        return ImageItem(index, path, pixels=prepare(path))
    except Exception as error:  # one bad file must never stop the run
        status = getattr(error, "status", "decode_error")
        reason = getattr(error, "reason", None) or f"{type(error).__name__}: {error}"
        return ImageItem(index, path, status=status, error=str(reason))


def iter_prepared(
    paths: Sequence[Path], prepare: Prepare, *, workers: int, window: int
) -> Iterator[ImageItem]:
    """Prepared items in input order, with at most `window` submitted ahead of the consumer."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zsl-decode") as pool:
        pending: deque[Future[ImageItem]] = deque()
        try:
            for index, path in enumerate(paths):
                pending.append(pool.submit(prepare_item, index, path, prepare))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            # Stop promptly on Ctrl-C or when the consumer stops early.
            for future in pending:
                future.cancel()


def iter_batches(
    paths: Sequence[Path],
    prepare: Prepare,
    *,
    batch_size: int,
    workers: int,
    prefetch_batches: int = 2,
) -> Iterator[list[ImageItem]]:
    """Prepared items in input order, grouped in batches of `batch_size` (failed items included)."""
    window = max(batch_size * prefetch_batches, workers * 2)
    batch: list[ImageItem] = []
    for item in iter_prepared(paths, prepare, workers=workers, window=window):
        batch.append(item)
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def stack_pixels(items: Sequence[ImageItem]) -> np.ndarray:
    """The ok items' arrays as one contiguous batch."""
    return np.stack([item.pixels for item in items if item.ok and item.pixels is not None])
