"""How far from 1 a stored image embedding's length may be: within 1% (float16's rounding, and
float32's, stay well inside it); 5% off is damage, which every read refuses and a plan encodes
again."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, StoredItem, stat_files

MTIME_NS = 1_700_000_000_123_456_789
DIRECTION = np.array([0.6, 0.0, 0.8, 0.0])  # of length 1


def stored(tmp_path: Path, length: float) -> tuple[Path, Path]:
    """A store holding one image, its vector DIRECTION * length (float32), and that image."""
    image = tmp_path / "photos" / "a.png"
    image.parent.mkdir()
    image.write_bytes(b"pixels")
    os.utime(image, ns=(MTIME_NS, MTIME_NS))
    (stat,), _ = stat_files([image])
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", 4)
        vector = (DIRECTION * length).astype(np.float32)
        store.add(model, [StoredItem(stat, "ok", "", vector)])
    return tmp_path / "s.zsl", image


@pytest.mark.parametrize("length", [1.005, 0.995])
def test_a_vector_within_one_percent_of_unit_length_is_read_and_reused(
    tmp_path: Path, length: float
) -> None:
    path, image = stored(tmp_path, length)
    with EmbeddingStore.open(path, create=False) as store:
        model = store.find_model("id")
        assert model is not None
        loaded = store.load(model, unit=True)
        np.testing.assert_allclose(loaded.vectors, [DIRECTION * length], rtol=1e-6)
        plan = store.plan(model, stat_files([image])[0], [str(image.parent)])
        assert (plan.reused, plan.repaired) == ([str(image)], [])


@pytest.mark.parametrize("length", [1.05, 0.95])
def test_a_vector_five_percent_off_is_damage(tmp_path: Path, length: float) -> None:
    path, image = stored(tmp_path, length)
    with EmbeddingStore.open(path, create=False) as store:
        model = store.find_model("id")
        assert model is not None
        with pytest.raises(ZslError, match=r"1 vector that is not of unit length \(.*a\.png\)"):
            store.load(model, unit=True)
        with pytest.raises(ZslError, match="not of unit length"):
            store.fetch(model, [str(image)], unit=True)
        plan = store.plan(model, stat_files([image])[0], [str(image.parent)])
        assert (plan.reused, plan.repaired) == ([], [str(image)])
