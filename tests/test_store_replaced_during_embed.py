"""A store file replaced by rename while embed wrote it (a backup restored over it) took every
commit into the old, unlinked file, and the run said "3 encoded", exit 0: now it ends with an
error saying so (exit 2), as soon as a commit finds it replaced."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import embed, replace_before_decode, run, write_images
from tests.store_helpers import stored_paths
from zsl_cli.store import EmbeddingStore


def restore_over(store: Path) -> None:
    """What `cp backup.zsl x && mv x store.zsl` does to the store a run has open."""
    copy = store.with_name("copy.zsl")
    shutil.copyfile(store, copy)
    os.replace(copy, store)


def test_a_store_replaced_during_embed_stops_the_run_with_an_error(
    tiny_clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photos, store = tmp_path / "photos", tmp_path / "s.zsl"
    write_images(photos, 3)
    put_back: list[bytes] = []

    def restore() -> None:
        restore_over(store)
        put_back.append(store.read_bytes())

    replace_before_decode(monkeypatch, restore)
    code, report, stderr = embed(store, tiny_clip, photos, "--batch-size", "1")
    assert code == 2 and report == {}  # no --json: the run did not do what it says
    lines = stderr.strip().splitlines()
    assert "Traceback" not in stderr
    said = " ".join(lines[-1].split())
    assert f"the embedding store {store} was replaced during the run" in said
    # The first commit found it: the others are not thrown away after it.
    assert "the 1 image this run stored went to the file it replaced" in said
    assert said.endswith("run zsl embed again") and "saved before it" not in said
    # The file put there is left as it was: the run's -wal file, which shares its name, laid the
    # run's pages over it at its next open.
    assert put_back == [store.read_bytes()]
    wal = Path(f"{store}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    # The run again stores them in the file now there.
    monkeypatch.undo()
    code, report, _ = embed(store, tiny_clip, photos)
    assert (code, report["found"], report["failed"]) == (0, 3, 0)
    assert len(stored_paths(store, tiny_clip)) == 3


def test_a_store_replaced_after_its_last_commit_is_found_at_the_end(
    tiny_clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photos, store = tmp_path / "photos", tmp_path / "s.zsl"
    first, *_ = write_images(photos, 2)
    assert embed(store, tiny_clip, photos)[1]["encoded"] == 2
    first.unlink()  # its row is forgotten, the run's one commit, before the decode
    replace_before_decode(monkeypatch, lambda: restore_over(store))
    code, report, stderr = embed(store, tiny_clip, photos)
    said = " ".join(stderr.split())
    assert code == 2, stderr
    assert f"the embedding store {store} was replaced during the run" in said
    assert "1 gone image removed" in said


def test_a_store_left_in_place_is_not_said_replaced(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        assert not store.replaced_on_disk()
        restore_over(path)
        assert store.replaced_on_disk()


def test_a_store_deleted_during_embed_is_said_gone_not_replaced(
    tiny_clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cron job's cleanup (`rm -rf jobs/tmp`) took the store's folder while embed wrote it: no
    # file was put there, and what the run stored went with the folder.
    photos, store = tmp_path / "photos", tmp_path / "jobs" / "s.zsl"
    write_images(photos, 3)
    replace_before_decode(monkeypatch, lambda: shutil.rmtree(store.parent))
    result = run("embed", photos, "--store", store, "-m", tiny_clip, "--batch-size", "1")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "Traceback" not in said
    assert f"the embedding store {store} was deleted or moved away during the run" in said
    assert "the 1 image this run stored went to the file it had open, no longer there" in said
    assert "replaced" not in said and said.endswith("run zsl embed again")
    # The run again makes the store anew, folder and all.
    monkeypatch.undo()
    code, report, _ = embed(store, tiny_clip, photos)
    assert (code, report["encoded"]) == (0, 3)
