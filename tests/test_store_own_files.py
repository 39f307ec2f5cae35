"""Which scanned paths are the store's own files (the store, its journals) and are left out:
those named as one of them that lead to one, however the store was named; an image that only
shares a name with the store, in another folder, is an image."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zsl_cli.store import EmbeddingStore, without_store_files


def test_an_image_named_as_the_store_in_another_folder_is_kept(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    (photos / "sub").mkdir(parents=True)
    (photos / "sub" / "store.png").write_bytes(b"an image")
    (photos / "sub" / "store.png-wal").write_bytes(b"an image too")
    EmbeddingStore.open(photos / "store.png").close()
    found = sorted(p for p in photos.rglob("*") if p.is_file())
    assert without_store_files(found, photos / "store.png") == [
        photos / "sub" / "store.png",
        photos / "sub" / "store.png-wal",
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_link_to_the_store_among_the_images_is_left_out(tmp_path: Path) -> None:
    # The store is named through a link in the folder of images; SQLite's files lie beside the
    # file the link leads to, under that file's name.
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "a.png").write_bytes(b"an image")
    real = tmp_path / "kept" / "real.db"
    real.parent.mkdir()
    (photos / "s.png").symlink_to(real)
    EmbeddingStore.open(photos / "s.png").close()
    assert real.is_file()
    found = sorted(photos.iterdir())
    assert without_store_files(found, photos / "s.png") == [photos / "a.png"]
