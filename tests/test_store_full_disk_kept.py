"""What a write failed on a full disk says the store keeps, for a connection that committed
nothing yet: no image at all where the store held none, else what the store held."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

DIM = 256


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def full_disk_message(path: Path) -> str:
    """A batch too big for the room left, added by a connection that has committed nothing."""
    with EmbeddingStore.open(path, create=False) as store:
        model = store.find_model("id")
        assert model is not None
        # No room for another page: what SQLite reports on a full disk (SQLITE_FULL).
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        stats = [FileStat(f"/images/{i:04}.png", 1, 1) for i in range(200)]
        with pytest.raises(ZslError) as raised:
            store.add(model, [StoredItem(s, "ok", "", unit(i)) for i, s in enumerate(stats)])
    return str(raised.value)


@pytest.mark.parametrize("held", [0, 1])
def test_a_full_disk_says_what_the_store_keeps(tmp_path: Path, held: int) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", DIM)
        if held:
            store.add(model, [StoredItem(FileStat("/images/kept.png", 1, 1), "ok", "", unit(0))])
    kept = (
        "no image of this run was saved; the store keeps what it held"
        if held
        else ("no image was saved")
    )
    assert full_disk_message(path) == (
        f"disk full while writing embedding store {path}; free space and re-run ({kept})"
    )
