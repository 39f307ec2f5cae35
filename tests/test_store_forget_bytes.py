"""Forgetting a deleted image whose name is not UTF-8: the row goes, matched by the name's
bytes exactly (os.fsencode), as it was stored."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.store import EmbeddingStore, StoredItem, stat_files

pytestmark = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="needs a file system that takes any name bytes"
)


def test_a_deleted_image_named_in_other_bytes_than_utf8_is_forgotten(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path / "photos")
    os.makedirs(folder)
    names = [b"caf\xe9.png", b"plain.png"]
    for name in names:
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(name)
    paths = [Path(os.fsdecode(os.path.join(folder, name))) for name in names]
    stats, _ = stat_files(paths)
    vector = np.array([0.0, 1.0], dtype=np.float32)
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 2)
        store.add(model, [StoredItem(stat, "ok", "", vector) for stat in stats])
        os.remove(os.path.join(folder, b"caf\xe9.png"))
        plan = store.plan(model, stat_files([paths[1]])[0], [os.fsdecode(folder)])
        assert [os.fsencode(path) for path in plan.stale] == [os.path.join(folder, b"caf\xe9.png")]
        assert store.forget(model, plan.stale) == 1
        assert store.paths(model) == [str(paths[1])]
