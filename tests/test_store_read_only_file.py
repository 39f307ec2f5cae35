"""A store whose file we may not write, in a folder we may (a teammate's store in a shared
folder, or one made read-only with chmod 444): reading it leaves no file beside it.

SQLite's read-only mode (`?mode=ro`) made a `-wal` and a `-shm` file beside such a store, with
its permissions and the reader as owner, which a read-only connection never removes; the owner's
next `zsl embed` then failed ("cannot write to its file ...-wal", exit 2) until someone deleted
them, which in a sticky shared folder only the reader or root may do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import file_not_writable
from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem, check_store_writable

DIM = 8


def unit_vector(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def items(paths: list[str], seed: int = 0) -> list[StoredItem]:
    return [
        StoredItem(FileStat(path, 1, 1), "ok", "", unit_vector(seed + i))
        for i, path in enumerate(paths)
    ]


def make_store(path: Path, paths: list[str]) -> int:
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id-a", "model-a", DIM)
        store.add(model, items(paths))
    return model


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_reading_a_store_whose_file_is_read_only_leaves_no_file_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.zsl"
    model = make_store(path, ["/data/a.png", "/data/b.png"])
    assert names(tmp_path) == ["s.zsl"]
    file_not_writable(monkeypatch, path)
    with EmbeddingStore.open(path, create=False) as store:
        assert store.load(model).paths == ["/data/a.png", "/data/b.png"]
        assert store.fetch(model, ["/data/b.png"])["/data/b.png"].status == "ok"
    assert names(tmp_path) == ["s.zsl"]
    # and the owner may write it next
    monkeypatch.undo()
    check_store_writable(path)


def test_a_read_only_store_being_written_is_read_through_the_writers_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # While a writer is connected its -wal and -shm files exist: the read uses them, so it sees
    # the commits still in the -wal, and makes no file of its own.
    path = tmp_path / "s.zsl"
    model = make_store(path, ["/data/a.png"])
    with EmbeddingStore.open(path) as writer:
        writer.add(model, items(["/data/b.png"], seed=5))
        assert names(tmp_path) == ["s.zsl", "s.zsl-shm", "s.zsl-wal"]
        assert Path(f"{path}-wal").stat().st_size > 0  # the commit waits there
        file_not_writable(monkeypatch, path)
        with EmbeddingStore.open(path, create=False) as reader:
            assert reader.load(model).paths == ["/data/a.png", "/data/b.png"]
        monkeypatch.undo()
    # The writer's last close removed its files; the reader made none.
    assert names(tmp_path) == ["s.zsl"]


def test_commits_a_read_only_store_cannot_see_without_a_file_of_its_own_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A -wal holding commits (a writer killed outright) but no -shm beside it: reading the
    # commits needs a -shm file, which would be the reader's; read without them, the store
    # would lack them.
    path = tmp_path / "s.zsl"
    make_store(path, ["/data/a.png"])
    Path(f"{path}-wal").write_bytes(b"a commit not yet checkpointed")
    file_not_writable(monkeypatch, path)
    with pytest.raises(ZslError, match="has commits in s.zsl-wal"):
        EmbeddingStore.open(path, create=False)
    assert names(tmp_path) == ["s.zsl", "s.zsl-wal"]


def test_a_writer_that_starts_after_a_read_only_store_was_opened_fails_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read without locks, the store cannot keep a writer out: one that commits (to its -wal)
    # between the open and a read would not be seen, and one that copies pages into the store
    # during a read would mix two versions. Either way the read stops and says to run again.
    path = tmp_path / "s.zsl"
    model = make_store(path, ["/data/a.png"])
    file_not_writable(monkeypatch, path)
    with EmbeddingStore.open(path, create=False) as reader:
        assert reader.find_model("id-a") == model
        monkeypatch.undo()
        with EmbeddingStore.open(path) as writer:
            writer.add(model, items(["/data/b.png"], seed=5))
            with pytest.raises(ZslError, match=r"s\.zsl changed while it was read .* run again"):
                reader.load(model)


def _can_drop_root() -> list[str] | None:
    """The command prefix that runs a process as an ordinary file owner would (root without its
    permission bypass), [] for a user who is one, None where neither can be had."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    return prefix if probe.returncode == 0 else None


def test_chmod_444_store_read_then_made_writable_again_can_be_embedded_into(
    tmp_path: Path,
) -> None:
    # The reviewer's one-user repro, with real permissions: chmod 444 s.zsl; zsl label
    # --embeddings s.zsl ...; chmod 644 s.zsl; zsl embed ... -> "cannot write to its file
    # s.zsl-wal", exit 2.
    prefix = _can_drop_root()
    if prefix is None:
        pytest.skip("needs a user without root's permission bypass (setpriv)")
    path = tmp_path / "s.zsl"
    make_store(path, ["/data/a.png"])
    path.chmod(0o444)
    read = (
        "import sys; from zsl_cli.store import EmbeddingStore\n"
        "with EmbeddingStore.open(sys.argv[1], create=False) as s:\n"
        "    print(s.load(s.find_model('id-a')).paths)\n"
    )
    done = subprocess.run(
        [*prefix, sys.executable, "-c", read, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['/data/a.png']"
    assert names(tmp_path) == ["s.zsl"]
    path.chmod(0o644)
    check_store_writable(path)
