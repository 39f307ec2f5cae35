"""A writer finding the store's write lock held waits for it (up to the store's timeout) rather
than failing: two zsl embed runs into one store take turns."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np

from zsl_cli.store import EmbeddingStore, FileStat, StoredItem


def test_a_write_waits_for_another_writers_lock(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    EmbeddingStore.open(path).close()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another writer, in the middle of its batch
    waiting = threading.Event()
    release = threading.Thread(target=lambda: (waiting.wait(10), other.execute("COMMIT")))
    release.start()
    try:
        with EmbeddingStore.open(path, create=False, timeout_s=60) as store:
            # The lock is released 0.3 s later, while this write waits for it.
            threading.Timer(0.3, waiting.set).start()
            model = store.register_model("id", "m", 2)
            vector = np.array([0.0, 1.0], dtype=np.float32)
            store.add(model, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", vector)])
            assert store.paths(model) == ["/data/a.png"]
    finally:
        waiting.set()
        release.join()
        other.close()
