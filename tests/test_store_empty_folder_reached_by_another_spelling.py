"""An empty folder below a scanned path keeps the images stored under it whatever spelling they
were stored through: embedded through a link to a drive's mount point, scanned later through the
mount point's real path while the drive is unmounted, they are kept as an unmounted drive's
images, not forgotten as deleted ones."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np

from zsl_cli.discovery import scan
from zsl_cli.store import AbsentRoot, EmbeddingStore, StoredItem, stat_files


def test_images_stored_through_a_link_to_an_emptied_mount_point_are_kept(tmp_path: Path) -> None:
    mnt = tmp_path / "mnt"
    usb = mnt / "usb"
    usb.mkdir(parents=True)
    (mnt / "other.png").write_bytes(b"pixels")  # the scanned folder still holds a file
    (usb / "a.png").write_bytes(b"pixels")
    (usb / "b.png").write_bytes(b"pixels")
    link = tmp_path / "drive"
    link.symlink_to(usb, target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("m", "m", 2)
        stats, _ = stat_files([link / "a.png", link / "b.png"])  # stored as drive/*.png
        vector = np.array([0.0, 1.0], np.float32)
        store.add(model, [StoredItem(stat, "ok", "", vector) for stat in stats])
        shutil.rmtree(usb)
        usb.mkdir()  # the drive unmounted: its mount point, empty
        discovery = scan([str(mnt)], stdin=io.BytesIO(b""), allow_empty=True)
        found, _ = stat_files(discovery.paths)
        plan = store.plan(
            model,
            found,
            discovery.roots,
            discovery.folders,
            empty_folders=discovery.empty_folders,
        )
        assert (plan.stale, plan.kept) == ([], 2)
        assert plan.absent == [AbsentRoot(str(usb), False, 2, below=True)]
        forgetting = store.plan(
            model,
            found,
            discovery.roots,
            discovery.folders,
            empty_folders=discovery.empty_folders,
            forget_absent=True,
        )
        assert forgetting.stale == [str(link / "a.png"), str(link / "b.png")]
