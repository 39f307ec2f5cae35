"""A store whose pages are damaged where `zsl embed` does not read them (a table's page, a copy
put back beside another's -wal file): embed refuses to write to it, as a full read does."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.store import PAGE_SIZE, EmbeddingStore, FileStat, StoredItem

DIM = 512  # 2 KiB a row: a few dozen rows fill several of the table's 64 KiB pages


def add_rows(path: Path, start: int, count: int, batch: int = 16) -> None:
    """Rows start..start+count of /data/NNNNNN.png, random unit vectors, in commits of `batch`."""
    rng = np.random.default_rng(start)
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", DIM)
        for first in range(start, start + count, batch):
            vectors = rng.standard_normal((batch, DIM)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            stats = [FileStat(f"/data/{first + i:06d}.png", 1, 1) for i in range(batch)]
            store.add(
                model, [StoredItem(s, "ok", "", v) for s, v in zip(stats, vectors, strict=True)]
            )


def a_leaf_page_of_the_table(path: Path) -> int:
    """The number of a page of `files` that holds rows, not its root and none of its index."""
    with sqlite3.connect(path) as raw:
        (leaf,) = raw.execute(
            "SELECT min(pageno) FROM dbstat WHERE name = 'files' AND pagetype = 'leaf' "
            "AND pageno != (SELECT rootpage FROM sqlite_master WHERE name = 'files')"
        ).fetchone()
    assert leaf is not None, "the table has one page: add more rows"
    return leaf


def overwrite(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(data)


@pytest.fixture()
def dbstat() -> None:
    try:
        sqlite3.connect(":memory:").execute("SELECT * FROM dbstat LIMIT 0")
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find a page of the table by")


def test_embed_refuses_a_store_whose_table_page_is_overwritten(
    tiny_clip, tmp_path: Path, dbstat: None
) -> None:
    # As the review found it: embed plans from the index of stats alone, so with one of the
    # table's pages overwritten it said "N reused", exit 0, and went on writing to the store;
    # only a full read (label without paths, --export) said it was damaged.
    store = tmp_path / "s.zsl"
    add_rows(store, 0, 96)
    overwrite(store, (a_leaf_page_of_the_table(store) - 1) * PAGE_SIZE, b"\xff" * 16)
    images = tmp_path / "images"
    write_images(images, 2)
    result = CliRunner().invoke(
        app,
        ["embed", str(images), "--store", str(store)]
        + [
            "-m",
            str(tiny_clip),
        ],
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"zsl: error: embedding store {store} is damaged (")
    assert result.stderr.endswith("); delete it and re-run `zsl embed`\n")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("later", [30, 100])
def test_a_copy_put_back_beside_a_newer_runs_wal_file_is_refused_for_writing(
    tmp_path: Path, later: int
) -> None:
    # A run killed outright leaves its commits in s.zsl-wal; a copy of the store from before
    # an earlier run, put back as s.zsl, has SQLite lay that -wal's pages over pages they do
    # not fit. Reads of some paths went on as if nothing were wrong (images not_embedded), and
    # embed added to the store; SQLite's quick_check finds nothing wrong in such a store.
    store, copy = tmp_path / "s.zsl", tmp_path / "copy.zsl"
    add_rows(store, 0, 300)
    shutil.copy(store, copy)
    add_rows(store, 300, later)  # the earlier run, complete
    with EmbeddingStore.open(store) as writer:  # the run killed outright: its -wal as it was
        model = writer.register_model("id", "m", DIM)
        vector = np.zeros(DIM, np.float32)
        vector[0] = 1
        stats = [FileStat(f"/data/{300 + later + i:06d}.png", 1, 1) for i in range(16)]
        writer.add(model, [StoredItem(s, "ok", "", vector) for s in stats])
        shutil.copy(f"{store}-wal", tmp_path / "left.zsl-wal")
    shutil.copy(copy, store)
    shutil.copy(tmp_path / "left.zsl-wal", f"{store}-wal")
    with pytest.raises(ZslError) as raised, EmbeddingStore.open(store) as opened:
        opened.check_pages()
    assert raised.value.message.startswith(f"embedding store {store} is damaged (")
    assert "\n" not in raised.value.message


def test_a_sound_store_opens_for_writing(tmp_path: Path) -> None:
    store = tmp_path / "s.zsl"
    add_rows(store, 0, 96)
    with EmbeddingStore.open(store) as opened:
        opened.check_pages()
        assert len(opened.paths(opened.find_model("id"))) == 96


def test_the_integrity_check_refusal_names_the_first_damaged_page(
    tmp_path: Path, dbstat: None
) -> None:
    # Not the heading SQLite puts above it ("*** in database main ***").
    store = tmp_path / "s.zsl"
    add_rows(store, 0, 96)
    page = a_leaf_page_of_the_table(store)
    overwrite(store, (page - 1) * PAGE_SIZE, b"\xff" * 16)
    with EmbeddingStore.open(store) as opened, pytest.raises(ZslError) as raised:
        opened.check_pages()
    assert re.fullmatch(
        re.escape(f"embedding store {store} is damaged (SQLite's integrity check: Page {page}: ")
        + r"[^\n*]+\); delete it and re-run `zsl embed`",
        str(raised.value),
    ), str(raised.value)
