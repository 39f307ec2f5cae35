"""Batch boundaries as a run meets them: a batch of one, a last partial batch, an exact
multiple of the batch size, and failed images among the ok ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zsl_cli.batching import DecodeQueue, group_ok_items
from zsl_cli.records import ImageItem


def prepare(path: Path) -> np.ndarray:
    if path.name.startswith("bad"):
        raise ValueError("bad file")
    return np.zeros((1, 1, 3), dtype=np.uint8)


def batched(names: list[str], batch_size: int) -> list[list[str]]:
    with DecodeQueue([Path(name) for name in names], prepare, workers=2, window=4) as queue:
        return [[item.path.name for item in batch] for batch in queue.batches(batch_size)]


def test_a_batch_of_one_holds_each_image_alone_failed_or_not() -> None:
    names = ["ok0", "bad1", "ok2", "ok3", "bad4", "bad5"]
    assert batched(names, 1) == [["ok0"], ["bad1"], ["ok2"], ["ok3"], ["bad4"], ["bad5"]]


@pytest.mark.parametrize(
    ("names", "size", "expected"),
    [
        # An exact multiple: no empty batch after the last full one.
        (["ok0", "ok1", "ok2", "ok3"], 2, [["ok0", "ok1"], ["ok2", "ok3"]]),
        # Fewer images than a batch: one batch, the last, partial.
        (["ok0", "bad1", "ok2"], 8, [["ok0", "bad1", "ok2"]]),
        # A failure after a full batch's last ok image waits for the next ok image.
        (["ok0", "ok1", "bad2", "ok3"], 2, [["ok0", "ok1"], ["bad2", "ok3"]]),
        # Failures after the last ok image close the partial last batch.
        (["ok0", "ok1", "ok2", "bad3", "bad4"], 2, [["ok0", "ok1"], ["ok2", "bad3", "bad4"]]),
    ],
)
def test_batch_boundaries(names: list[str], size: int, expected: list[list[str]]) -> None:
    assert batched(names, size) == expected


def test_a_failure_in_the_middle_keeps_the_other_images_batches_as_without_it() -> None:
    """The ok images meet the model in the same groups, whatever failures sit among them."""
    clean = ["ok0", "ok1", "ok2", "ok3", "ok4"]
    mixed = ["ok0", "ok1", "bad1b", "ok2", "bad2b", "bad2c", "ok3", "ok4"]
    for size in (1, 2, 3, 5, 6):
        ok_groups = [
            [name for name in batch if name.startswith("ok")] for batch in batched(mixed, size)
        ]
        assert [group for group in ok_groups if group] == batched(clean, size), size


def test_group_ok_items_counts_only_ok_items() -> None:
    items = [
        ImageItem(0, Path("a"), status="decode_error", error="x"),
        ImageItem(1, Path("b"), pixels=np.zeros((1, 1, 3), dtype=np.uint8)),
        ImageItem(2, Path("c"), status="not_found", error="x"),
        ImageItem(3, Path("d"), pixels=np.zeros((1, 1, 3), dtype=np.uint8)),
    ]
    assert [[item.index for item in group] for group in group_ok_items(items, 2)] == [[0, 1, 2, 3]]
    assert [[item.index for item in group] for group in group_ok_items(items, 1)] == [
        [0],
        [1],
        [2],
        [3],
    ]
