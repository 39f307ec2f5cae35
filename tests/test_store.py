"""The SQLite embedding store: incremental planning, round-trips, crash safety, export."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

import zsl_cli
from tests.conftest import CtrlC
from tests.helpers import flock_noting_blocked
from zsl_cli import exports as exports_module
from zsl_cli import store as store_module
from zsl_cli.errors import ZslError
from zsl_cli.exports import check_export_path
from zsl_cli.store import (
    PAGE_SIZE,
    SCHEMA_VERSION,
    EmbeddingStore,
    FileStat,
    StoredItem,
    check_store_writable,
    stat_files,
    stored_export_rows,
    stored_items,
)

# The zsl the tests import (this checkout, or an installed package), for subprocesses.
ZSL_ROOT = Path(zsl_cli.__file__).resolve().parents[1]
DIM = 8
BASE_MTIME_NS = 1_700_000_000_123_456_789


def write_file(path: Path, content: bytes = b"pixels", mtime_ns: int = BASE_MTIME_NS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def unit_vector(seed: int, dim: int = DIM) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return vector / np.linalg.norm(vector)


def encode_all(
    store: EmbeddingStore, model_id: int, stats: list[FileStat]
) -> dict[str, np.ndarray]:
    """What `zsl embed` does with a plan: store one vector per file (seeded by position)."""
    vectors = {stat.path: unit_vector(i) for i, stat in enumerate(stats)}
    store.add(model_id, [StoredItem(s, "ok", "", vectors[s.path]) for s in stats])
    return vectors


def scan(folder: Path) -> list[FileStat]:
    stats, problems = stat_files(sorted(p for p in folder.rglob("*") if p.is_file()))
    assert problems == []
    return stats


@pytest.fixture()
def store(tmp_path: Path):
    with EmbeddingStore.open(tmp_path / "store.db") as opened:
        yield opened


def test_second_plan_encodes_nothing_and_reuses_all(tmp_path: Path, store: EmbeddingStore) -> None:
    folder = tmp_path / "photos"
    for i in range(5):
        write_file(folder / f"img{i}.png", bytes(i + 1))
    model = store.register_model("id-a", "model-a", DIM)
    stats = scan(folder)

    first = store.plan(model, stats, [str(folder)])
    assert first.to_encode == stats and first.reused == [] and first.stale == []
    encode_all(store, model, first.to_encode)

    second = store.plan(model, scan(folder), [str(folder)])
    assert second.to_encode == []
    assert second.reused == [s.path for s in stats]
    assert second.stale == []


def test_the_store_kept_as_an_image_of_its_own_folder_is_forgotten(tmp_path: Path) -> None:
    # An older zsl scanned photos/store.png as an image, and kept it as a failed one: it stayed
    # in the store, a row of every label --embeddings, where the scan no longer finds it.
    folder = tmp_path / "photos"
    write_file(folder / "img0.png")
    with EmbeddingStore.open(folder / "store.png") as store:
        model = store.register_model("id-a", "model-a", DIM)
        (own,), _ = stat_files([folder / "store.png"])
        store.add(model, [StoredItem(own, "not_an_image", "not an image", None)])
        found = store_module.without_store_files(sorted(folder.iterdir()), store.path)
        assert found == [folder / "img0.png"]
        plan = store.plan(model, stat_files(found)[0], [str(folder)])
        assert plan.stale == [str(folder / "store.png")]
        assert [stat.path for stat in plan.to_encode] == [str(folder / "img0.png")]


def test_touched_resized_added_removed_are_picked_up_exactly(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    folder = tmp_path / "photos"
    paths = [write_file(folder / f"img{i}.png", b"abc") for i in range(6)]
    model = store.register_model("id-a", "model-a", DIM)
    encode_all(store, model, scan(folder))

    touched, resized, removed, untouched = paths[0], paths[1], paths[2], paths[3:]
    os.utime(touched, ns=(BASE_MTIME_NS + 1, BASE_MTIME_NS + 1))  # 1 ns later, same size
    write_file(resized, b"abcd", mtime_ns=BASE_MTIME_NS)  # same mtime, new size
    removed.unlink()
    added = write_file(folder / "sub" / "new.png")

    plan = store.plan(model, scan(folder), [str(folder)])
    assert sorted(s.path for s in plan.to_encode) == sorted(
        str(p) for p in (touched, resized, added)
    )
    assert sorted(plan.reused) == sorted(str(p) for p in untouched)
    assert plan.stale == [str(removed)]

    assert store.forget(model, plan.stale) == 1
    assert store.forget(model, plan.stale) == 0
    assert str(removed) not in store.load(model).paths


def test_roots_keep_entries_outside_the_scan(tmp_path: Path, store: EmbeddingStore) -> None:
    folder_a, folder_b = tmp_path / "a", tmp_path / "ab"  # "ab" shares a name prefix with "a"
    write_file(folder_a / "x.png")
    write_file(folder_a / "y.png")
    write_file(folder_b / "z.png")
    model = store.register_model("id-a", "model-a", DIM)
    encode_all(store, model, scan(folder_a))

    plan_b = store.plan(model, scan(folder_b), [str(folder_b)])
    assert plan_b.stale == []  # A is outside the scanned root: kept
    encode_all(store, model, plan_b.to_encode)
    assert len(store.load(model).paths) == 3

    (folder_a / "y.png").unlink()
    assert store.plan(model, scan(folder_b), [str(folder_b)]).stale == []
    assert store.plan(model, scan(folder_a), [str(folder_a)]).stale == [str(folder_a / "y.png")]

    # An explicitly named file is a root too: stale once the file is gone, not while it exists
    # (a scan with other --ext or hidden-file settings skips files that are still there).
    single = folder_a / "x.png"
    assert store.plan(model, [], [str(single)]).stale == []
    assert store.plan(model, [], [str(folder_a)]).stale == [str(folder_a / "y.png")]
    single.unlink()
    assert store.plan(model, [], [str(single)], forget_absent=True).stale == [str(single)]
    # Not asked to forget what is gone from a path that is missing, it keeps it (what was on a
    # drive that is not mounted is missing too).
    plan = store.plan(model, [], [str(single)])
    assert (plan.stale, plan.kept) == ([], 1)


def test_a_file_stored_under_two_spellings_keeps_the_one_scanned(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    # Two embed runs at once, through a folder and a link to it, each planned before the other
    # wrote and stored every image under its own spelling; later scans reused both for ever.
    folder = tmp_path / "photos"
    write_file(folder / "x.png")
    write_file(folder / "y.png")
    (tmp_path / "link").symlink_to(folder, target_is_directory=True)
    (tmp_path / "other").mkdir()
    write_file(tmp_path / "other" / "x.png")  # the same name in another folder: its own entry
    model = store.register_model("id-a", "model-a", DIM)
    encode_all(store, model, scan(folder))
    encode_all(store, model, stat_files([tmp_path / "link" / "x.png"])[0])
    encode_all(store, model, scan(tmp_path / "other"))
    assert len(store.load(model).paths) == 4

    plan = store.plan(model, scan(folder), [str(folder)])
    assert (len(plan.to_encode), plan.stale) == (0, [str(tmp_path / "link" / "x.png")])
    store.forget(model, plan.stale)
    assert sorted(store.load(model).paths) == sorted(
        [str(folder / "x.png"), str(folder / "y.png"), str(tmp_path / "other" / "x.png")]
    )
    assert store.plan(model, scan(folder), [str(folder)]).stale == []


def test_failures_are_reused_until_the_file_changes(tmp_path: Path, store: EmbeddingStore) -> None:
    good = write_file(tmp_path / "good.png")
    bad = write_file(tmp_path / "bad.png", b"not an image")
    model = store.register_model("id-a", "model-a", DIM)
    good_stat, bad_stat = stat_files([good, bad])[0]
    store.add(
        model,
        [
            StoredItem(good_stat, "ok", "", unit_vector(1)),
            StoredItem(bad_stat, "not_an_image", "cannot identify image file", None),
        ],
    )

    plan = store.plan(model, stat_files([good, bad])[0], [str(tmp_path)])
    assert plan.to_encode == [] and plan.reused == [str(good), str(bad)]
    assert plan.reused_failed == 1
    loaded = store.load(model)
    assert loaded.paths == [str(good)]
    assert loaded.failed == [(str(bad), "not_an_image", "cannot identify image file")]

    write_file(bad, b"now a fixed image", mtime_ns=BASE_MTIME_NS + 10)
    plan = store.plan(model, stat_files([good, bad])[0], [str(tmp_path)])
    assert [s.path for s in plan.to_encode] == [str(bad)]
    # Re-encoding replaces the failure row with a vector.
    store.add(model, [StoredItem(plan.to_encode[0], "ok", "", unit_vector(2))])
    loaded = store.load(model)
    assert loaded.paths == [str(bad), str(good)] and loaded.failed == []


def test_failures_the_files_bytes_decide_are_reused_and_the_others_retried(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    # A cut-short or undecodable file fails again until it changes; a permission or the pixel
    # limit (--max-pixels) may be different next run.
    reasons = [
        ("empty", "file is empty (0 bytes)"),
        ("not_an_image", "cannot identify image file"),
        ("truncated", "image file is truncated (data ends after 100 bytes)"),
        ("decode_error", "cannot decode: SyntaxError: broken box"),
        ("unreadable", "permission denied"),
        (
            "too_large",
            "40000x40000 = 1600 MP exceeds the 89.5 MP limit (raise it with --max-pixels)",
        ),
    ]
    files = [write_file(tmp_path / f"{status}.png") for status, _ in reasons]
    model = store.register_model("id-a", "model-a", DIM)
    stats = stat_files(files)[0]
    store.add(model, [StoredItem(s, *r, None) for s, r in zip(stats, reasons, strict=True)])
    plan = store.plan(model, stats, [str(tmp_path)])
    assert plan.reused == [str(path) for path in files[:4]] and plan.reused_failed == 4
    assert [s.path for s in plan.to_encode] == [str(path) for path in files[4:]]


def test_failures_that_the_installation_decided_are_retried(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    # A Pillow without AVIF support, or too little memory, says nothing final about the file.
    files = [write_file(tmp_path / f"{name}.avif") for name in ("codec", "memory", "content")]
    model = store.register_model("id-a", "model-a", DIM)
    stats = stat_files(files)[0]
    reasons = [
        ("not_an_image", "image file could not be opened because AVIF support not installed"),
        ("decode_error", "out of memory while decoding"),
        ("decode_error", "cannot decode: SyntaxError: broken box"),
    ]
    store.add(model, [StoredItem(s, *r, None) for s, r in zip(stats, reasons, strict=True)])
    plan = store.plan(model, stat_files(files)[0], [str(tmp_path)])
    assert [s.path for s in plan.to_encode] == [str(files[0]), str(files[1])]
    assert plan.reused == [str(files[2])] and plan.reused_failed == 1


def test_a_file_that_cannot_be_checked_is_not_forgotten(
    tmp_path: Path, store: EmbeddingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a folder we may no longer enter, stat fails with EACCES: the file may well be there.
    kept = write_file(tmp_path / "locked" / "x.png")
    model = store.register_model("id-a", "model-a", DIM)
    encode_all(store, model, stat_files([kept])[0])
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if os.fsencode(path) == os.fsencode(kept):
            raise PermissionError(13, "Permission denied")
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    assert store.plan(model, [], [str(tmp_path)]).stale == []


def test_failures_that_may_pass_next_time_are_retried(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    # A permission or a size limit is not in the file's bytes: chmod changes neither size nor
    # mtime, and a later run may allow more pixels.
    locked = write_file(tmp_path / "locked.png")
    large = write_file(tmp_path / "large.png")
    model = store.register_model("id-a", "model-a", DIM)
    stats = stat_files([locked, large])[0]
    store.add(
        model,
        [
            StoredItem(stats[0], "unreadable", "permission denied", None),
            StoredItem(stats[1], "too_large", "90 MP exceeds the 89 MP limit", None),
        ],
    )
    plan = store.plan(model, stats, [str(tmp_path)])
    assert plan.to_encode == stats and plan.reused == []


def test_fetch_returns_what_is_stored_for_exact_paths(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    good, bad = write_file(tmp_path / "good.png"), write_file(tmp_path / "bad.png")
    model = store.register_model("id-a", "model-a", DIM)
    good_stat, bad_stat = stat_files([good, bad])[0]
    store.add(
        model,
        [
            StoredItem(good_stat, "ok", "", unit_vector(1)),
            StoredItem(bad_stat, "truncated", "image file is truncated", None),
        ],
    )
    found = store.fetch(model, [str(good), str(bad), str(tmp_path / "other.png")])
    assert sorted(found) == [str(bad), str(good)]
    assert (found[str(good)].size, found[str(good)].mtime_ns) == (good_stat.size, BASE_MTIME_NS)
    np.testing.assert_array_equal(found[str(good)].vector, unit_vector(1))
    assert (found[str(bad)].status, found[str(bad)].vector) == ("truncated", None)


def test_storing_a_file_again_replaces_its_whole_row(
    tmp_path: Path, store: EmbeddingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = store.register_model("id-a", "model-a", DIM)
    stat = FileStat("/data/a.png", 1, 1)
    # A failure, then a vector: no field of the first row may stay, its time of writing included.
    monkeypatch.setattr(store_module, "_now", lambda: "2024-01-01T00:00:00+00:00")
    store.add(model, [StoredItem(stat, "truncated", "image file is truncated", None)])
    monkeypatch.setattr(store_module, "_now", lambda: "2025-06-30T12:00:00+00:00")
    changed = FileStat(stat.path, 2, 2)
    store.add(model, [StoredItem(changed, "ok", "", unit_vector(1))])
    found = store.fetch(model, [stat.path])[stat.path]
    assert (found.size, found.mtime_ns, found.status, found.error) == (2, 2, "ok", "")
    with sqlite3.connect(store.path) as raw:
        assert raw.execute("SELECT written_at FROM files").fetchall() == [
            ("2025-06-30T12:00:00+00:00",)
        ]


def as_on_a_read_only_mount(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No folder may be written, and SQLite cannot create the WAL's shared-memory file, so
    mode=ro fails (simulated: root ignores folder permissions). Returns the locations opened."""
    real_connect = sqlite3.connect
    opened: list[str] = []

    def connect(location, *args, **kwargs):
        opened.append(location)
        if "mode=ro" in location:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real_connect(location, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    return opened


def test_a_store_in_a_folder_without_write_access_opens_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id-a", "model-a", DIM)
        encode_all(store, model, [FileStat("/data/a.png", 1, 1)])
    opened = as_on_a_read_only_mount(monkeypatch)
    with EmbeddingStore.open(path, create=False) as store:
        assert store.load(store.find_model("id-a")).paths == ["/data/a.png"]
    # No -wal beside it (no writer connected): read as immutable at once, making no file.
    assert [location.rsplit("?", 1)[1] for location in opened] == ["immutable=1"]
    # A commit still in the WAL would be invisible to an immutable read: refused instead.
    Path(f"{path}-wal").write_bytes(b"a commit not yet checkpointed")
    with pytest.raises(ZslError, match="has commits in s.zsl-wal"):
        EmbeddingStore.open(path, create=False)
    Path(f"{path}-wal").write_bytes(b"")  # as a writer's last close may leave it: no commit
    with EmbeddingStore.open(path, create=False) as store:
        assert store.load(store.find_model("id-a")).paths == ["/data/a.png"]
    Path(f"{path}-wal").unlink()
    # Where it may write, a reader opens the store as writers do, which leaves no WAL files.
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: True)
    opened.clear()
    with EmbeddingStore.open(path, create=False) as store:
        assert store.load(store.find_model("id-a")).paths == ["/data/a.png"]
    assert opened == [str(path)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.zsl"]


def test_a_store_written_while_read_without_locks_fails_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read where SQLite cannot lock (a folder zsl may not write to, as a teammate reads the
    # owner's store), a store that the owner's `zsl embed` wrote to and checkpointed meanwhile
    # gave a mix of old and new rows. The read now fails with one line saying to run again.
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id-a", "model-a", DIM)
        old = [FileStat(f"/data/{i:04d}", 1, 1) for i in range(0, 400, 2)]
        store.add(model, [StoredItem(stat, "ok", "", unit_vector(1)) for stat in old])
    as_on_a_read_only_mount(monkeypatch)
    select = EmbeddingStore._select

    def select_while_the_owner_writes(self, columns, model_id, condition):
        for number, row in enumerate(select(self, columns, model_id, condition)):
            if number == 10:
                with EmbeddingStore.open(path) as owner:
                    new = [FileStat(f"/data/{i:04d}", 1, 1) for i in range(1, 400, 2)]
                    owner.add(model, [StoredItem(stat, "ok", "", unit_vector(2)) for stat in new])
                    owner.forget(model, [stat.path for stat in old[:100]])
            yield row

    monkeypatch.setattr(EmbeddingStore, "_select", select_while_the_owner_writes)
    with (
        EmbeddingStore.open(path, create=False) as store,
        pytest.raises(ZslError, match=r"s\.zsl changed while it was read .* run again"),
    ):
        store.load(model)


def test_a_linked_store_is_judged_by_the_folder_its_file_lies_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite writes the -wal and -shm files next to the file a link leads to, not the link.
    mounted, work = tmp_path / "mounted", tmp_path / "work"
    mounted.mkdir()
    work.mkdir()
    with EmbeddingStore.open(mounted / "s.zsl") as store:
        encode_all(store, store.register_model("id-a", "model-a", DIM), [FileStat("/a.png", 1, 1)])
    link = work / "s.zsl"
    link.symlink_to(mounted / "s.zsl")
    real_access = os.access
    opened = []
    real_connect = sqlite3.connect

    def connect(location, *args, **kwargs):
        opened.append(location)
        return real_connect(location, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    # The store on a read-only mount, linked from a folder we may write to: read, not written.
    monkeypatch.setattr(
        os, "access", lambda path, mode: Path(path) != mounted and real_access(path, mode)
    )
    with EmbeddingStore.open(link, create=False) as store:
        assert store.load(store.find_model("id-a")).paths == ["/a.png"]
    assert opened[0].startswith(f"file:{mounted}/") and opened[0].endswith("?immutable=1")
    with pytest.raises(ZslError, match=f"cannot write to its folder {mounted}$"):
        check_store_writable(link)
    # The link in a folder we may not write to, the store where we may: it can be written.
    monkeypatch.setattr(
        os, "access", lambda path, mode: Path(path) != work and real_access(path, mode)
    )
    check_store_writable(link)
    opened.clear()
    with EmbeddingStore.open(link, create=False) as store:
        assert store.load(store.find_model("id-a")).paths == ["/a.png"]
    assert opened == [str(link)]


@pytest.mark.parametrize("name", ["s.zsl", "s.zsl-shm"])
def test_a_store_file_that_cannot_be_written_is_said_before_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # s.zsl-shm: a store made read-only and read (label --embeddings) gets -wal and -shm files as
    # read-only as it was; once the store was writable again, embed loaded the model, then
    # failed with "read-only ... check the permissions of the file and of its folder", both
    # writable.
    path = tmp_path / "s.zsl"
    EmbeddingStore.open(path).close()
    read_only = tmp_path / name
    read_only.touch()
    check_store_writable(path)
    real_access = os.access  # root may write anything: the file is made read-only here
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != read_only and real_access(p, mode))
    with pytest.raises(ZslError, match=f"cannot write to its file {read_only}") as raised:
        check_store_writable(path)
    if name == "s.zsl":
        assert raised.value.message.endswith(str(read_only))
    else:  # as an older zsl's read left them: how to be rid of them
        assert raised.value.message.endswith(
            f"{read_only} (no commit waits in it: a read of the store while it was read-only "
            "left it); delete s.zsl-shm while no zsl command uses the store (their owner or "
            "root may, in a shared folder), and run again"
        )


def test_an_export_through_a_link_is_written_in_the_format_its_name_says(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    # A link named x.npy to a file named otherwise ended every embed in an IndexError traceback
    # (the index's name was looked for by the target's suffix); one named x.parquet to a .npy
    # file reported a path index it never wrote.
    model = store.register_model("id", "m", DIM)
    encoded = encode_all(store, model, [FileStat("/data/a", 1, 1), FileStat("/data/b", 2, 2)])
    target = tmp_path / "data" / "vectors.bin"
    target.parent.mkdir()
    link = tmp_path / "v.npy"
    link.symlink_to(target)
    assert exports_module.export_files(link) == [target, target.with_name("vectors.bin.paths.csv")]
    assert store.export(model, link) == 2
    np.testing.assert_array_equal(np.load(target), np.stack(list(encoded.values())))
    assert Path(f"{target}.paths.csv").read_text().splitlines()[1:] == ["0,/data/a", "1,/data/b"]
    parquet_link = tmp_path / "v.parquet"
    parquet_link.symlink_to(tmp_path / "data" / "t.npy")
    assert exports_module.export_files(parquet_link) == [tmp_path / "data" / "t.npy"]


def test_an_export_through_a_link_to_a_missing_folder_makes_that_folder(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    # As a predictions output through such a link is written: the folder was made next to the
    # link, and the export failed with "No such file or directory" once every image was encoded.
    model = store.register_model("id", "m", DIM)
    encode_all(store, model, [FileStat("/data/a", 1, 1)])
    link = tmp_path / "v.npy"
    link.symlink_to(tmp_path / "runs" / "r1" / "v.npy")
    check_export_path(link)
    assert (tmp_path / "runs" / "r1").is_dir()
    assert store.export(model, link) == 1
    assert (tmp_path / "runs" / "r1" / "v.npy.paths.csv").is_file()


def test_a_store_through_a_link_to_a_missing_folder_makes_that_folder(tmp_path: Path) -> None:
    # As an export through such a link is written: the store's folder was looked for next to
    # the link, and SQLite said only "unable to open database file", once the model had loaded.
    link = tmp_path / "photos.zsl"
    link.symlink_to(tmp_path / "stores" / "s1" / "photos.zsl")
    with EmbeddingStore.open(link) as store:
        encode_all(store, store.register_model("id", "m", DIM), [FileStat("/data/a", 1, 1)])
    assert link.is_symlink()
    with EmbeddingStore.open(tmp_path / "stores" / "s1" / "photos.zsl", create=False) as store:
        assert store.load(store.find_model("id")).paths == ["/data/a"]


def test_an_exports_path_index_ends_its_lines_as_a_predictions_csv_does(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    # csv's default "\r\n" left a "\r" on every path that `cut` or `while read` took from it;
    # a "\r" in a name is quoted, so that csv reads it back.
    model = store.register_model("id", "m", DIM)
    encode_all(store, model, [FileStat("/data/a", 1, 1), FileStat("/data/b\rc", 2, 2)])
    store.export(model, tmp_path / "e.npy")
    index = (tmp_path / "e.npy.paths.csv").read_bytes()
    assert index == b'index,path\n0,/data/a\n1,"/data/b\rc"\n'
    assert list(csv.reader(io.StringIO(index.decode(), newline=""))) == [
        ["index", "path"],
        ["0", "/data/a"],
        ["1", "/data/b\rc"],
    ]


def test_an_export_whose_path_index_is_a_folder_is_refused_before_the_run(
    tmp_path: Path,
) -> None:
    # Found only once every image was encoded, as "cannot write e.npy: Is a directory".
    (tmp_path / "e.npy.paths.csv").mkdir()
    with pytest.raises(ZslError, match=r"its path index .*e\.npy\.paths\.csv is a directory"):
        check_export_path(tmp_path / "e.npy")


def test_an_export_refuses_vectors_that_are_not_unit_length(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    # label --embeddings refuses a damaged vector; the export copied it out as it was.
    model = store.register_model("id", "m", DIM)
    encode_all(store, model, [FileStat("/data/a", 1, 1)])
    with sqlite3.connect(store.path) as raw:
        (blob,) = raw.execute("SELECT vector FROM files").fetchone()
        damaged = bytearray(blob)
        damaged[-1] ^= 0x40
        raw.execute("UPDATE files SET vector = ?", (bytes(damaged),))
    with pytest.raises(ZslError, match=r"not of unit length \(/data/a\); it is damaged"):
        store.export(model, tmp_path / "e.npy")
    assert not (tmp_path / "e.npy").exists()


def test_a_store_named_by_a_link_loop_is_said_to_be_one(tmp_path: Path) -> None:
    # embed loaded the model, then failed with SQLite's "unable to open database file"; label
    # --embeddings said the store was not found and to create it with zsl embed.
    loop = tmp_path / "a.zsl"
    loop.symlink_to("b.zsl")
    (tmp_path / "b.zsl").symlink_to("a.zsl")
    message = f"^embedding store {loop} is a symbolic link loop"
    with pytest.raises(ZslError, match=message):
        check_store_writable(loop)  # before the model loads
    for create in (True, False):
        with pytest.raises(ZslError, match=message):
            EmbeddingStore.open(loop, create=create)


@pytest.mark.skipif(not hasattr(os, "pathconf"), reason="needs os.pathconf (Unix)")
def test_a_store_name_without_room_for_its_journal_files_is_refused_before_a_run(
    tmp_path: Path,
) -> None:
    # A name the file system takes but not with "-journal" after it: embed loaded the model,
    # failed with SQLite's "unable to open database file" and left an empty file, and the next
    # run said "<name>-wal: File name too long".
    name_max = os.pathconf(tmp_path, "PC_NAME_MAX")
    longest = tmp_path / ("s" * (name_max - len(".zsl-journal")) + ".zsl")
    too_long = tmp_path / ("s" * (name_max - len(".zsl-journal") + 1) + ".zsl")
    message = rf"^embedding store {too_long}: its name is too long: .*-journal after it, which "
    with pytest.raises(ZslError, match=message):
        check_store_writable(too_long)  # before the model loads
    with pytest.raises(ZslError, match=message):
        EmbeddingStore.open(too_long)
    assert not too_long.exists()
    check_store_writable(longest)
    EmbeddingStore.open(longest).close()


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_vectors_round_trip(tmp_path: Path, dtype: str) -> None:
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store.register_model("id", "m", 512, dtype=dtype)
        vectors = np.stack([unit_vector(i, 512) for i in range(50)])
        stats = [FileStat(f"/data/{i:03d}.png", i, i) for i in range(50)]
        order = np.random.default_rng(0).permutation(50)  # stored out of order, loaded sorted
        store.add(model, [StoredItem(stats[i], "ok", "", vectors[i]) for i in order])
        loaded = store.load(model)
    assert loaded.vectors.dtype == np.float32 and loaded.vectors.shape == (50, 512)
    expected = vectors.astype(np.float16).astype(np.float32) if dtype == "float16" else vectors
    np.testing.assert_array_equal(loaded.vectors, expected)
    assert loaded.paths == [s.path for s in stats]

    with sqlite3.connect(tmp_path / "s.db") as raw:
        (blob_len,) = raw.execute("SELECT DISTINCT length(vector) FROM files").fetchone()
    assert blob_len == 512 * (2 if dtype == "float16" else 4)


def test_non_utf8_paths_round_trip_and_sort_by_bytes(tmp_path: Path, store: EmbeddingStore) -> None:
    raw_names = [b"caf\xe9.png", b"b\xff\xfe.png", "ünïcode.png".encode(), b"plain.png"]
    folder_bytes = os.fsencode(tmp_path / "photos")
    os.makedirs(folder_bytes)
    for name in raw_names:
        with open(os.path.join(folder_bytes, name), "wb") as handle:
            handle.write(name)
    folder = Path(os.fsdecode(folder_bytes))
    stats = scan(folder)
    model = store.register_model("id", "m", DIM)
    encode_all(store, model, stats)

    loaded = store.load(model)
    expected_bytes = sorted(os.path.join(folder_bytes, name) for name in raw_names)
    assert [os.fsencode(p) for p in loaded.paths] == expected_bytes
    assert all(os.path.exists(p) for p in loaded.paths)
    assert store.plan(model, scan(folder), [str(folder)]).to_encode == []

    out = tmp_path / "emb.npy"
    assert store.export(model, out) == 4
    with open(f"{out}.paths.csv", encoding="utf-8", errors="surrogateescape", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["index", "path"]
    assert [os.fsencode(path) for _, path in rows[1:]] == expected_bytes
    # Parquet strings must be UTF-8: such bytes are shown as \xNN there, exact in path_bytes.
    pq = pytest.importorskip("pyarrow.parquet")
    assert store.export(model, tmp_path / "emb.parquet") == 4
    table = pq.read_table(tmp_path / "emb.parquet")
    assert table.column("path_bytes").to_pylist() == expected_bytes
    shown = [os.path.basename(path) for path in table.column("path").to_pylist()]
    assert shown == ["b\\xff\\xfe.png", "caf\\xe9.png", "plain.png", "ünïcode.png"]


def test_vectors_of_the_wrong_length_are_a_damaged_store(store: EmbeddingStore) -> None:
    model = store.register_model("id", "m", DIM)
    encode_all(store, model, [FileStat("/data/a.png", 1, 1)])
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE files SET vector = zeroblob(3)")
    for read in (lambda: store.load(model), lambda: store.fetch(model, ["/data/a.png"])):
        with pytest.raises(
            ZslError, match=r"1 vector that is not 8 values long \(/data/a.png\); it is damaged"
        ):
            read()


def every_read_is_refused(
    store: EmbeddingStore, model: int, path: str, export: Path, match: str
) -> None:
    """Loading the model's vectors, fetching `path`'s and exporting them each raise `match`."""
    reads = (
        lambda: store.load(model),
        lambda: store.fetch(model, [path]),
        lambda: store.export(model, export),
    )
    for read in reads:
        with pytest.raises(ZslError, match=match):
            read()


@pytest.mark.parametrize("damaged", ["3f80", 7, 0.5], ids=repr)
def test_a_vector_that_is_no_blob_is_a_damaged_store(
    tmp_path: Path, store: EmbeddingStore, damaged: object
) -> None:
    # A damaged row header can make a vector text or a number: reading the rows ended in a
    # TypeError traceback where they were joined into the matrix.
    model = store.register_model("id", "m", DIM)
    encode_all(store, model, [FileStat("/data/a.png", 1, 1), FileStat("/data/b.png", 1, 1)])
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE files SET vector = ? WHERE path = ?", (damaged, b"/data/b.png"))
    every_read_is_refused(
        store,
        model,
        "/data/b.png",
        tmp_path / "v.npy",
        "^embedding store .* is damaged .*a stored vector",
    )
    assert not (tmp_path / "v.npy").exists()


@pytest.mark.parametrize(
    ("column", "damaged"), [("dim", "x"), ("dim", 0.5), ("dtype", "x"), ("dtype", 2)], ids=repr
)
def test_a_model_of_no_dim_or_dtype_zsl_writes_is_a_damaged_store(
    tmp_path: Path, store: EmbeddingStore, column: str, damaged: object
) -> None:
    # A damaged page escapes the table's CHECKs: label --embeddings and --export ended in
    # int()'s ValueError or a KeyError for the dtype (found by fuzzing the store).
    model = store.register_model("id", "m", DIM)
    encode_all(store, model, [FileStat("/data/a.png", 1, 1)])
    with sqlite3.connect(store.path) as raw:
        raw.execute("PRAGMA ignore_check_constraints = ON")
        raw.execute(f"UPDATE models SET {column} = ?", (damaged,))
    every_read_is_refused(
        store,
        model,
        "/data/a.png",
        tmp_path / "v.npy",
        "^embedding store .* is damaged .*a model's dim",
    )


def test_vectors_that_are_not_finite_are_a_damaged_store(store: EmbeddingStore) -> None:
    # zsl embed stores no such vector; a NaN one was labelled with score nan and status ok.
    model = store.register_model("id", "m", DIM)
    encode_all(store, model, [FileStat("/data/a.png", 1, 1), FileStat("/data/b.png", 1, 1)])
    path = (b"/data/b.png",)
    with sqlite3.connect(store.path) as raw:
        (blob,) = raw.execute("SELECT vector FROM files WHERE path = ?", path).fetchone()
        vector = np.frombuffer(blob, dtype=np.float32).copy()
        vector[3] = np.nan
        raw.execute("UPDATE files SET vector = ? WHERE path = ?", (vector.tobytes(), *path))
    for read in (lambda: store.load(model), lambda: store.fetch(model, ["/data/b.png"])):
        with pytest.raises(
            ZslError, match=r"1 vector that is not finite \(/data/b.png\); it is damaged"
        ):
            read()


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_vectors_that_are_not_unit_length_are_a_damaged_store(tmp_path: Path, dtype: str) -> None:
    # Every image embedding is L2-normalised, and SQLite keeps no checksum: a damaged byte in a
    # vector's exponent (1e38 where 0.3 was) was labelled with a score of 1, status ok.
    path = tmp_path / "store.db"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", DIM, dtype=dtype)
        stats = [FileStat("/data/a.png", 1, 1), FileStat("/data/b.png", 1, 1)]
        encode_all(store, model, stats)
    paths = [Path(stat.path) for stat in stats]
    for read in (None, paths):  # float16 rounding is no damage
        assert len(stored_items(str(path), "id", "m", read)) == 2
    with sqlite3.connect(path) as raw:
        key = (b"/data/b.png",)
        (blob,) = raw.execute("SELECT vector FROM files WHERE path = ?", key).fetchone()
        damaged = bytearray(blob)
        damaged[-1] ^= 0x40  # the last component's top exponent bit
        raw.execute("UPDATE files SET vector = ? WHERE path = ?", (bytes(damaged), *key))
    for read in (None, paths):
        with pytest.raises(
            ZslError, match=r"1 vector that is not of unit length \(/data/b.png\); it is damaged"
        ):
            stored_items(str(path), "id", "m", read)


def test_text_that_is_not_utf8_is_a_damaged_store(store: EmbeddingStore) -> None:
    # A damaged page can leave bytes that are not UTF-8 in a text column: every read of the
    # model's rows ended in sqlite3's "Could not decode to UTF-8 column" traceback.
    model = store.register_model("id", "m", DIM)
    stat = FileStat("/data/a.png", 1, 1)
    store.add(model, [StoredItem(stat, "decode_error", "broken", None)])
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE files SET status = CAST(x'ff6f6b' AS TEXT)")
    reads = (
        lambda: store.load(model),
        lambda: store.fetch(model, ["/data/a.png"]),
        lambda: store.plan(model, [stat], ["/data"]),
    )
    for read in reads:
        with pytest.raises(ZslError, match="^embedding store .* is damaged .*not UTF-8"):
            read()


def test_a_schema_damaged_into_bytes_that_are_not_utf8_is_a_damaged_store(tmp_path: Path) -> None:
    # SQLite's error quotes the damaged schema text, and sqlite3 decoding that message as UTF-8
    # raised UnicodeDecodeError: every zsl command on the store ended in that traceback (found
    # by fuzzing the store).
    path = tmp_path / "s.db"
    EmbeddingStore.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA writable_schema = ON")
        raw.execute(
            "UPDATE sqlite_master SET sql = CAST(? AS TEXT) WHERE name = 'files_stat'",
            (b"CREATE INDEX files_stat ON files (model_id, p\x97th)",),
        )
    with pytest.raises(ZslError, match=r"s\.db is damaged \(.*no such column: p\\x97th\); delete"):
        EmbeddingStore.open(path, create=False)


def test_a_model_its_index_lists_but_its_table_lacks_is_a_damaged_store(tmp_path: Path) -> None:
    # A damaged byte changed the model row's id in the table, not in the index of identities:
    # find_model read the id from the index alone, and the next read of the model ended in
    # "ValueError: no model with id 1" (zsl embed --export, found by fuzzing the store).
    path = tmp_path / "s.db"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", DIM)
        store.add(model, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", unit_vector(0))])
    with sqlite3.connect(path) as raw:
        (root,) = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'models'").fetchone()
    data = bytearray(path.read_bytes())
    page = (root - 1) * PAGE_SIZE
    assert data[page] == 0x0D  # a leaf of a table: its one row is the model's
    cell = page + int.from_bytes(data[page + 8 : page + 10], "big")
    while data[cell] & 0x80:  # the row's size, a varint; its id follows
        cell += 1
    assert data[cell + 1] == model
    data[cell + 1] = model + 4
    path.write_bytes(bytes(data))
    reads = (
        lambda: stored_export_rows(path, "id", "m"),
        lambda: stored_items(str(path), "id", "m", None),
    )
    for read in reads:
        with pytest.raises(ZslError, match=r"s\.db is damaged \(database disk image is malformed"):
            read()


@pytest.mark.parametrize("column", ["identity", "name", "precision"])
def test_a_model_whose_text_is_no_text_is_a_damaged_store(tmp_path: Path, column: str) -> None:
    # A damaged page changed a model's name to a blob: `label --embeddings` with a model the
    # store lacks, which names the models it holds, ended in "TypeError: sequence item 0:
    # expected str instance, bytes found" (found by damaging each column).
    path = tmp_path / "s.db"
    with EmbeddingStore.open(path) as store:
        store.register_model("id", "m", DIM, precision="float32")
    with sqlite3.connect(path) as raw:
        raw.execute(f"UPDATE models SET {column} = ?", (b"\xff\x00",))
    with (
        EmbeddingStore.open(path, create=False) as store,
        pytest.raises(ZslError, match=r"s\.db is damaged \(a model's name, identity or"),
    ):
        store.models()
    with pytest.raises(ZslError, match=r"s\.db is damaged"):
        stored_items(str(path), "other-id", "other", None)


@pytest.mark.parametrize("column", ["status", "error"])
@pytest.mark.parametrize("damaged", [b"\xff\x00", b"ok"], ids=repr)
def test_a_status_or_error_that_is_no_text_is_a_damaged_store(
    tmp_path: Path, store: EmbeddingStore, column: str, damaged: object
) -> None:
    # A damaged page left a blob for a file's status: label --embeddings ended in the JSON run
    # info's "TypeError: keys must be str, int, float, bool or None, not bytes" (found by
    # damaging each column), and a blob for an error went to the predictions as it was.
    model = store.register_model("id", "m", DIM)
    stat = FileStat("/data/a.png", 1, 1)
    store.add(model, [StoredItem(stat, "decode_error", "broken", None)])
    with sqlite3.connect(store.path) as raw:
        raw.execute(f"UPDATE files SET {column} = ?", (damaged,))
    reads = (
        lambda: store.load(model),
        lambda: store.fetch(model, [stat.path]),
        lambda: stored_items(str(store.path), "id", "m", None),
        lambda: stored_items(str(store.path), "id", "m", [Path(stat.path)]),
    )
    for read in reads:
        with pytest.raises(ZslError, match=r"is damaged \(a stored status or error is no text\)"):
            read()


@pytest.mark.parametrize("column", ["size", "mtime_ns"])
@pytest.mark.parametrize("damaged", [b"\xff", "x", 1.5], ids=repr)
def test_a_files_stat_that_is_no_whole_number_is_a_damaged_store_to_a_parquet_export(
    tmp_path: Path, store: EmbeddingStore, column: str, damaged: object
) -> None:
    # pyarrow took the stored size and mtime for its int64 columns as they were read: a damaged
    # one ended `zsl embed --export x.parquet` in "ArrowInvalid: Could not convert b'\xff'".
    pytest.importorskip("pyarrow")
    model = store.register_model("id", "m", DIM)
    store.add(model, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", unit_vector(0))])
    with sqlite3.connect(store.path) as raw:
        raw.execute(f"UPDATE files SET {column} = ?", (damaged,))
    with pytest.raises(ZslError, match=r"is damaged \(a stored file's size or mtime is no whole"):
        store.export(model, tmp_path / "v.parquet")
    assert not (tmp_path / "v.parquet").exists()


@pytest.mark.parametrize("damaged", [b"/data/a\0.png", b"data/a.png", "/data/a.png", 7], ids=repr)
def test_a_stored_path_that_names_no_file_is_a_damaged_store(
    tmp_path: Path, store: EmbeddingStore, damaged: object
) -> None:
    # A damaged page left a NUL byte in a stored path: the next embed of its folder ended in
    # os.path.realpath's "embedded null character" traceback (found by fuzzing the store).
    model = store.register_model("id", "m", DIM)
    folder = tmp_path / "photos"
    stat = FileStat(str(write_file(folder / "b.png")), 1, 1)
    encode_all(store, model, [FileStat("/data/a.png", 1, 1), stat])
    with sqlite3.connect(store.path) as raw:
        raw.execute("UPDATE files SET path = ? WHERE path = ?", (damaged, b"/data/a.png"))
    reads = (
        lambda: store.plan(model, [stat], ["/data", str(folder)]),
        lambda: store.load(model),
        lambda: store.paths(model),
    )
    for read in reads:
        with pytest.raises(ZslError, match="^embedding store .* is damaged .*a stored path"):
            read()


def test_export_npy_and_parquet_read_back_equal(tmp_path: Path, store: EmbeddingStore) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    model = store.register_model("id-xyz", "model-x", DIM)
    stats = [FileStat(f"/data/{name}", size, 10 + size) for size, name in enumerate("cab")]
    encoded = encode_all(store, model, stats)
    store.add(model, [StoredItem(FileStat("/data/broken.png", 1, 1), "truncated", "eof", None)])
    order = ["/data/a", "/data/b", "/data/c"]  # sorted; the failure is not exported
    expected = np.stack([encoded[p] for p in order])

    npy = tmp_path / "out" / "emb.npy"
    npy.parent.mkdir()
    assert store.export(model, npy) == 3
    np.testing.assert_array_equal(np.load(npy), expected)
    link = tmp_path / "link.npy"  # written through, as every output is
    link.symlink_to(npy)
    assert store.export(model, link) == 3
    assert link.is_symlink() and np.array_equal(np.load(npy), expected)
    assert not Path(f"{link}.paths.csv").exists()
    assert not [p.name for p in npy.parent.iterdir() if p.name.startswith(".")]  # no temp left
    with open(f"{npy}.paths.csv", newline="") as handle:
        assert list(csv.reader(handle)) == [["index", "path"]] + [
            [str(i), p] for i, p in enumerate(order)
        ]

    parquet = tmp_path / "out" / "emb.parquet"
    assert store.export(model, parquet) == 3
    table = pq.read_table(parquet)
    assert table.column_names == ["path", "path_bytes", "vector", "size", "mtime_ns"]
    assert table.column("path").to_pylist() == order
    assert table.column("path_bytes").to_pylist() == [p.encode() for p in order]
    vectors = np.array(table.column("vector").to_pylist(), dtype=np.float32)
    np.testing.assert_array_equal(vectors, expected)
    sizes = {s.path: s for s in stats}
    assert table.column("size").to_pylist() == [sizes[p].size for p in order]
    assert table.column("mtime_ns").to_pylist() == [sizes[p].mtime_ns for p in order]
    assert table.schema.metadata[b"zsl.identity"] == b"id-xyz"
    assert table.schema.metadata[b"zsl.dtype"] == b"float32"
    assert sorted(os.listdir(npy.parent)) == ["emb.npy", "emb.npy.paths.csv", "emb.parquet"]

    with pytest.raises(ZslError, match=r"\.npy or \.parquet"):
        store.export(model, tmp_path / "emb.csv")
    # Missing folders are created, as for every other output; a file in the way is an error.
    assert store.export(model, tmp_path / "new" / "dir" / "emb.npy") == len(order)
    (tmp_path / "a-file").write_bytes(b"")
    with pytest.raises(ZslError, match="cannot create the folder of .*a-file' is a file, not a"):
        store.export(model, tmp_path / "a-file" / "emb.npy")
    with pytest.raises(ZslError, match="folder of embedding store .*a-file' is a file, not a"):
        EmbeddingStore.open(tmp_path / "a-file" / "s.zsl", create=True)
    (tmp_path / "folder.npy").mkdir()
    with pytest.raises(ZslError, match="it is a directory"):
        store.export(model, tmp_path / "folder.npy")

    # A float16 model's export says so; its vectors come out as float32.
    half = store.register_model("id-half", "half", DIM, dtype="float16", precision="bfloat16")
    store.add(half, [StoredItem(stats[0], "ok", "", encoded[stats[0].path])])
    assert store.export(half, tmp_path / "half.parquet") == 1
    metadata = pq.read_table(tmp_path / "half.parquet").schema.metadata
    assert (metadata[b"zsl.dtype"], metadata[b"zsl.dim"]) == (b"float16", str(DIM).encode())
    assert metadata[b"zsl.precision"] == b"bfloat16"  # the model's, beside the vectors' dtype

    # A model with nothing stored exports empty files of the right shape.
    empty = store.register_model("id-empty", "empty", DIM)
    assert store.export(empty, tmp_path / "empty.npy") == 0
    assert np.load(tmp_path / "empty.npy").shape == (0, DIM)
    assert store.export(empty, tmp_path / "empty.parquet") == 0
    assert pq.read_table(tmp_path / "empty.parquet").num_rows == 0


def test_exports_to_one_file_at_once_leave_vectors_and_paths_of_one_export(
    tmp_path: Path, store: EmbeddingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two `zsl embed --export x.npy` at once: one export's matrix next to the other's
    # x.npy.paths.csv gave rows the wrong paths. The second now waits for the first's pair.
    import threading

    from zsl_cli import files

    model = store.register_model("id", "m", DIM)
    encode_all(store, model, [FileStat(f"/data/{i}", 1, 1) for i in range(3)])
    out = tmp_path / "emb.npy"
    replace = os.replace

    def export_more() -> None:  # another run: one more image, one connection of its own
        with EmbeddingStore.open(tmp_path / "store.db") as other:
            other.add(model, [StoredItem(FileStat("/data/0a", 1, 1), "ok", "", unit_vector(9))])
            other.export(model, out)

    run_b = threading.Thread(target=export_more)
    b_blocked, waited = threading.Event(), []
    monkeypatch.setattr(files.fcntl, "flock", flock_noting_blocked(run_b, b_blocked))

    def replace_then_let_b_export(source, target):
        replace(source, target)
        if Path(target) == out and run_b.ident is None:
            run_b.start()
            # B's whole export runs here, unless it waits for A: B is blocked, and not done.
            waited.append((b_blocked.wait(60), run_b.is_alive()))

    monkeypatch.setattr(files.os, "replace", replace_then_let_b_export)
    store.export(model, out)
    run_b.join()
    assert waited == [(True, True)]
    with open(f"{out}.paths.csv", newline="") as handle:
        paths = [path for _, path in list(csv.reader(handle))[1:]]
    assert paths == ["/data/0", "/data/0a", "/data/1", "/data/2"]
    assert len(np.load(out)) == len(paths)
    np.testing.assert_array_equal(np.load(out)[1], unit_vector(9))


@pytest.mark.parametrize("kept", ["emb.npy", "emb.npy.paths.csv"])
def test_an_export_over_a_file_its_user_may_not_write_is_refused_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: str
) -> None:
    # As a label output is: the rename needs only the folder's permission, so an export kept
    # read-only was replaced once the whole embed run was done.
    (tmp_path / kept).write_bytes(b"kept")
    (tmp_path / kept).chmod(0o444)
    access = os.access

    def as_a_user(path, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path).name == kept and mode & os.W_OK:  # root writes any file
            return False
        return access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", as_a_user)
    with pytest.raises(ZslError, match=f"{kept}' is read-only"):
        check_export_path(tmp_path / "emb.npy")


def test_parquet_export_without_pyarrow_names_the_extra(
    tmp_path: Path, store: EmbeddingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = store.register_model("id", "m", DIM)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes `import pyarrow` raise ImportError
    with pytest.raises(ZslError, match=r"zsl-cli\[parquet\]"):
        store.export(model, tmp_path / "emb.parquet")


def test_models_share_a_store(tmp_path: Path, store: EmbeddingStore) -> None:
    a = store.register_model("id-a", "model-a", DIM)
    b = store.register_model("id-b", "model-b", 4, dtype="float16")
    assert a != b
    assert store.register_model("id-a", "model-a", DIM) == a
    assert store.find_model("id-b") == b and store.find_model("nope") is None
    stat = FileStat("/data/one.png", 1, 1)
    failed = StoredItem(FileStat("/data/two.png", 1, 1), "truncated", "cut short", None)
    store.add(a, [StoredItem(stat, "ok", "", unit_vector(0)), failed])
    assert store.plan(b, [stat], ["/data"]).to_encode == [stat]  # b has not encoded it
    assert [(m.name, m.dim, m.dtype, m.n_ok, m.n_failed) for m in store.models()] == [
        ("model-a", DIM, "float32", 1, 1),
        ("model-b", 4, "float16", 0, 0),
    ]
    for other_dim in (16, 4):
        with pytest.raises(ZslError, match=f"dim 8, but the encoder reports dim {other_dim}"):
            store.register_model("id-a", "model-a", other_dim)
    with pytest.raises(ValueError, match="dim must be positive"):
        store.register_model("id-c", "model-c", 0)
    with pytest.raises(ZslError, match="float32, not float16"):
        store.register_model("id-a", "model-a", DIM, dtype="float16")
    with pytest.raises(ValueError, match="vector shape"):
        store.add(a, [StoredItem(stat, "ok", "", unit_vector(0, 4))])


def test_store_file_is_wal_and_versioned(tmp_path: Path) -> None:
    EmbeddingStore.open(tmp_path / "s.db").close()
    with sqlite3.connect(tmp_path / "s.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        # Rows of a few KB (a vector) share pages, and load() reads them in order.
        assert raw.execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,)


def test_another_precision_is_not_mixed_into_a_model(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model_id = store.register_model("id-a", "model-a", DIM, precision="bfloat16")
        assert store.register_model("id-a", "model-a", DIM, precision="bfloat16") == model_id
        with pytest.raises(
            ZslError, match="encoded in bfloat16, not float32: pass --precision bf16"
        ):
            store.register_model("id-a", "model-a", DIM, precision="float32")
        assert [m.precision for m in store.models()] == ["bfloat16"]


def version_1_store(tmp_path: Path) -> Path:
    """A store of model-a with one image, in version 1's layout."""
    path = tmp_path / "s.db"
    with EmbeddingStore.open(path) as store:
        write_file(tmp_path / "images" / "a.png")
        encode_all(store, store.register_model("id-a", "model-a", DIM), scan(tmp_path / "images"))
    as_version_1(path)
    return path


def as_version_1(path: Path) -> None:
    """Turn the store at `path` into the layout zsl wrote before precision was recorded."""
    raw = sqlite3.connect(path)
    with raw:  # commits; closing is left to us
        raw.execute("ALTER TABLE models DROP COLUMN precision")
        raw.execute("PRAGMA user_version = 1")
    raw.close()


def test_a_version_1_store_exports_without_a_precision(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = version_1_store(tmp_path)
    with EmbeddingStore.open(path, create=False) as reader:
        assert reader.export(reader.models()[0].id, tmp_path / "v1.parquet") == 1
    metadata = pq.read_table(tmp_path / "v1.parquet").schema.metadata
    assert b"zsl.precision" not in metadata and metadata[b"zsl.name"] == b"model-a"


def test_a_version_1_store_is_read_as_it_is_and_migrated_by_a_writer(tmp_path: Path) -> None:
    path = version_1_store(tmp_path)
    with EmbeddingStore.open(path, create=False) as reader:
        assert [(m.name, m.precision, m.n_ok) for m in reader.models()] == [("model-a", None, 1)]
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (1,)
    with EmbeddingStore.open(path) as opened:  # opening to write is not writing
        assert [m.precision for m in opened.models()] == [None]
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (1,)
    with EmbeddingStore.open(path, create=False) as writer:
        # The stored vectors may be of any precision: it stays unknown, and nothing is refused.
        writer.register_model("id-a", "model-a", DIM, precision="float16")
        writer.register_model("id-a", "model-a", DIM, precision="float32")
        new_model = writer.register_model("id-b", "model-b", DIM, precision="bfloat16")
        assert [m.precision for m in writer.models()] == [None, "bfloat16"]
        with pytest.raises(ZslError, match="encoded in bfloat16"):
            writer.register_model("id-b", "model-b", DIM, precision="float32")
        assert writer.register_model("id-b", "model-b", DIM, precision="bfloat16") == new_model
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_a_store_of_version_2_whose_header_says_version_1_is_written_as_version_2(
    tmp_path: Path,
) -> None:
    # A damaged header (one bit of user_version) or a tool that set it back: the migration
    # added the precision column again, and embed ended in "OperationalError: duplicate
    # column name: precision".
    path = tmp_path / "s.db"
    with EmbeddingStore.open(path) as store:
        store.register_model("id-a", "model-a", DIM, precision="float16")
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 1")
    with EmbeddingStore.open(path, create=False) as writer:
        writer.register_model("id-b", "model-b", DIM, precision="float32")
        assert [m.precision for m in writer.models()] == ["float16", "float32"]
        with pytest.raises(ZslError, match="encoded in float16"):
            writer.register_model("id-a", "model-a", DIM, precision="float32")
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_a_model_registered_without_precision_records_it_before_its_first_vector(
    tmp_path: Path,
) -> None:
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model_id = store.register_model("id-a", "model-a", DIM)
        assert store.register_model("id-a", "model-a", DIM, precision="float16") == model_id
        assert [m.precision for m in store.models()] == ["float16"]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    EmbeddingStore.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ZslError, match="newer") as info:
        EmbeddingStore.open(path)
    assert str(path) in info.value.message


def test_a_store_without_a_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    EmbeddingStore.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 0")
    with pytest.raises(ZslError, match=r"has no valid schema version \(0\)"):
        EmbeddingStore.open(path)


@pytest.mark.parametrize("change", ["DROP TABLE files", "ALTER TABLE models DROP COLUMN precision"])
def test_a_store_that_lacks_a_table_or_column_of_its_version_is_damaged(
    tmp_path: Path, change: str
) -> None:
    path = tmp_path / "s.db"
    EmbeddingStore.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(change)
    # Said as it opens (before a model loads), where the first query failed in a traceback.
    with pytest.raises(
        ZslError, match=r"s\.db is damaged \(no such (table: files|column: precision)"
    ):
        EmbeddingStore.open(path, create=False)


def test_files_that_are_not_stores_are_refused_untouched(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a database\n" * 20)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE t (x)")
    other_bytes = other.read_bytes()

    with pytest.raises(ZslError, match="not an SQLite database") as info:
        EmbeddingStore.open(text)
    assert str(text) in info.value.message
    with pytest.raises(ZslError, match="not a zsl embedding store"):
        EmbeddingStore.open(other)
    assert other.read_bytes() == other_bytes
    # Read, not written (label --embeddings): a new file name would be no store either.
    for path in (text, other):
        with pytest.raises(ZslError) as info:
            EmbeddingStore.open(path, create=False)
        assert info.value.message.endswith("; give the store `zsl embed` wrote"), path
    with pytest.raises(ZslError, match="give a new file name or the store `zsl embed` wrote"):
        EmbeddingStore.open(other)
    with pytest.raises(ZslError, match="not found"):
        EmbeddingStore.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(ZslError, match="directory"):
        EmbeddingStore.open(tmp_path)


@pytest.mark.parametrize("create", [False, True])
def test_a_device_or_pipe_given_as_the_store_is_refused_as_no_file(
    tmp_path: Path, create: bool
) -> None:
    # /dev/zero read as "an empty file", and `embed -s /dev/zero` failed with "disk I/O error,
    # check zero-wal": SQLite keeps a store's journal beside it, so a store is a regular file.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), Path("/dev/null"), fifo):
        with pytest.raises(ZslError, match="is not a regular file") as info:
            EmbeddingStore.open(path, create=create)
        assert str(path) in info.value.message
        # The name suggested is spelled as the README and every --help name a store.
        assert info.value.message.endswith("give a file name like photos.zsl")
    with pytest.raises(ZslError, match="is a directory; give a file name like photos.zsl$"):
        EmbeddingStore.open(tmp_path, create=create)


def test_a_store_copied_without_its_wal_file_says_what_is_missing(tmp_path: Path) -> None:
    # After a run killed outright, the commits wait in photos.zsl-wal: a copy of photos.zsl
    # alone is a database with nothing in it.
    original, copy = tmp_path / "photos.zsl", tmp_path / "copy.zsl"
    with EmbeddingStore.open(original) as store:
        encode_all(store, store.register_model("id-a", "model-a", DIM), [FileStat("/a", 1, 1)])
        copy.write_bytes(original.read_bytes())
    assert copy.stat().st_size > 0
    with pytest.raises(ZslError, match=r"copy\.zsl-wal") as info:
        EmbeddingStore.open(copy, create=False)
    assert "run `zsl embed` again" in info.value.message
    empty = tmp_path / "empty.zsl"
    empty.touch()
    with pytest.raises(ZslError, match="is an empty file") as info:
        EmbeddingStore.open(empty, create=False)
    assert "-wal" not in info.value.message


def test_a_store_named_like_an_sqlite_uri_is_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A relative store name starting "file:" was read by SQLite as a URI: `--store
    # file:x.zsl` wrote x.zsl, and `?mode=memory` after it kept the store in memory only.
    monkeypatch.chdir(tmp_path)
    for name in ("file:a.zsl", "file:b.zsl?mode=memory"):
        with EmbeddingStore.open(name) as store:
            encode_all(store, store.register_model("id-a", "model-a", DIM), [FileStat("/a", 1, 1)])
        with EmbeddingStore.open(name, create=False) as store:
            assert store.paths(store.find_model("id-a") or 0) == ["/a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file:a.zsl", "file:b.zsl?mode=memory"]


def test_stat_files_reports_problems(tmp_path: Path) -> None:
    good = write_file(tmp_path / "a.png")
    (tmp_path / "dir.png").mkdir()
    (tmp_path / "dangling.png").symlink_to(tmp_path / "nowhere")
    stats, problems = stat_files(
        [good, tmp_path / "dir.png", tmp_path / "dangling.png", tmp_path / "gone.png"]
    )
    assert stats == [FileStat(str(good), 6, BASE_MTIME_NS)]
    # The statuses and reasons the decoder gives such paths.
    assert [(p.path.name, p.status) for p in problems] == [
        ("dir.png", "not_a_file"),
        ("dangling.png", "broken_link"),
        ("gone.png", "not_found"),
    ]
    assert problems[0].reason == "is a directory"
    assert "nowhere" in problems[1].reason


def test_a_locked_store_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", DIM)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process mid-write
    try:
        with EmbeddingStore.open(path, timeout_s=0.2) as store:
            assert store.load(model).paths == []  # WAL: readers are not blocked by a writer
            with pytest.raises(ZslError, match="locked by another process"):
                store.add(model, [StoredItem(FileStat("/x.png", 1, 1), "ok", "", unit_vector(0))])
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_ctrl_c_ends_a_wait_for_the_lock_and_add_tells_once_it_holds_it(
    tmp_path: Path, ctrl_c_interrupts: CtrlC
) -> None:
    # zsl embed holds Ctrl-C from `locked` on, to count what it commits; not while it waits.
    path = tmp_path / "s.db"
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    # A wait for the lock of 600 s, which only Ctrl-C ends before the test's hang guard.
    with EmbeddingStore.open(path, timeout_s=600) as store:
        model = store.register_model("id", "m", DIM)
        item = StoredItem(FileStat("/x.png", 1, 1), "ok", "", unit_vector(0))
        other.execute("BEGIN IMMEDIATE")  # another process mid-write, for longer than the wait
        calls: list[str] = []
        ctrl_c_interrupts.after(0.3)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            store.add(model, [item], locked=lambda: calls.append("early"))
        assert time.monotonic() - started < 120 and calls == []  # not the lock's 600 s
        other.execute("ROLLBACK")

        def locked() -> None:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            calls.append("locked")

        store.add(model, [item], locked=locked)
        assert calls == ["locked"] and store.paths(model) == ["/x.png"]
    other.close()


def test_a_store_being_created_elsewhere_is_waited_for_no_longer_than_the_timeout(
    tmp_path: Path,
) -> None:
    # Switching a new store to WAL needs the file to itself: a reader elsewhere holds it off.
    path = tmp_path / "s.db"
    path.touch()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
    released = threading.Event()

    def let_go() -> None:
        holder.execute("ROLLBACK")
        released.set()

    # Let go after a minute (a hang guard), so that a wait without end still ends (and, the
    # open then succeeding, fails the test).
    release = threading.Timer(60, let_go)
    release.start()
    try:
        with pytest.raises(ZslError, match="locked by another process"):
            EmbeddingStore.open(path, timeout_s=0.2)
        assert not released.is_set()  # the open gave up while the reader still held the file
    finally:
        release.cancel()
        release.join()
        holder.close()


def test_a_batch_that_fails_midway_adds_nothing_and_leaves_the_store_usable(
    store: EmbeddingStore,
) -> None:
    model = store.register_model("id", "m", DIM)
    good = StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", unit_vector(0))
    too_big = StoredItem(FileStat("/data/b.png", 2**70, 1), "ok", "", unit_vector(1))
    with pytest.raises(OverflowError):  # no SQLite integer holds the size
        store.add(model, [good, too_big])
    assert store.paths(model) == []
    store.add(model, [good])
    assert store.paths(model) == ["/data/a.png"]


# A writer in its own process, as `zsl embed` would run: plan against the full scan, then add()
# the files to encode in batches, printing the number of rows committed after each batch.
WRITER = """
import sys
import numpy as np
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

store_path, identity, n_files, batch, dim = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
scan = [FileStat(f"/data/{identity}/{i:06d}.png", 100 + i, i) for i in range(n_files)]
if sys.argv[6:] == ["hold"]:  # start together with other writers: wait for a line on stdin
    print("ready", flush=True)
    sys.stdin.readline()
with EmbeddingStore.open(store_path) as store:
    model = store.register_model(identity, identity, dim)
    plan = store.plan(model, scan, [f"/data/{identity}"])
    done = len(plan.reused)
    for start in range(0, len(plan.to_encode), batch):
        chunk = plan.to_encode[start : start + batch]
        # Unit vectors, as an encoder's (plan encodes any other again), holding the file's
        # index: exact in float32 below 2**15.
        vectors = [np.zeros(dim, np.float32) for s in chunk]
        for s, v in zip(chunk, vectors):
            v[0] = s.mtime_ns / 2**15
            v[1] = np.sqrt(1 - v[0] ** 2)
        store.add(model, [StoredItem(s, "ok", "", v) for s, v in zip(chunk, vectors)])
        done += len(chunk)
        print(done, flush=True)
"""


def start_writer(
    store_path: Path, identity: str, n_files: int, batch: int, dim: int, *, hold: bool = False
):
    env = dict(os.environ, PYTHONPATH=str(ZSL_ROOT))
    args = [sys.executable, "-c", WRITER, str(store_path), identity]
    args += [str(n_files), str(batch), str(dim)] + (["hold"] if hold else [])
    stdin = subprocess.PIPE if hold else None
    return subprocess.Popen(args, stdin=stdin, stdout=subprocess.PIPE, text=True, env=env)


def stored_indices(store_path: Path, identity: str) -> np.ndarray:
    with EmbeddingStore.open(store_path, create=False) as store:
        loaded = store.load(store.find_model(identity))
    # Each vector holds its file's index; paths sort in index order.
    indices = (loaded.vectors[:, 0] * 2**15).round().astype(int)
    assert loaded.paths == [f"/data/{identity}/{i:06d}.png" for i in indices]
    return indices


def test_sigkill_mid_run_keeps_exactly_the_committed_batches(tmp_path: Path) -> None:
    n_files, batch = 20_000, 1000
    # A batch takes ~20-150 ms here; killing at several delays after a commit report lands the
    # kill in different phases of the next add(), inside the SQLite transaction included. Each
    # run has a store of its own, so every kill comes with most of the work still to do.
    for run, delay_s in enumerate([0.0, 0.02, 0.04, 0.07, 0.1]):
        store_path = tmp_path / f"s{run}.db"
        with start_writer(store_path, "m", n_files, batch, 512) as writer:
            reported = [int(writer.stdout.readline()) for _ in range(2)]
            time.sleep(delay_s)
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait()
            reported += [int(line) for line in writer.stdout.read().split()]
        assert writer.returncode == -signal.SIGKILL
        assert reported[-1] < n_files, "the writer finished before it was killed"

        with sqlite3.connect(store_path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        indices = stored_indices(store_path, "m")
        # Whole batches only, in order: every reported commit, plus at most the one batch that
        # committed between its COMMIT and the print that the kill cut off.
        assert indices.tolist() == list(range(len(indices)))
        assert len(indices) in (reported[-1], reported[-1] + batch), (run, reported, len(indices))

        # The next run continues where this one stopped.
        with EmbeddingStore.open(store_path) as store:
            scan_all = [FileStat(f"/data/m/{i:06d}.png", 100 + i, i) for i in range(n_files)]
            plan = store.plan(store.find_model("m"), scan_all, ["/data/m"])
        assert len(plan.reused) == len(indices)
        assert [s.mtime_ns for s in plan.to_encode] == list(range(len(indices), n_files))


# Six identical runs of a race, not six cases: one run can miss it. Kept as separate tests so
# that xdist spreads them over its workers (each starts three writer processes).
@pytest.mark.parametrize("attempt", range(6))
def test_processes_create_and_write_one_store_at_once(tmp_path: Path, attempt: int) -> None:
    # Creating the file is the racy part (two may ask for the WAL switch at once, and SQLite
    # then failed one with "database is locked"), hence writers released together, repeatedly.
    store_path, names = tmp_path / "s.db", ("p", "q", "r")
    with contextlib.ExitStack() as started:  # closes every pipe, whatever fails
        writers = [
            started.enter_context(start_writer(store_path, name, 3000, 100, 16, hold=True))
            for name in names
        ]
        assert [writer.stdout.readline() for writer in writers] == ["ready\n"] * len(writers)
        for writer in writers:
            writer.stdin.write("go\n")
            writer.stdin.flush()
        for writer in writers:
            writer.communicate(timeout=60)
            assert writer.returncode == 0
    with sqlite3.connect(store_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    for name in names:
        assert stored_indices(store_path, name).tolist() == list(range(3000))


def test_stored_items_find_files_embedded_through_a_linked_folder(tmp_path: Path) -> None:
    from zsl_cli.store import stored_items

    image = write_file(tmp_path / "real" / "a.png")
    (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "other").symlink_to(tmp_path / "real", target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.db") as opened:
        model_id = opened.register_model("m", "m", DIM)
        encode_all(opened, model_id, scan(tmp_path / "linked"))  # stored as linked/a.png
    store = str(tmp_path / "s.db")
    for spelling in (image, tmp_path / "other" / "a.png", tmp_path / "linked" / "a.png"):
        (item,) = stored_items(store, "m", "m", [spelling])
        assert item.status == "ok" and item.embedding is not None, spelling
    (missing,) = stored_items(store, "m", "m", [write_file(tmp_path / "real" / "b.png")])
    assert missing.status == "not_embedded"


def test_stored_items_are_changed_when_the_file_is_touched(tmp_path: Path) -> None:
    from zsl_cli.store import stored_items

    image = write_file(tmp_path / "a.png")
    with EmbeddingStore.open(tmp_path / "s.db") as opened:
        model_id = opened.register_model("m", "m", DIM)
        encode_all(opened, model_id, scan(tmp_path))
        opened.register_model("empty", "empty", DIM)
    store = str(tmp_path / "s.db")
    write_file(image, mtime_ns=BASE_MTIME_NS + 1)  # same size, touched
    (item,) = stored_items(store, "m", "m", [image])
    assert (item.status, item.embedding) == ("changed", None)
    with pytest.raises(ZslError, match="s.db: no stored images"):
        stored_items(store, "empty", "empty", None)


def test_stored_items_without_paths_are_every_stored_image_by_path(tmp_path: Path) -> None:
    from zsl_cli.store import stored_items

    with EmbeddingStore.open(tmp_path / "s.db") as opened:
        model_id = opened.register_model("m", "m", DIM)
        opened.add(
            model_id,
            [
                StoredItem(FileStat("/data/b.png", 1, 1), "ok", "", unit_vector(0)),
                StoredItem(FileStat("/data/a.png", 1, 1), "truncated", "eof", None),
                StoredItem(FileStat("/data/c.png", 1, 1), "ok", "", unit_vector(1)),
            ],
        )
    items = stored_items(str(tmp_path / "s.db"), "m", "m", None)
    assert [(item.index, str(item.path), item.status) for item in items] == [
        (0, "/data/a.png", "truncated"),
        (1, "/data/b.png", "ok"),
        (2, "/data/c.png", "ok"),
    ]


def test_a_file_stored_through_two_links_is_found_through_the_first_by_path(
    tmp_path: Path,
) -> None:
    from zsl_cli.store import stored_items

    image = write_file(tmp_path / "real" / "x.png")
    for folder in ("b-link", "a-link"):
        write_file(tmp_path / folder / "other.png")
        (tmp_path / folder / "x.png").symlink_to(image)
    with EmbeddingStore.open(tmp_path / "s.db") as opened:
        model_id = opened.register_model("m", "m", DIM)
        vectors = encode_all(
            opened, model_id, scan(tmp_path / "b-link") + scan(tmp_path / "a-link")
        )
    (item,) = stored_items(str(tmp_path / "s.db"), "m", "m", [image])
    np.testing.assert_array_equal(item.embedding, vectors[str(tmp_path / "a-link" / "x.png")])


def test_a_store_without_the_model_says_what_it_holds(tmp_path: Path) -> None:
    from zsl_cli.store import stored_items

    with EmbeddingStore.open(tmp_path / "s.db") as opened:
        opened.register_model("id-1", "clip", DIM)
    store = str(tmp_path / "s.db")
    with pytest.raises(ZslError, match="holds embeddings of a model named clip, but not of this"):
        stored_items(store, "id-2", "clip", None)  # the same name, other weights or settings
    with pytest.raises(ZslError, match=r"has no embeddings for model siglip \(it has: clip\)"):
        stored_items(store, "id-3", "siglip", None)


def test_plan_keeps_one_entry_per_file_whatever_folder_link_it_is_reached_through(
    tmp_path: Path,
) -> None:
    write_file(tmp_path / "real" / "a.png")
    write_file(tmp_path / "real" / "b.png")
    (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "other").symlink_to(tmp_path / "real", target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model_id = store.register_model("m", "m", DIM)
        encode_all(store, model_id, scan(tmp_path / "linked"))  # stored as linked/*.png
        stored = store.paths(model_id)
        for folder in ("real", "other", "linked"):
            plan = store.plan(model_id, scan(tmp_path / folder), [str(tmp_path / folder)])
            assert (plan.to_encode, len(plan.reused), plan.stale) == ([], 2, []), folder
        both = scan(tmp_path / "real") + scan(tmp_path / "other")
        assert len(store.plan(model_id, both, []).reused) == 2
        # A changed file is encoded again under the path it is stored as.
        changed = write_file(tmp_path / "real" / "a.png", b"other pixels")
        plan = store.plan(model_id, scan(tmp_path / "other"), [str(tmp_path / "other")])
        assert [stat.path for stat in plan.to_encode] == [str(tmp_path / "linked" / "a.png")]
        assert plan.to_encode[0].size == changed.stat().st_size
        encode_all(store, model_id, plan.to_encode)
        assert store.paths(model_id) == stored
        # A file deleted from the real folder is forgotten under the spelling it is stored as.
        (tmp_path / "real" / "b.png").unlink()
        plan = store.plan(model_id, scan(tmp_path / "real"), [str(tmp_path / "real")])
        assert plan.stale == [str(tmp_path / "linked" / "b.png")]
        # A link to a file from another folder is an entry of its own, as in a curated dataset.
        (tmp_path / "curated").mkdir()
        (tmp_path / "curated" / "a.png").symlink_to(tmp_path / "real" / "a.png")
        plan = store.plan(model_id, scan(tmp_path / "curated"), [str(tmp_path / "curated")])
        assert [stat.path for stat in plan.to_encode] == [str(tmp_path / "curated" / "a.png")]


def test_plan_forgets_deleted_files_of_a_walked_folder_whatever_link_they_are_stored_under(
    tmp_path: Path,
) -> None:
    for name in ("a.png", "b.png", "c.png"):
        write_file(tmp_path / "real" / name)
    (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model_id = store.register_model("m", "m", DIM)
        encode_all(store, model_id, scan(tmp_path / "linked"))  # stored as linked/*.png
        (tmp_path / "real" / "b.png").unlink()
        # A file named on its own covers itself, not the siblings stored under the link.
        single, _ = stat_files([tmp_path / "real" / "a.png"])
        plan = store.plan(model_id, single, [single[0].path])
        assert (len(plan.reused), plan.stale) == (1, [])
        # A folder emptied of its files still tells which stored files are gone (asked to
        # forget them: one that holds no file keeps them otherwise, as an unmounted drive's).
        for name in ("a.png", "c.png"):
            (tmp_path / "real" / name).unlink()
        plan = store.plan(model_id, [], [str(tmp_path / "real")], forget_absent=True)
        assert plan.stale == [str(tmp_path / "linked" / n) for n in ("a.png", "b.png", "c.png")]
        assert store.plan(model_id, [], [str(tmp_path / "real")]).kept == 3


def test_a_folder_walked_through_a_link_forgets_its_last_gone_file(tmp_path: Path) -> None:
    from zsl_cli.discovery import scan as discover

    write_file(tmp_path / "top" / "keep" / "k.png")
    gone = write_file(tmp_path / "ext" / "D" / "a.png")
    (tmp_path / "top" / "lnk").symlink_to(tmp_path / "ext" / "D", target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model_id = store.register_model("m", "m", DIM)
        encode_all(store, model_id, scan(tmp_path / "ext"))  # stored as ext/D/a.png
        gone.unlink()
        # The walk lists top/lnk, now empty: no file found there says it was walked.
        found = discover([str(tmp_path / "top")], extensions=(".png",))
        stats = stat_files(found.paths)[0]
        plan = store.plan(model_id, stats, found.roots, found.folders)
        assert plan.stale == [str(gone)]
        assert store.plan(model_id, stats, found.roots).stale == []  # without the listing


def test_a_glob_through_a_folder_link_forgets_a_gone_file_of_the_folder_it_matched_in(
    tmp_path: Path,
) -> None:
    from zsl_cli.discovery import scan as discover

    write_file(tmp_path / "ext" / "D" / "a.png")
    gone = write_file(tmp_path / "ext" / "D" / "b.png")
    (tmp_path / "top").mkdir()
    (tmp_path / "top" / "lnk").symlink_to(tmp_path / "ext" / "D", target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model_id = store.register_model("m", "m", DIM)
        encode_all(store, model_id, scan(tmp_path / "ext"))  # stored as ext/D/*.png
        gone.unlink()
        # 'top/ln*/*.png' searches top, which holds neither entry: the folder its match is in
        # (ext/D, reached through the link) is where b.png would have been found.
        found = discover([str(tmp_path / "top" / "ln*" / "*.png")], extensions=(".png",))
        plan = store.plan(model_id, stat_files(found.paths)[0], found.roots, found.folders)
        assert (plan.reused, plan.stale) == ([str(tmp_path / "ext" / "D" / "a.png")], [str(gone)])


def test_a_scan_reaching_a_new_file_through_two_folder_links_plans_it_once(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    write_file(tmp_path / "real" / "a.png")
    (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    model_id = store.register_model("m", "m", DIM)
    both = scan(tmp_path / "linked") + scan(tmp_path / "real")
    plan = store.plan(model_id, both, [str(tmp_path / "linked"), str(tmp_path / "real")])
    assert [stat.path for stat in plan.to_encode] == [str(tmp_path / "linked" / "a.png")]


def test_stored_items_find_a_file_link_stored_under_its_own_name_through_a_linked_folder(
    tmp_path: Path,
) -> None:
    from zsl_cli.store import stored_items

    target = write_file(tmp_path / "elsewhere" / "photo.png")
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "renamed.png").symlink_to(target)
    (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    with EmbeddingStore.open(tmp_path / "s.db") as opened:
        model_id = opened.register_model("m", "m", DIM)
        stats = scan(tmp_path / "real")  # stored as real/renamed.png, as embed keys it
        encode_all(opened, model_id, stats)
        # embed, reaching the file through the linked folder, reuses that entry ...
        plan = opened.plan(model_id, scan(tmp_path / "linked"), [str(tmp_path / "linked")])
        assert (plan.to_encode, plan.reused) == ([], [str(tmp_path / "real" / "renamed.png")])
    # ... and so does label, which must find it the same way.
    (item,) = stored_items(str(tmp_path / "s.db"), "m", "m", [tmp_path / "linked" / "renamed.png"])
    assert item.status == "ok" and item.embedding is not None


@pytest.mark.skipif(resource is None, reason="needs resource (Unix)")
def test_export_that_cannot_be_written_in_full_gives_the_systems_reason(
    tmp_path: Path, store: EmbeddingStore
) -> None:
    # numpy wrote the matrix with fwrite, whose failure on a full disk read "38400 requested and
    # 13280 written" and did not say why. A file size limit fails the write part-way as a disk
    # that fills up does (with "File too large" instead of "No space left on device").
    model = store.register_model("id-xyz", "model-x", DIM)
    encode_all(store, model, [FileStat(f"/data/{n}", 1, 1) for n in range(4096)])
    out = tmp_path / "out" / "emb.npy"
    out.parent.mkdir()
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    action = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, limits[1]))
        with pytest.raises(ZslError) as raised:
            store.export(model, out)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, action)
    assert str(raised.value) == f"cannot write {out}: {os.strerror(errno.EFBIG)}"
    assert os.listdir(out.parent) == []


def test_two_writers_opening_a_version_1_store_at_once_both_register(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with EmbeddingStore.open(path) as store:
        store.register_model("id-a", "model-a", DIM)
    as_version_1(path)
    # Both read version 1 on opening; the second finds the column the first one added.
    with (
        EmbeddingStore.open(path, create=False) as first,
        EmbeddingStore.open(path, create=False) as second,
    ):
        first.register_model("id-a", "model-a", DIM, precision="float32")
        second.register_model("id-b", "model-b", DIM, precision="float16")
        assert [m.precision for m in second.models()] == ["float32", "float16"]


def test_a_write_leaves_the_busy_timeout_the_store_was_opened_with(tmp_path: Path) -> None:
    # The write lock is waited for in short slices; later waits (opening a store another
    # process is creating) must wait the whole timeout again, not one slice.
    with EmbeddingStore.open(tmp_path / "s.db", timeout_s=7.5) as store:
        store.register_model("id-a", "model-a", DIM)
        assert store._conn.execute("PRAGMA busy_timeout").fetchone() == (7500,)


def test_a_full_disk_is_one_message_and_keeps_the_batches_written(tmp_path: Path) -> None:
    write_file(tmp_path / "images" / "a.png")
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store.register_model("id-a", "model-a", 256)
        kept = StoredItem(scan(tmp_path / "images")[0], "ok", "", unit_vector(0, 256))
        store.add(model, [kept])
        # No room for another page: what SQLite reports on a full disk (SQLITE_FULL).
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        stats = [FileStat(f"/images/{i:04}.png", 1, 1) for i in range(200)]
        with pytest.raises(ZslError, match=r"^disk full while writing embedding store .*s\.db;"):
            store.add(model, [StoredItem(s, "ok", "", unit_vector(1, 256)) for s in stats])
        assert store.paths(model) == [kept.stat.path]


@pytest.mark.skipif(resource is None, reason="needs resource (Unix)")
def test_a_write_refused_by_a_file_size_limit_says_so_and_keeps_the_batches_written(
    tmp_path: Path,
) -> None:
    # SQLite reports a write refused for any reason but ENOSPC (a disk quota, `ulimit -f`) as a
    # "disk I/O error", which said to check the disk and the -wal and -journal files.
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store.register_model("id-a", "model-a", 256)
        kept = StoredItem(FileStat("/images/kept.png", 1, 1), "ok", "", unit_vector(0, 256))
        store.add(model, [kept])
        stats = [FileStat(f"/images/{i:04}.png", 1, 1) for i in range(1000)]
        limits = resource.getrlimit(resource.RLIMIT_FSIZE)
        action = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        try:
            resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, limits[1]))
            with pytest.raises(ZslError) as raised:
                store.add(model, [StoredItem(s, "ok", "", unit_vector(1, 256)) for s in stats])
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, limits)
            signal.signal(signal.SIGXFSZ, action)
        assert store.paths(model) == [kept.stat.path]
    assert re.match(
        r"could not write embedding store .*s\.db \(disk I/O error: a write was refused, .*a "
        r"file size limit.*\); free space or raise the limit and re-run \(batches already "
        r"written are kept\)$",
        raised.value.message,
    )


def test_reading_the_vectors_holds_them_once(tmp_path: Path, store: EmbeddingStore) -> None:
    # load, fetch and export kept every row's bytes in a list while joining them into the
    # matrix: twice the vectors in memory (a 200,000 x 512 float32 store, 410 MB of vectors,
    # took 0.9 GB more to export or label, measured by hand).
    dim, n = 512, 1_000
    model = store.register_model("id", "m", dim)
    vectors = np.random.default_rng(0).standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    stats = [FileStat(f"/data/{i:05d}.png", 1, 1) for i in range(n)]
    store.add(model, [StoredItem(s, "ok", "", v) for s, v in zip(stats, vectors, strict=True)])
    reads = {
        "load": lambda: store.load(model, unit=True),
        "fetch": lambda: store.fetch(model, [s.path for s in stats], unit=True),
        "export": lambda: store.export(model, tmp_path / "v.npy"),
    }
    for name, read in reads.items():
        tracemalloc.start()
        try:
            read()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1.5 * vectors.nbytes, (name, peak / vectors.nbytes)


def test_a_parquet_export_is_written_in_row_groups_of_bounded_size(
    tmp_path: Path, store: EmbeddingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pyarrow encodes a row group whole before writing it, and its default group of 1Mi rows
    # held a second copy of every vector of a store smaller than that (a 200,000 x 512 export
    # peaked 0.5 GB above the .npy one, measured by hand).
    pq = pytest.importorskip("pyarrow.parquet")
    model = store.register_model("id", "m", DIM)
    encoded = encode_all(store, model, [FileStat(f"/data/{i:02d}.png", 1, 1) for i in range(10)])
    group = 4 * DIM * 4  # 4 vectors
    monkeypatch.setattr(exports_module, "PARQUET_ROW_GROUP_BYTES", group)
    out = tmp_path / "v.parquet"
    assert store.export(model, out) == 10
    file = pq.ParquetFile(out)
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == [4, 4, 2]
    vectors = np.array(file.read().column("vector").to_pylist(), dtype=np.float32)
    np.testing.assert_array_equal(vectors, np.stack(list(encoded.values())))
