"""How a model is registered in a store: a new one without a dtype asked for keeps float32
vectors, and the store's connection commits each batch durably (synchronous FULL)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

DIM = 4


def test_a_new_model_registered_without_a_dtype_stores_float32(tmp_path: Path) -> None:
    vector = np.array([0.6, 0.0, 0.8, 1e-7], dtype=np.float64)
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id-a", "model-a", DIM, dtype=None)
        store.add(model, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", vector)])
        assert [m.dtype for m in store.models()] == ["float32"]
    with sqlite3.connect(tmp_path / "s.zsl") as raw:
        (blob,) = raw.execute("SELECT vector FROM files").fetchone()
    assert blob == vector.astype("<f4").tobytes()


def test_each_commit_is_synced_to_the_disk(tmp_path: Path) -> None:
    # FULL (2): a committed batch survives a power loss, not just a crash of zsl.
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        assert store._conn.execute("PRAGMA synchronous").fetchone() == (2,)


def test_a_model_registered_again_without_a_dtype_takes_its_stored_one(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id-a", "model-a", DIM, dtype="float16")
        assert store.register_model("id-a", "model-a", DIM, dtype=None) == model
        assert [m.dtype for m in store.models()] == ["float16"]


def test_models_are_listed_by_when_they_were_registered_with_their_counts(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        later = store.register_model("id-b", "model-b", DIM)
        earlier = store.register_model("id-a", "model-a", DIM)
        ok = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
        store.add(
            earlier,
            [
                StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", ok),
                StoredItem(FileStat("/data/b.png", 1, 1), "ok", "", ok),
                StoredItem(FileStat("/data/c.png", 1, 1), "unreadable", "no", None),
            ],
        )
        listed = [(m.id, m.identity, m.n_ok, m.n_failed) for m in store.models()]
    assert listed == [(later, "id-b", 0, 0), (earlier, "id-a", 2, 1)]


def test_a_read_takes_a_former_identity_only_where_it_alone_holds_images(tmp_path: Path) -> None:
    ok = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        current = store.register_model("id-new", "m", DIM)
        # no former identity holds an image: the current one, empty as it is
        assert store.readable_model("id-new", ["id-old"]) == (current, "id-new")
        old = store.register_model("id-old", "m", DIM)
        store.add(old, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", ok)])
        assert store.readable_model("id-new", ["id-old"]) == (old, "id-old")
        store.add(current, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", ok)])
        assert store.readable_model("id-new", ["id-old"]) == (current, "id-new")
        assert store.readable_model("id-other", ["id-gone"]) is None


def test_a_version_1_store_not_yet_migrated_counts_every_image_of_unknown_precision(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.zsl"
    ok = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id-a", "model-a", DIM, precision="float32")
        store.add(
            model,
            [
                StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", ok),
                StoredItem(FileStat("/data/b.png", 1, 1), "unreadable", "no", None),
            ],
        )
        assert store.unknown_precision_images(model) == 0
    raw = sqlite3.connect(path)  # as zsl wrote it before the precision was recorded
    with raw:
        raw.execute("ALTER TABLE models DROP COLUMN precision")
        raw.execute("PRAGMA user_version = 1")
    raw.close()
    with EmbeddingStore.open(path, create=False) as store:
        assert store.unknown_precision_images(model) == 2
