"""A new store's permissions follow the umask, as every other output's do: under a group-sharing
umask (002) a group member's later `zsl embed` can write the store, and SQLite's -wal and -shm
files, which take the store's mode, too. An existing store keeps its mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.cli import app
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def one_item() -> list[StoredItem]:
    vector = np.zeros(4, dtype=np.float32)
    vector[0] = 1.0
    return [StoredItem(FileStat("/images/a.png", 1, 1), "ok", "", vector)]


@pytest.mark.parametrize(("mask", "expected"), [(0o002, 0o664), (0o022, 0o644), (0o000, 0o666)])
def test_a_new_store_and_the_exports_of_embed_follow_the_umask(
    tiny_clip, tmp_path: Path, mask: int, expected: int
) -> None:
    images, store, export = tmp_path / "images", tmp_path / "s.zsl", tmp_path / "e.npy"
    write_images(images, 2)
    with umask(mask):
        result = CliRunner().invoke(
            app, ["embed", str(images), "--store", str(store), "-m", str(tiny_clip),
                  "--export", str(export)],
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert mode(export) == expected  # the other outputs, as before
    assert mode(store) == expected


@pytest.mark.parametrize(("mask", "expected"), [(0o002, 0o664), (0o022, 0o644)])
def test_the_journal_files_sqlite_makes_take_the_stores_mode(
    tmp_path: Path, mask: int, expected: int
) -> None:
    path = tmp_path / "s.zsl"
    with umask(mask), EmbeddingStore.open(path) as store:
        model = store.register_model("m" * 16, "tiny", 4)
        store.add(model, one_item())
        # WAL: while a connection is open, the -wal and -shm files are beside the store
        journals = [Path(f"{path}-{kind}") for kind in ("wal", "shm", "journal")]
        present = [journal for journal in journals if journal.exists()]
        assert {journal.name for journal in present} == {"s.zsl-wal", "s.zsl-shm"}
        assert {journal.name: mode(journal) for journal in present} == {
            journal.name: expected for journal in present
        }
    assert mode(path) == expected


def test_a_store_made_through_a_dangling_link_follows_the_umask(tmp_path: Path) -> None:
    target, link = tmp_path / "stores" / "s.zsl", tmp_path / "link.zsl"
    link.symlink_to(target)
    with umask(0o002), EmbeddingStore.open(link):
        pass
    assert link.is_symlink() and mode(target) == 0o664


def test_an_existing_store_keeps_its_mode(tiny_clip, tmp_path: Path) -> None:
    images, store, empty = tmp_path / "images", tmp_path / "s.zsl", tmp_path / "empty.zsl"
    write_images(images, 2)
    with umask(0o077):
        EmbeddingStore.open(store).close()
    # An empty file (a first embed killed as it began) is created into, mode and all.
    empty.touch(mode=0o640)
    os.chmod(empty, 0o640)
    with umask(0o000):
        for path in (store, empty):
            result = CliRunner().invoke(
                app, ["embed", str(images), "--store", str(path), "-m", str(tiny_clip)]
            )
            assert result.exit_code == 0, result.stderr
    assert (mode(store), mode(empty)) == (0o600, 0o640)
    with EmbeddingStore.open(empty, create=False) as opened:
        assert len(opened.models()) == 1
