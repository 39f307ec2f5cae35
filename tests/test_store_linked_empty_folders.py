"""A scanned root holding nothing but a link to an empty folder holds no file: its stored images
are kept, as for an unmounted drive's mount point, not forgotten."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zsl_cli.store import AbsentRoot, EmbeddingStore, StoredItem, stat_files


def test_a_root_holding_only_a_link_to_an_empty_folder_is_absent(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    image = photos / "a.png"
    image.write_bytes(b"pixels")
    (stat,), _ = stat_files([image])
    (tmp_path / "empty").mkdir()
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 2)
        store.add(model, [StoredItem(stat, "ok", "", np.array([0.0, 1.0], np.float32))])
        image.unlink()
        (photos / "mount").symlink_to(tmp_path / "empty", target_is_directory=True)
        plan = store.plan(model, [], [str(photos)])
    assert (plan.stale, plan.absent, plan.kept) == (
        [],
        [AbsentRoot(str(photos), missing=False, stored=1)],
        1,
    )
