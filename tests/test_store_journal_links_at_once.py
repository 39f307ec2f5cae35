"""Every symbolic link SQLite would refuse beside a store is named in one refusal, with what
else keeps the store from being read: fixed as told, the next run gets on, where it met the
next problem only once the first was fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import file_not_writable, only_read
from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, check_store_writable


def a_store(tmp_path: Path) -> Path:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        store.register_model("id-a", "model-a", 8)
    return path


def link_beside(store: Path, kind: str, tmp_path: Path, target: str) -> Path:
    elsewhere = tmp_path / f"elsewhere-{kind}"
    if target != "dangling":
        elsewhere.write_text("theirs")
    link = Path(f"{store}-{kind}")
    link.symlink_to(elsewhere)
    return link


@pytest.mark.parametrize("target", ["dangling", "a file holding data"])
def test_a_read_only_stores_commits_and_a_shm_link_are_refused_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    # A killed writer's -wal, and a -shm link: read-only, "open it once where it can be
    # written"; opened so, "remove s.zsl-shm". Both are said the first time.
    store = a_store(tmp_path)
    Path(f"{store}-wal").write_bytes(b"a commit not yet checkpointed")
    link = link_beside(store, "shm", tmp_path, target)
    file_not_writable(monkeypatch, store)
    with pytest.raises(ZslError) as refused:
        EmbeddingStore.open(store, create=False)
    assert refused.value.message == (
        f"embedding store {store} has commits in s.zsl-wal that cannot be read where zsl may not "
        f"write the store or its folder, and {store}-shm beside it is a symbolic link, and SQLite "
        f"will not open one where it keeps the store's -shm file; remove {store}-shm, then open "
        "it once where it can be written (any zsl command run by a user who may write it folds "
        "them in)"
    )
    # Done as told, the store opens where it can be written.
    link.unlink()
    monkeypatch.undo()
    with EmbeddingStore.open(store, create=False) as opened:
        assert opened.find_model("id-a") is not None


def test_a_read_only_stores_commits_alone_are_refused_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = a_store(tmp_path)
    Path(f"{store}-wal").write_bytes(b"a commit not yet checkpointed")
    file_not_writable(monkeypatch, store)
    with pytest.raises(ZslError) as refused:
        EmbeddingStore.open(store, create=False)
    assert refused.value.message == (
        f"embedding store {store} has commits in s.zsl-wal that cannot be read where zsl may not "
        "write the store or its folder; open it once where it can be written (any zsl command "
        "run by a user who may write it folds them in)"
    )


@pytest.mark.parametrize("check", ["open", "check_store_writable"])
def test_every_link_beside_a_store_to_write_is_named_at_once(tmp_path: Path, check: str) -> None:
    store = a_store(tmp_path)
    for kind in ("wal", "shm", "journal"):
        link_beside(store, kind, tmp_path, "a file holding data")
    with pytest.raises(ZslError) as refused:
        if check == "open":
            EmbeddingStore.open(store)
        else:
            check_store_writable(store)
    assert refused.value.message == (
        f"embedding store {store}: {store}-wal, {store}-shm and {store}-journal beside it are "
        "symbolic links, and SQLite will not open one where it keeps the store's -wal, -shm and "
        f"-journal files; remove {store}-wal, {store}-shm and {store}-journal (while no zsl "
        "command uses the store) and run again"
    )


def two_links_named(store: Path) -> str:
    return (
        f"{store}-shm and {store}-journal beside it are symbolic links, and SQLite will not open "
        "one where it keeps the store's -shm and -journal files"
    )


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_wal_link_to_data_beside_a_store_only_read_names_the_other_links_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_only: str
) -> None:
    # Read as immutable, only the -wal link (its commits would be missed) keeps the store from
    # being read; a writer refuses the -shm and -journal links as well. The owner, told of the
    # -wal link alone, had their next writing run refused for the other two.
    store = a_store(tmp_path)
    links = [link_beside(store, kind, tmp_path, "a file holding data") for kind in ("wal",)]
    links += [link_beside(store, kind, tmp_path, "dangling") for kind in ("shm", "journal")]
    only_read(monkeypatch, store, read_only)
    with pytest.raises(ZslError) as refused:
        EmbeddingStore.open(store, create=False)
    named = f"{store}-wal, {store}-shm and {store}-journal"
    advice = {
        "file": f"remove {named} (while no zsl command uses the store) and run again",
        "folder": f"zsl may not write its folder {tmp_path}: ask its owner to remove {named}, or "
        f"copy {store} to a folder you may write and read the copy",
    }[read_only]
    assert refused.value.message == (
        f"embedding store {store}: {store}-wal beside it is a symbolic link to a file holding "
        f"data, and SQLite reads no commits through one, and {two_links_named(store)}; {advice}"
    )
    # Done as told, the owner's next run writes the store.
    for link in links:
        link.unlink()
    monkeypatch.undo()
    with EmbeddingStore.open(store, create=False) as opened:
        opened.register_model("id-b", "model-b", 8)
