"""Helpers that several embedding-store tests share: stores filled through the store's API, as
an older zsl wrote them, and what a store holds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from zsl_cli import api
from zsl_cli.encoders import load_encoder
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem, stat_files

DIM = 8


def unit_vector(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def encoded(store: EmbeddingStore, folder: Path) -> int:
    model = store.register_model("m", "m", DIM)
    stats, _ = stat_files(sorted(p for p in folder.rglob("*") if p.is_file()))
    store.add(model, [StoredItem(s, "ok", "", unit_vector(i)) for i, s in enumerate(stats)])
    return model


def images_in(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"pixels")
    return [folder / name for name in names]


def stored_paths(store: Path, model: Path) -> list[str]:
    with EmbeddingStore.open(store, create=False) as handle:
        stored = handle.load(handle.find_model(load_encoder(str(model)).identity))
    return stored.paths


def identities(model: Path, exact: bool = False) -> tuple[str, tuple[str, ...]]:
    encoder = api.open_encoder(api.ModelOptions(name=str(model), exact_preprocessing=exact))
    return encoder.identity, encoder.former_identities


def copy_model(source: Path, target: Path, identity: str, paths: list[str] | None = None) -> None:
    """Write the vectors `source` holds of its one model (those of `paths`, else all) into
    `target` under `identity`, through the store's API, as an older zsl stored them."""
    with EmbeddingStore.open(source, create=False) as stored:
        (model,) = stored.models()
        files = stored.fetch(model.id, paths or stored.paths(model.id))
    with EmbeddingStore.open(target) as store:
        model_id = store.register_model(identity, model.name, model.dim)
        store.add(
            model_id,
            [
                StoredItem(FileStat(path, f.size, f.mtime_ns), f.status, f.error, f.vector)
                for path, f in files.items()
            ],
        )


def rows_by_model(store: Path) -> dict[str, int]:
    with sqlite3.connect(store) as raw:
        return dict(
            raw.execute(
                "SELECT m.identity, count(f.path) FROM models m "
                "LEFT JOIN files f ON f.model_id = m.id GROUP BY m.id"
            ).fetchall()
        )


def as_version_1(path: Path) -> None:
    """The layout zsl wrote before precision was recorded."""
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("ALTER TABLE models DROP COLUMN precision")
        raw.execute("PRAGMA user_version = 1")
    raw.close()
