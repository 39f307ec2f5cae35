"""A stored row whose status and vector disagree (a damaged page escapes the table's CHECK)
is refused as damage by a read of the paths given, as by a read of the whole store."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem, stored_items


def stored_image(tmp_path: Path, status: str) -> tuple[Path, Path]:
    image = tmp_path / "a.png"
    image.write_bytes(b"pixels")
    stat = os.stat(image)
    db = tmp_path / "s.db"
    vector = np.array([0, 1, 0, 0], dtype=np.float32) if status == "ok" else None
    with EmbeddingStore.open(db) as store:
        model = store.register_model("m", "m", 4)
        store.add(
            model,
            [StoredItem(FileStat(str(image), stat.st_size, stat.st_mtime_ns), status, "", vector)],
        )
    return db, image


def damage(db: Path, update: str) -> None:
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA ignore_check_constraints = ON")
    with raw:
        raw.execute(update)
    raw.close()


@pytest.mark.parametrize(
    ("status", "update"),
    [
        ("ok", "UPDATE files SET vector = NULL"),
        ("not_an_image", "UPDATE files SET vector = zeroblob(16)"),
    ],
)
def test_a_row_whose_status_and_vector_disagree_is_damage(
    tmp_path: Path, status: str, update: str
) -> None:
    db, image = stored_image(tmp_path, status)
    damage(db, update)
    with pytest.raises(ZslError, match=r"is damaged \(a stored status and vector disagree\)"):
        stored_items(str(db), "m", "m", [image])


def test_an_intact_row_is_read_as_stored(tmp_path: Path) -> None:
    db, image = stored_image(tmp_path, "ok")
    (item,) = stored_items(str(db), "m", "m", [image])
    assert item.status == "ok"
    np.testing.assert_array_equal(item.embedding, [0, 1, 0, 0])
