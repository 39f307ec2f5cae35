"""A scanned folder that cannot be listed may hold files: it is not taken for an unmounted
drive's empty mount point, and what is gone from it is gone."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.store import EmbeddingStore, StoredItem, stat_files


def test_a_root_that_cannot_be_listed_is_not_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    image = photos / "a.png"
    image.write_bytes(b"pixels")
    (stat,), _ = stat_files([image])
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 2)
        store.add(model, [StoredItem(stat, "ok", "", np.array([0.0, 1.0], np.float32))])
        image.unlink()
        # As listed, photos holds nothing: an unmounted drive's mount point looks the same.
        assert store.plan(model, [], [str(photos)]).absent != []

        def refused(path: object) -> None:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))  # type: ignore[arg-type]

        monkeypatch.setattr(os, "scandir", refused)
        plan = store.plan(model, [], [str(photos)])
    assert (plan.stale, plan.absent, plan.kept) == ([str(image)], [], 0)
