"""What a store zsl may not write says: a write through a read-only opening is one line naming
the permissions to check, and a read-only -wal file is said to be a read's leftover, safe to
delete, only where it holds no commit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import file_not_writable
from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, check_store_writable


def test_a_write_to_a_store_opened_read_only_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as writer:  # its -wal and -shm files exist meanwhile
        writer.register_model("id-a", "model-a", 2)
        file_not_writable(monkeypatch, path)
        with EmbeddingStore.open(path, create=False) as reader, pytest.raises(ZslError) as raised:
            reader.register_model("id-b", "model-b", 2)
    assert str(raised.value) == (
        f"embedding store {path} is read-only (attempt to write a readonly database); check the "
        "permissions of the file and of its folder, where SQLite writes its -wal and -shm files"
    )


@pytest.mark.parametrize("commits", [b"", b"a commit"], ids=["empty", "holding commits"])
def test_a_read_only_wal_file_is_called_a_reads_leftover_only_while_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, commits: bytes
) -> None:
    path = tmp_path / "s.zsl"
    EmbeddingStore.open(path).close()
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    wal.write_bytes(commits)
    shm.touch()
    real_access = os.access  # root may write anything: the file is made read-only here
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != wal and real_access(p, mode))
    with pytest.raises(ZslError) as raised:
        check_store_writable(path)
    said = f"embedding store {path}: cannot write to its file {wal}"
    if commits:  # a writer's, killed outright: not to be deleted
        assert str(raised.value) == said
    else:
        assert str(raised.value) == (
            f"{said} (no commit waits in it: a read of the store while it was read-only left "
            "it); delete s.zsl-wal and s.zsl-shm while no zsl command uses the store (their "
            "owner or root may, in a shared folder), and run again"
        )
