"""A store only to be read, on a disk with no room for the shared-memory file SQLite makes
beside it even for a read (a full disk, a quota): read as it is read from a folder zsl may not
write, not refused; a store to write is refused as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem


def no_room_for_shm(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Connections opened as a writer fails for want of room for the -shm file; returns the
    locations connected to."""
    connect = EmbeddingStore._connect.__func__  # type: ignore[attr-defined]
    locations: list[str] = []

    def connect_without_room(cls: Any, location: str, path: Path, *args: Any, **kwargs: Any):
        locations.append(location)
        if not location.startswith("file:"):  # as a writer opens it
            cause = sqlite3.OperationalError("disk I/O error")
            cause.sqlite_errorname = "SQLITE_IOERR_SHMSIZE"  # type: ignore[attr-defined]
            raise ZslError(f"no room for the shared-memory file of {path}") from cause
        return connect(cls, location, path, *args, **kwargs)

    monkeypatch.setattr(EmbeddingStore, "_connect", classmethod(connect_without_room))
    return locations


def make_store(path: Path) -> None:
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", 4)
        vector = np.array([0, 1, 0, 0], dtype=np.float32)
        store.add(model, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", vector)])


def test_a_store_to_read_is_read_without_its_shm_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.zsl"
    make_store(path)
    locations = no_room_for_shm(monkeypatch)
    with EmbeddingStore.open(path, create=False) as store:
        model = store.find_model("id")
        assert model is not None and store.paths(model) == ["/data/a.png"]
    assert locations[0] == str(path) and locations[-1].endswith("?immutable=1")


def test_a_store_to_write_is_refused_for_want_of_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.zsl"
    make_store(path)
    no_room_for_shm(monkeypatch)
    with pytest.raises(ZslError, match="no room for the shared-memory file"):
        EmbeddingStore.open(path)
