"""A store `zsl embed` cannot write because its file system is mounted read-only (a backup
disk, a container's read-only volume): the error said "cannot write to its file s.zsl", which
reads as the file's permissions, and `chmod` cannot change it there."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, check_store_writable


def mounted(monkeypatch: pytest.MonkeyPatch, read_only: bool) -> None:
    """Nothing may be written (root may write anything: refused here); the file system is
    mounted read-only, or not (a file made read-only by its permissions)."""
    real_access, real_statvfs = os.access, os.statvfs
    monkeypatch.setattr(os, "access", lambda p, mode: not mode & os.W_OK and real_access(p, mode))

    def statvfs(path: object) -> object:
        status = real_statvfs(path)  # type: ignore[arg-type]
        flag = status.f_flag | os.ST_RDONLY if read_only else status.f_flag & ~os.ST_RDONLY
        return SimpleNamespace(f_flag=flag)

    monkeypatch.setattr(os, "statvfs", statvfs)


@pytest.mark.skipif(not hasattr(os, "statvfs"), reason="POSIX")
def test_a_store_on_a_read_only_mount_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.zsl"
    EmbeddingStore.open(path).close()
    mounted(monkeypatch, read_only=True)
    with pytest.raises(ZslError) as raised:
        check_store_writable(path)
    assert raised.value.message == (
        f"embedding store {path}: cannot write to its file {path} (its file system is mounted "
        "read-only: embed into a store elsewhere, or remount it read-write)"
    )
    monkeypatch.undo()
    mounted(monkeypatch, read_only=False)  # its permissions: said as before
    with pytest.raises(ZslError) as raised:
        check_store_writable(path)
    assert raised.value.message == f"embedding store {path}: cannot write to its file {path}"
