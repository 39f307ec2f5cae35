"""A writer waiting for another's lock, where SQLite's failure is told by its text alone (Python
3.10's sqlite3 gives no `sqlite_errorname`): "database is locked" is waited out, slice by
slice, as SQLITE_BUSY is, rather than failing the write at once."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from zsl_cli.store import EmbeddingStore, FileStat, StoredItem


class LockedForAWhile:
    """A connection whose first `BEGIN IMMEDIATE`s fail as a held lock does on Python 3.10."""

    def __init__(self, conn: sqlite3.Connection, refusals: int) -> None:
        self._conn = conn
        self.refusals = refusals

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "BEGIN IMMEDIATE" and self.refusals:
            self.refusals -= 1
            raise sqlite3.OperationalError("database is locked")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_a_lock_told_by_its_text_is_waited_for(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 4)
        proxy = LockedForAWhile(store._conn, refusals=3)
        store._conn = proxy  # the store writes through it from here on
        vector = np.array([1, 0, 0, 0], dtype=np.float32)
        store.add(model, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", vector)])
        assert proxy.refusals == 0
        assert store.paths(model) == ["/data/a.png"]
