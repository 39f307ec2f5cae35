"""A scanned folder holding nothing but folders, one of them a link back up to it, holds no file:
its stored images are kept, as an unmounted drive's empty mount point keeps them, however often
the link leads back to a folder already listed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zsl_cli.store import AbsentRoot, EmbeddingStore, StoredItem, stat_files


def test_a_root_holding_only_a_link_to_itself_keeps_its_images(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    image = photos / "a.png"
    image.write_bytes(b"pixels")
    (stat,), _ = stat_files([image])
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("m", "m", 2)
        store.add(model, [StoredItem(stat, "ok", "", np.array([0.0, 1.0], np.float32))])
        image.unlink()
        (photos / "empty").mkdir()
        (photos / "empty" / "up").symlink_to(photos, target_is_directory=True)
        (photos / "here").symlink_to(photos, target_is_directory=True)
        plan = store.plan(model, [], [str(photos)])
    assert (plan.stale, plan.kept) == ([], 1)
    assert plan.absent == [AbsentRoot(str(photos), missing=False, stored=1)]
