"""A stored vector that is empty (a blob of no bytes) is damage that every read refuses, as any
vector of the wrong length is: the plan of an embed encodes its unchanged image again rather
than reuse it, or the store stayed refused for good."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, StoredItem, stat_files


def test_an_empty_stored_vector_of_an_unchanged_image_is_repaired(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    images = [folder / name for name in ("a.png", "b.png")]
    for image in images:
        image.write_bytes(b"pixels")
    stats, _ = stat_files(images)
    unit = np.array([0.0, 1.0], dtype=np.float32)
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 2)
        store.add(model, [StoredItem(stat, "ok", "", unit) for stat in stats])
        with sqlite3.connect(store.path) as raw:
            raw.execute("UPDATE files SET vector = X'' WHERE path = ?", (os.fsencode(images[0]),))
        raw.close()
        with pytest.raises(ZslError, match="damaged"):
            store.load(model, unit=True)
        plan = store.plan(model, stat_files(images)[0], [str(folder)])
    assert plan.repaired == [str(images[0])]
    assert [stat.path for stat in plan.to_encode] == [str(images[0])]
    assert plan.reused == [str(images[1])]
