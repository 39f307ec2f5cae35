"""Reads of a model that holds no image: the store holding no image at all says its first embed
saved none (or all were forgotten); one whose other model holds images says this one has none.
And what a store tells of a model: its precision, and an export's metadata."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import (
    EmbeddingStore,
    FileStat,
    StoredItem,
    stored_export_rows,
    stored_items,
    stored_precision,
)

VECTOR = np.array([0.0, 1.0], dtype=np.float32)


def test_a_model_without_images_in_a_store_without_images(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        store.register_model("id-a", "model-a", 2)
    with pytest.raises(ZslError) as raised:
        stored_items(str(path), "id-a", "model-a", None)
    assert str(raised.value) == (
        f"{path} holds no embeddings: its first `zsl embed` saved none yet (it is still running, "
        "or it stopped before it saved any), or every image stored was forgotten since (gone "
        "from the folders embedded); wait for it, or run `zsl embed` on the images"
    )


def test_a_model_without_images_beside_one_with_images(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        store.register_model("id-a", "model-a", 2)
        other = store.register_model("id-b", "model-b", 2)
        store.add(other, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", VECTOR)])
    with pytest.raises(ZslError) as raised:
        stored_items(str(path), "id-a", "model-a", None)
    assert str(raised.value) == f"{path}: no stored images"


def test_a_models_precision_and_export_metadata_are_as_registered(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id-a", "model-a", 2, dtype="float16", precision="bfloat16")
        store.add(model, [StoredItem(FileStat("/data/a.png", 3, 4), "ok", "", VECTOR)])
    assert stored_precision(path, "id-a") == "bfloat16"
    assert stored_precision(path, "id-other") is None
    rows = stored_export_rows(path, "id-a", "model-a")
    assert rows.metadata == {
        "identity": "id-a",
        "name": "model-a",
        "dim": "2",
        "dtype": "float16",
        "precision": "bfloat16",
    }
    assert rows.files == [(b"/data/a.png", 3, 4)]
    np.testing.assert_array_equal(rows.vectors, [[0.0, 1.0]])
