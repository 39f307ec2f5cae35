"""A sound store on a full disk: even a read makes the 32 KiB -shm file beside it, for which
there is no room. Reading falls back as in a folder zsl may not write to; writing says to free
space. A file size limit refuses that file's growth as a full disk does (SQLITE_IOERR_SHMSIZE)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import run, with_file_size_limit, write_images
from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

resource = pytest.importorskip("resource")  # POSIX

DIM = 16
SHM_CANNOT_GROW = 8192  # bytes a file may have: the -shm needs 32 KiB
REPO_ROOT = Path(__file__).resolve().parents[1]


def no_room_for_the_shm(action):
    """`action()` where no file may grow past SHM_CANNOT_GROW bytes, as on a full disk."""
    return with_file_size_limit(SHM_CANNOT_GROW, action)


def unit_vector(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def a_store(path: Path, names: list[str]) -> None:
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id-a", "model-a", DIM)
        stats = [FileStat(f"/data/{name}", 1, 1) for name in names]
        store.add(model, [StoredItem(s, "ok", "", unit_vector(i)) for i, s in enumerate(stats)])


def stored_paths(path: Path) -> list[str]:
    with EmbeddingStore.open(path, create=False) as store:
        return store.load(store.find_model("id-a"), unit=True).paths


def no_room_message(path: Path) -> str:
    return (
        f"no room for the shared-memory file {path.name}-shm that embedding store {path} needs "
        f"next to {path} (disk I/O error): the disk is full, or a quota or a file size limit is "
        "reached; free space and re-run"
    )


def test_a_sound_store_on_a_full_disk_is_read_without_its_shm_file(tmp_path: Path) -> None:
    # It said "no room for the shared-memory file ...; free space and re-run", though the store
    # had no commit waiting in a -wal file and is read so where its folder cannot be written.
    path = tmp_path / "s.zsl"
    a_store(path, ["a.png", "b.png"])
    assert no_room_for_the_shm(lambda: stored_paths(path)) == ["/data/a.png", "/data/b.png"]
    # What the failed attempt left beside it (a -shm too short) keeps no later run out.
    a_store(path, ["c.png"])
    assert stored_paths(path) == ["/data/a.png", "/data/b.png", "/data/c.png"]


def test_a_store_on_a_full_disk_with_commits_in_its_wal_says_to_free_space(
    tmp_path: Path,
) -> None:
    # Read without its -shm (immutable), the store would lack the commits in its -wal file.
    path = tmp_path / "s.zsl"
    a_store(path, ["a.png"])
    copied = tmp_path / "copied"
    copied.mkdir()
    with EmbeddingStore.open(path) as writer:  # as a run killed outright leaves them
        model = writer.register_model("id-a", "model-a", DIM)
        writer.add(model, [StoredItem(FileStat("/data/b.png", 1, 1), "ok", "", unit_vector(7))])
        for name in ("s.zsl", "s.zsl-wal"):
            shutil.copy(tmp_path / name, copied / name)
    kept = copied / "s.zsl"
    with pytest.raises(ZslError) as raised:
        no_room_for_the_shm(lambda: EmbeddingStore.open(kept, create=False))
    assert raised.value.message == no_room_message(kept)
    assert stored_paths(kept) == ["/data/a.png", "/data/b.png"]  # and with room, it reads all


def test_a_store_on_a_full_disk_is_not_opened_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    a_store(path, ["a.png"])
    with pytest.raises(ZslError) as raised:
        no_room_for_the_shm(lambda: EmbeddingStore.open(path))
    assert raised.value.message == no_room_message(path)


def test_label_reads_a_store_on_a_full_disk(tiny_clip, tmp_path: Path) -> None:
    images, store = tmp_path / "images", tmp_path / "s.zsl"
    write_images(images, 3)
    # The store is made in this process: only the label that reads it runs under the limit,
    # in a process of its own (the limit's SIGXFSZ is not ignored there).
    embedded = run("embed", images, "-s", store, "-m", tiny_clip, "-q")
    assert embedded.exit_code == 0, embedded.stderr
    command = [sys.executable, "-m", "zsl_cli"]
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (SHM_CANNOT_GROW, SHM_CANNOT_GROW))

    label = [*command, "label", "--embeddings", str(store), "-c", str(classes), "-m"]
    result = subprocess.run(
        [*label, str(tiny_clip), "-f", "jsonl", "-q"],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
