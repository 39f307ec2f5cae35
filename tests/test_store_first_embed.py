"""A store's first `zsl embed` that fails (a full disk): what it says, what it leaves, and what
a later read of that store says."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem, stored_items

resource = pytest.importorskip("resource")  # POSIX

DIM = 256


def unit_vector(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def items(count: int, seed: int = 0) -> list[StoredItem]:
    stats = [FileStat(f"/images/{seed}-{i:04}.png", 1, 1) for i in range(count)]
    return [StoredItem(stat, "ok", "", unit_vector(seed + i)) for i, stat in enumerate(stats)]


def no_room_for_another_page(store: EmbeddingStore) -> None:
    """The store's next new page fails with SQLITE_FULL, as on a full disk."""
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")


def embed_limited(images: Path, store: Path, model: Path, limit: int):
    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = [sys.executable, "-m", "zsl_cli", "embed", str(images), "-s", str(store)]
    return subprocess.run(
        [*command, "-m", str(model), "-b", "2", "-j", "1", "-q"],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size,
        timeout=300,
    )


# Bytes a store may take before its schema is committed: none (the first page, 64 KiB, cannot
# be written), or its first page but not the schema's pages in its -wal file.
@pytest.mark.parametrize("limit", [30_000, 200_000])
def test_a_first_embed_that_cannot_create_the_store_says_so(
    tiny_clip, tmp_path: Path, limit: int
) -> None:
    # It said "batches already written are kept" where nothing was, and left an empty file or a
    # database without tables, which label read as a store copied without its -wal file.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 4)
    result = embed_limited(images, store, tiny_clip, limit)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "already written" not in result.stderr and "saved before it" not in result.stderr
    assert result.stderr.endswith("(the store was not created: nothing was saved)\n")
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    label = CliRunner().invoke(
        app, ["label", "--embeddings", str(store), "-c", str(classes), "-m", str(tiny_clip)]
    )
    assert label.exit_code == 2
    # The file it made is left (another first embed may have it open), read for what it is.
    empty = store.stat().st_size == 0
    said = "no `zsl embed` finished creating a store there" if empty else "stopped before it saved"
    assert said in label.stderr and "run `zsl embed`" in label.stderr
    # With room, embed recovers: no file size limit to set, so in this process.
    rerun = CliRunner().invoke(
        app,
        ["embed", str(images), "-s", str(store), "-m", str(tiny_clip), "-b", "2", "-j", "1", "-q"],
    )
    assert rerun.exit_code == 0, rerun.stderr
    with EmbeddingStore.open(store, create=False) as opened:
        assert [m.n_ok for m in opened.models()] == [4]


def test_a_failed_first_batch_says_no_image_was_saved(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id-a", "model-a", DIM)
        no_room_for_another_page(store)
        with pytest.raises(ZslError) as raised:
            store.add(model, items(200))
    assert raised.value.message == (
        f"disk full while writing embedding store {path}; free space and re-run (no image was "
        "saved)"
    )
    # Reading it says what it is: a store its first embed saved nothing in.
    with pytest.raises(ZslError) as read:
        stored_items(str(path), "id-a", "model-a", None)
    assert read.value.message == (
        f"{path} holds no embeddings: its first `zsl embed` saved none yet (it is still running, "
        "or it stopped before it saved any), or every image stored was forgotten since (gone "
        "from the folders embedded); wait for it, or run `zsl embed` on the images"
    )


def test_a_failed_batch_after_others_says_they_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id-a", "model-a", DIM)
        store.add(model, items(1))
        no_room_for_another_page(store)
        with pytest.raises(ZslError) as raised:
            store.add(model, items(200, seed=1))
    assert raised.value.message.endswith("(batches already written are kept)")


def test_a_later_run_that_saved_nothing_keeps_what_the_store_held(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id-a", "model-a", DIM)
        store.add(model, items(1))
    with EmbeddingStore.open(path) as store:  # another run: it has committed nothing yet
        no_room_for_another_page(store)
        with pytest.raises(ZslError) as raised:
            store.add(model, items(200, seed=1))
    assert raised.value.message.endswith(
        "(no image of this run was saved; the store keeps what it held)"
    )
    assert path.exists()
    with EmbeddingStore.open(path, create=False) as store:
        assert len(store.paths(model)) == 1


def test_an_empty_file_read_as_a_store_says_no_embed_created_it(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    path.touch()
    with pytest.raises(ZslError) as raised:
        EmbeddingStore.open(path, create=False)
    assert raised.value.message == (
        f"{path} is an empty file, not a zsl embedding store: no `zsl embed` finished creating "
        "a store there; run `zsl embed` to create it"
    )


def test_a_database_without_tables_names_both_ways_it_comes_about(tmp_path: Path) -> None:
    # What a first embed killed outright before it committed anything leaves, and a copy of a
    # store never checkpointed made without its -wal file: the first is the likelier.
    path = tmp_path / "s.zsl"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.close()
    with pytest.raises(ZslError) as raised:
        EmbeddingStore.open(path, create=False)
    assert raised.value.message == (
        f"{path} is an SQLite database with nothing in it: the `zsl embed` that created it "
        "stopped before it saved anything (run `zsl embed` again), or it was copied without "
        "the s.zsl-wal file that was beside it"
    )


def test_a_store_with_no_model_yet_says_its_first_embed_saved_none(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    EmbeddingStore.open(path).close()  # the schema, then the disk filled
    with pytest.raises(ZslError) as raised:
        stored_items(str(path), "id-a", "model-a", None)
    assert raised.value.message == (
        f"{path} holds no embeddings yet: its first `zsl embed` saved none yet (it is still "
        "running, or it stopped before it saved any); wait for it, or run `zsl embed` again"
    )
