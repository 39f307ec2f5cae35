"""Rows `add` refuses to write, as a caller's mistake: a failed image with a vector, an ok one
without or of another length, a relative path. None of the batch is written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

VECTOR = np.array([0.0, 1.0], dtype=np.float32)


@pytest.mark.parametrize(
    ("item", "why"),
    [
        (StoredItem(FileStat("/data/b.png", 1, 1), "unreadable", "no", VECTOR), "has no vector"),
        (StoredItem(FileStat("/data/b.png", 1, 1), "ok", "", None), "needs a vector"),
        (StoredItem(FileStat("/data/b.png", 1, 1), "ok", "", VECTOR[:1]), r"shape \(1,\)"),
        (StoredItem(FileStat("data/b.png", 1, 1), "ok", "", VECTOR), "must be absolute"),
    ],
)
def test_a_row_zsl_never_writes_is_refused_with_its_batch(
    tmp_path: Path, item: StoredItem, why: str
) -> None:
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 2)
        first = StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", VECTOR)
        with pytest.raises(ValueError, match=why):
            store.add(model, [first, item])
        assert store.paths(model) == []
