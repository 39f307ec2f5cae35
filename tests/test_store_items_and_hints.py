"""A run's items from the store: an image whose size changed since it was stored is "changed"
even where its mtime is the same; and the options of the `zsl embed` the hints give."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from zsl_cli.defaults import DEFAULT_MODEL
from zsl_cli.records import STATUS_CHANGED, STATUS_OK
from zsl_cli.store import EmbeddingStore, StoredItem, embed_options, stat_files, stored_items

MTIME_NS = 1_700_000_000_123_456_789


def test_an_image_of_another_size_with_the_same_mtime_is_changed(tmp_path: Path) -> None:
    images = [tmp_path / "a.png", tmp_path / "b.png"]
    for image in images:
        image.write_bytes(b"pixels")
        os.utime(image, ns=(MTIME_NS, MTIME_NS))
    stats, _ = stat_files(images)
    vector = np.array([0.0, 1.0], dtype=np.float32)
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 2)
        store.add(model, [StoredItem(stat, "ok", "", vector) for stat in stats])
    images[1].write_bytes(b"more pixels")  # rewritten within the same mtime
    os.utime(images[1], ns=(MTIME_NS, MTIME_NS))
    items = stored_items(str(tmp_path / "s.zsl"), "id", "m", images)
    assert [(item.path, item.status) for item in items] == [
        (images[0], STATUS_OK),
        (images[1], STATUS_CHANGED),
    ]
    assert items[1].embedding is None


def test_the_default_model_needs_no_option_and_others_are_named() -> None:
    assert embed_options(DEFAULT_MODEL, False) == ""
    exact = embed_options(DEFAULT_MODEL, True, "bfloat16")
    assert exact == "--exact-preprocessing --precision bf16"
    assert embed_options("my model", False) == "-m 'my model'"


def test_a_path_not_in_the_store_is_said_as_embed_would_say_it(tmp_path: Path) -> None:
    # A broken link, which embed could not store either, is named as one; a file embed would
    # store is not embedded yet.
    (tmp_path / "new.png").write_bytes(b"pixels")
    (tmp_path / "gone.png").symlink_to(tmp_path / "nowhere.png")
    stored = tmp_path / "a.png"
    stored.write_bytes(b"pixels")
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 2)
        vector = np.array([0.0, 1.0], dtype=np.float32)
        store.add(model, [StoredItem(stat_files([stored])[0][0], "ok", "", vector)])
    paths = [tmp_path / "new.png", tmp_path / "gone.png"]
    items = stored_items(str(tmp_path / "s.zsl"), "id", "m", paths)
    assert [(item.status, item.error) for item in items] == [
        ("not_embedded", "not in the embedding store: run 'zsl embed' on it"),
        (
            "broken_link",
            f"broken symbolic link (its target {tmp_path / 'nowhere.png'} does not exist), and "
            "not in the store",
        ),
    ]
