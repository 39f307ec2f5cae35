"""A stored image whose path is now an empty folder, a broken link or a folder.

- A stored image whose path is now an empty folder was kept as if under an unmounted drive's
  mount point, and `zsl label` still gave it an ok prediction: the folder is in its place, so
  the file is gone (only entries strictly below an empty folder are kept).
- A file replaced by a broken link (or a folder) between the scan and its decode was stored as a
  failed image; found so at the scan, it is unreachable and not stored. Now both are the same.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import embed, replace_before_decode, write_images
from tests.store_helpers import encoded, images_in, stored_paths
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

# -- a file replaced by an empty folder is gone ---------------------------------------------


def test_a_file_replaced_by_an_empty_folder_is_stale(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    a, b = images_in(photos, ["a.png", "b.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, photos)
        a.unlink()
        a.mkdir()  # an empty folder with the image's name: listed by the scan as empty
        stats = [FileStat(str(b), b.stat().st_size, b.stat().st_mtime_ns)]
        plan = store.plan(model, stats, [str(photos)], [str(photos)], empty_folders=[str(a)])
        assert (plan.stale, plan.kept, plan.absent) == ([str(a)], 0, [])


def test_a_root_file_replaced_by_an_empty_folder_is_stale(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    (a,) = images_in(photos, ["a.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, photos)
        a.unlink()
        a.mkdir()
        plan = store.plan(model, [], [str(a)], [str(a)], empty_folders=[str(a)])
        assert (plan.stale, plan.kept, plan.absent) == ([str(a)], 0, [])


def test_images_below_an_empty_folder_are_still_kept(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    images_in(photos, ["keep.png"])
    (a,) = images_in(photos / "usb", ["a.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, photos)
        a.unlink()  # the mount point is left, empty
        keep = photos / "keep.png"
        stats = [FileStat(str(keep), keep.stat().st_size, keep.stat().st_mtime_ns)]
        plan = store.plan(
            model, stats, [str(photos)], [str(photos)], empty_folders=[str(photos / "usb")]
        )
        assert (plan.stale, plan.kept) == ([], 1)


def test_a_stored_failure_replaced_by_an_empty_folder_is_forgotten(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    a, b = images_in(photos, ["a.png", "b.png"])
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = encoded(store, photos)
        # The first embed found a.png a folder when it read it: stored as not_a_file.
        a.unlink()
        a.mkdir()
        stat = FileStat(str(a), 0, 0)
        store.add(model, [StoredItem(stat, "not_a_file", "is a directory", None)])
        stats = [FileStat(str(b), b.stat().st_size, b.stat().st_mtime_ns)]
        plan = store.plan(model, stats, [str(photos)], [str(photos)], empty_folders=[str(a)])
        assert (plan.stale, plan.kept) == ([str(a)], 0)


def test_embed_forgets_an_image_whose_path_is_now_an_empty_folder(
    tiny_clip, tmp_path: Path
) -> None:
    photos, store = tmp_path / "photos", tmp_path / "s.zsl"
    first, *_ = write_images(photos, 3)
    assert embed(store, tiny_clip, photos)[1]["encoded"] == 3
    first.unlink()
    first.mkdir()
    code, report, stderr = embed(store, tiny_clip, photos)
    assert (code, report["removed"], report["kept"]) == (0, 1, 0)
    assert "kept" not in stderr
    assert str(first) not in stored_paths(store, tiny_clip)


# -- a file that stops being one between the scan and its decode ----------------------------


def broken_link_in_place_of(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.with_name("gone.png"))


@pytest.mark.parametrize("stored_before", [False, True])
def test_a_file_become_a_broken_link_before_its_decode_is_unreachable(
    tiny_clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored_before: bool
) -> None:
    photos, store = tmp_path / "photos", tmp_path / "s.zsl"
    first, *_ = write_images(photos, 3)
    if stored_before:  # its ok vector is not kept for the file gone: the row goes
        assert embed(store, tiny_clip, photos)[1]["encoded"] == 3
        first.write_bytes(first.read_bytes() + b"changed")  # to be encoded again
    replace_before_decode(monkeypatch, lambda: broken_link_in_place_of(first))
    code, report, stderr = embed(store, tiny_clip, photos)
    assert (report["failed"], report["failed_by_status"]) == (0, {})
    assert report["unreachable"] == 1
    (unreachable,) = report["unreachable_files"]
    assert (unreachable["path"], unreachable["status"]) == (str(first), "broken_link")
    assert report["removed"] == stored_before
    assert str(first) not in stored_paths(store, tiny_clip)
    # The same as where the link was there at the scan.
    monkeypatch.undo()
    code_at_scan, at_scan, _ = embed(store, tiny_clip, photos)
    assert (code, report["unreachable_files"]) == (code_at_scan, at_scan["unreachable_files"])


def test_a_file_become_a_folder_before_its_decode_is_unreachable(
    tiny_clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photos, store = tmp_path / "photos", tmp_path / "s.zsl"
    first, *_ = write_images(photos, 2)

    def folder_in_place() -> None:
        first.unlink()
        first.mkdir()

    replace_before_decode(monkeypatch, folder_in_place)
    code, report, _ = embed(store, tiny_clip, photos)
    assert (report["failed"], report["encoded"], report["unreachable"]) == (0, 1, 1)
    assert report["unreachable_files"][0]["status"] == "not_a_file"
    assert str(first) not in stored_paths(store, tiny_clip)
    assert os.path.isdir(first)
