"""A stored vector longer than the model's dim is damage, as a short one is: every read refuses it
as a damaged store naming the image (not a traceback from joining the rows), and the plan of an
embed encodes its unchanged image again."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, StoredItem, stat_files

UNIT = np.array([0.6, 0.0, 0.8, 0.0], dtype=np.float32)


@pytest.mark.parametrize("extra", [UNIT[:1], UNIT, np.concatenate([UNIT, UNIT])])
def test_a_vector_longer_than_the_models_dim_is_a_damaged_store(
    tmp_path: Path, extra: np.ndarray
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    images = [folder / "a.png", folder / "b.png"]
    for image in images:
        image.write_bytes(b"pixels")
    stats, _ = stat_files(images)
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", len(UNIT))
        store.add(model, [StoredItem(stat, "ok", "", UNIT) for stat in stats])
        long = np.concatenate([UNIT, extra]).astype("<f4").tobytes()
        with sqlite3.connect(path) as raw:
            raw.execute(
                "UPDATE files SET vector = ? WHERE path = ?", (long, os.fsencode(images[0]))
            )
        raw.close()
        for read in (
            lambda: store.load(model, unit=True),
            lambda: store.fetch(model, [str(image) for image in images], unit=True),
            lambda: store.export_rows(model),
        ):
            with pytest.raises(ZslError) as caught:
                read()
            message = str(caught.value)
            assert "1 vector that is not 4 values long" in message
            assert str(images[0]) in message
            assert str(images[1]) not in message
        plan = store.plan(model, stat_files(images)[0], [str(folder)])
    assert plan.repaired == [str(images[0])]
    assert plan.reused == [str(images[1])]
