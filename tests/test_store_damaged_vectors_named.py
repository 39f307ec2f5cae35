"""The refusal of a store's damaged vectors names the images whose vectors are damaged, each
under what is wrong with it, and the `zsl embed` that encodes them again: their folder (FOLDER
where that is the root of the file system), the store and the model's own options."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

DIM = 4
UNIT = np.array([0.6, 0.0, 0.8, 0.0], dtype=np.float32)


def stored(path: Path, model_name: str, paths: list[str]) -> tuple[EmbeddingStore, int]:
    store = EmbeddingStore.open(path)
    model = store.register_model("id", model_name, DIM)
    store.add(model, [StoredItem(FileStat(p, 1, 1), "ok", "", UNIT) for p in paths])
    return store, model


def set_vector(store: Path, path: str, blob: bytes) -> None:
    with sqlite3.connect(store) as raw:
        raw.execute("UPDATE files SET vector = ? WHERE path = ?", (blob, path.encode()))
    raw.close()


def refusal(read) -> str:
    with pytest.raises(ZslError) as caught:
        read()
    return str(caught.value)


def test_each_damaged_image_is_named_under_its_own_fault(tmp_path: Path) -> None:
    # /data/a.png's vector is short, so the matrix has no row for it: /data/c.png, not
    # /data/b.png, is the one whose row is not finite.
    path = tmp_path / "s.zsl"
    store, model = stored(path, "m", ["/data/a.png", "/data/b.png", "/data/c.png"])
    with store:
        set_vector(path, "/data/a.png", b"\0" * 3)
        set_vector(path, "/data/c.png", np.array([np.nan, 0, 1, 0], "<f4").tobytes())
        expected = (
            f"embedding store {path} holds 2 damaged vectors: 1 not 4 values long (/data/a.png), "
            f"1 not finite (/data/c.png); it is damaged there: `zsl embed /data --store {path} "
            "-m m` encodes those images again"
        )
        assert refusal(lambda: store.load(model)) == expected
        fetched = ["/data/a.png", "/data/b.png", "/data/c.png"]
        assert refusal(lambda: store.fetch(model, fetched)) == expected


def test_a_failed_image_fetched_first_leaves_the_damaged_one_named(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    store, model = stored(path, "m", ["/data/b.png"])
    with store:
        store.add(model, [StoredItem(FileStat("/data/a.png", 1, 1), "unreadable", "no", None)])
        set_vector(path, "/data/b.png", (UNIT * 3).tobytes())
        assert refusal(lambda: store.fetch(model, ["/data/a.png", "/data/b.png"], unit=True)) == (
            f"embedding store {path} holds 1 vector that is not of unit length (/data/b.png); it "
            f"is damaged there: `zsl embed /data --store {path} -m m` encodes those images again"
        )


def test_images_at_the_root_of_the_file_system_are_embedded_by_folder_name(
    tmp_path: Path,
) -> None:
    # Their common folder is /: the command says FOLDER rather than embed a whole disk.
    path = tmp_path / "s.zsl"
    store, model = stored(path, "m (exact preprocessing)", ["/a.png", "/b.png"])
    with store:
        set_vector(path, "/a.png", b"\0" * 5)
        set_vector(path, "/b.png", b"\0" * 5)
        assert refusal(lambda: store.load(model)) == (
            f"embedding store {path} holds 2 vectors that are not 4 values long (/a.png, /b.png); "
            f"it is damaged there: `zsl embed FOLDER --store {path} -m m --exact-preprocessing` "
            "encodes those images again"
        )


def test_a_model_of_dim_zero_is_a_damaged_store(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    store, model = stored(path, "m", ["/data/a.png"])
    with store:
        with sqlite3.connect(path) as raw:
            raw.execute("PRAGMA ignore_check_constraints = ON")
            raw.execute("UPDATE models SET dim = 0")
        raw.close()
        assert refusal(lambda: store.load(model)) == (
            f"embedding store {path} is damaged (a model's dim 0 or dtype 'float32' is none zsl "
            "writes); delete it and re-run `zsl embed`"
        )
