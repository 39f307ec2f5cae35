"""Which images a plan says it encodes again to repair a damaged vector: unchanged ones only. A
changed image is encoded again anyway, and is not counted as a repair."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np

from zsl_cli.store import EmbeddingStore, StoredItem, stat_files

MTIME_NS = 1_700_000_000_123_456_789


def test_only_unchanged_images_with_damaged_vectors_are_repairs(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    images = [folder / name for name in ("a.png", "b.png", "c.png")]
    for image in images:
        image.write_bytes(b"pixels")
        os.utime(image, ns=(MTIME_NS, MTIME_NS))
    stats, _ = stat_files(images)
    unit = np.array([0.0, 1.0], dtype=np.float32)
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 2)
        store.add(model, [StoredItem(stat, "ok", "", unit) for stat in stats])
        with sqlite3.connect(store.path) as raw:  # a's and b's vectors damaged
            raw.execute(
                "UPDATE files SET vector = ? WHERE path != ?",
                ((unit * 4).tobytes(), os.fsencode(images[2])),
            )
        raw.close()
        os.utime(images[1], ns=(MTIME_NS + 1, MTIME_NS + 1))  # b changed since
        plan = store.plan(model, stat_files(images)[0], [str(folder)])
    assert plan.repaired == [str(images[0])]
    assert [stat.path for stat in plan.to_encode] == [str(images[0]), str(images[1])]
    assert plan.reused == [str(images[2])]
