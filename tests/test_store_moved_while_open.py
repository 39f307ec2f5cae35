"""A store's file moved away, or another renamed over its path, while a connection has it open:
the connection tells, and what it wrote goes into the file it has open, leaving no commit in
the -wal file under the store's name (which SQLite would lay over the file now there)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

VECTOR = np.array([0.0, 1.0], dtype=np.float32)


def add_one(store: EmbeddingStore, model: int, path: str) -> None:
    store.add(model, [StoredItem(FileStat(path, 1, 1), "ok", "", VECTOR)])


def test_a_store_moved_away_or_replaced_is_told_and_one_in_place_is_not(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        assert not store.replaced_on_disk()
        os.replace(path, tmp_path / "moved.zsl")
        assert store.replaced_on_disk()  # no file at its path
        (tmp_path / "other").write_bytes(b"a backup put back")
        os.replace(tmp_path / "other", path)
        assert store.replaced_on_disk()  # another file at its path
        os.replace(path, tmp_path / "other")
        os.replace(tmp_path / "moved.zsl", path)
        assert not store.replaced_on_disk()  # its own file back in place


def test_letting_go_of_a_moved_store_leaves_its_commits_in_the_file_it_had_open(
    tmp_path: Path,
) -> None:
    path, moved = tmp_path / "s.zsl", tmp_path / "moved.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", 2)
        add_one(store, model, "/data/a.png")
        os.replace(path, moved)
        add_one(store, model, "/data/b.png")
        assert os.path.getsize(f"{path}-wal") > 0
        store.let_go_of_replaced()
        assert os.path.getsize(f"{path}-wal") == 0
        # Read on its own, as the moved file will be: every commit is in it.
        with EmbeddingStore.open(moved, create=False) as reader:
            model_read = reader.find_model("id")
            assert model_read is not None
            assert reader.paths(model_read) == ["/data/a.png", "/data/b.png"]
