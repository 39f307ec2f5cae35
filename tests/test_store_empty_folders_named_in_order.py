"""Empty folders that keep stored images (an unmounted drive's mount point looks so) are named
in the plan by their paths' order, whatever the order of the stored images under them: a
folder comes before one whose name extends it ("a" before "a-b"), though "a-b/y" sorts before
"a/x" as bytes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zsl_cli.store import AbsentRoot, EmbeddingStore, FileStat, StoredItem, stat_files


def test_empty_folders_are_named_in_the_order_of_their_paths(tmp_path: Path) -> None:
    root = tmp_path / "r"
    for name in ("a", "a-b", "a.c"):
        (root / name).mkdir(parents=True)
    (root / "keep.png").write_bytes(b"x")  # the root itself holds a file
    gone = [root / "a" / "x.png", root / "a-b" / "y.png", root / "a.c" / "z.png"]
    vector = np.array([1, 0, 0, 0], dtype=np.float32)
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 4)
        stored = [StoredItem(FileStat(str(p), 1, 1), "ok", "", vector) for p in gone]
        store.add(model, stored)
        scan, _ = stat_files([root / "keep.png"])
        folders = [str(root / name) for name in ("a", "a-b", "a.c")]
        plan = store.plan(model, scan, [str(root)], [str(root), *folders], empty_folders=folders)
    assert plan.absent == [AbsentRoot(folder, False, 1, below=True) for folder in folders]
    assert plan.stale == [] and plan.kept == 3
