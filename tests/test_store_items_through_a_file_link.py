"""A run that reads its images from the store takes an image given through a link to a file the
store holds as stored: the link's target's vector, not "not embedded"."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from zsl_cli.records import STATUS_NOT_EMBEDDED, STATUS_OK
from zsl_cli.store import EmbeddingStore, StoredItem, stat_files, stored_items

UNIT = np.array([0.6, 0.0, 0.8, 0.0], dtype=np.float32)


def test_an_image_given_through_a_link_to_a_stored_file_has_its_vector(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    image = photos / "cat.png"
    image.write_bytes(b"pixels")
    (stat,), _ = stat_files([image])
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", len(UNIT))
        store.add(model, [StoredItem(stat, "ok", "", UNIT)])
    picks = tmp_path / "picks"
    picks.mkdir()
    link = picks / "best.png"  # another name in another folder: no folder link spells it
    link.symlink_to(image)
    unknown = picks / "new.png"
    unknown.write_bytes(b"other pixels")
    items = stored_items(str(path), "id", "m", [link, unknown])
    assert [(item.path, item.status) for item in items] == [
        (link, STATUS_OK),
        (unknown, STATUS_NOT_EMBEDDED),
    ]
    assert items[0].embedding is not None
    np.testing.assert_array_equal(items[0].embedding, UNIT)
