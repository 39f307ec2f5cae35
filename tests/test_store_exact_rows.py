"""What the embedding store hands back, checked row by row against the SQLite file itself
(read with sqlite3 and numpy) and against values worked out by hand."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from tests.store_helpers import as_version_1
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem, gone_copies

DIM = 4
MTIME_NS = 1_700_000_000_000_000_000


def vector(*values: float) -> np.ndarray:
    raw = np.array(values, dtype=np.float32)
    return raw / np.linalg.norm(raw)


def ok(path: Path, v: np.ndarray, size: int = 6) -> StoredItem:
    return StoredItem(FileStat(str(path), size, MTIME_NS), "ok", "", v)


def failed(path: Path, status: str, error: str) -> StoredItem:
    return StoredItem(FileStat(str(path), 3, MTIME_NS), status, error, None)


def raw_rows(store: Path, identity: str) -> list[tuple[bytes, str, bytes | None]]:
    with sqlite3.connect(store) as raw:
        return raw.execute(
            "SELECT f.path, f.status, f.vector FROM files f JOIN models m ON m.id = f.model_id "
            "WHERE m.identity = ? ORDER BY f.path",
            (identity,),
        ).fetchall()


def test_models_count_ok_and_failed_rows_per_model_in_the_order_registered(
    tmp_path: Path,
) -> None:
    db = tmp_path / "s.db"
    with EmbeddingStore.open(db) as store:
        later = store.register_model("mm-first", "first", DIM)
        earlier = store.register_model("zz-second", "second", DIM)
        store.register_model("aa-third", "third", DIM)
        store.add(
            later,
            [
                ok(tmp_path / "a.png", vector(1, 0, 0, 0)),
                ok(tmp_path / "b.png", vector(0, 1, 0, 0)),
                ok(tmp_path / "c.png", vector(0, 0, 1, 0)),
                failed(tmp_path / "d.png", "not_an_image", "no image"),
                failed(tmp_path / "e.png", "unreadable", "permission denied"),
            ],
        )
        store.add(earlier, [failed(tmp_path / "a.png", "empty", "0 bytes")])
        models = store.models()
    assert [(m.identity, m.n_ok, m.n_failed) for m in models] == [
        ("mm-first", 3, 2),
        ("zz-second", 0, 1),
        ("aa-third", 0, 0),
    ]
    statuses = [status for _, status, _ in raw_rows(db, "mm-first")]
    assert (statuses.count("ok"), len(statuses) - statuses.count("ok")) == (3, 2)


def test_load_and_fetch_give_the_bytes_stored_sorted_by_path_bytes(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    # Byte order (Z < a < é as UTF-8) is the order the store promises.
    names = ["é.png", "Z.png", "a.png"]
    vectors = {name: vector(i + 1, 2, -1, 0.5 * i) for i, name in enumerate(names)}
    with EmbeddingStore.open(db) as store:
        model = store.register_model("m", "m", DIM)
        store.add(model, [ok(tmp_path / name, vectors[name]) for name in names])
        store.add(
            model,
            [
                failed(tmp_path / "x.png", "unreadable", "permission denied"),
                failed(tmp_path / "b.png", "truncated", "cut short"),
            ],
        )
        loaded = store.load(model, unit=True)
        fetched = store.fetch(
            model, [str(tmp_path / "a.png"), str(tmp_path / "x.png"), str(tmp_path / "no.png")]
        )
    rows = raw_rows(db, "m")
    ok_rows = [(os.fsdecode(p), v) for p, status, v in rows if status == "ok"]
    assert loaded.paths == [path for path, _ in ok_rows]
    assert loaded.paths == [str(tmp_path / name) for name in ["Z.png", "a.png", "é.png"]]
    expected = np.stack([np.frombuffer(v, dtype="<f4") for _, v in ok_rows])  # type: ignore[arg-type]
    np.testing.assert_array_equal(loaded.vectors, expected)
    np.testing.assert_array_equal(loaded.vectors[1], vectors["a.png"])
    assert loaded.failed == [
        (str(tmp_path / "b.png"), "truncated", "cut short"),
        (str(tmp_path / "x.png"), "unreadable", "permission denied"),
    ]
    assert set(fetched) == {str(tmp_path / "a.png"), str(tmp_path / "x.png")}
    np.testing.assert_array_equal(fetched[str(tmp_path / "a.png")].vector, vectors["a.png"])
    gone = fetched[str(tmp_path / "x.png")]
    assert (gone.status, gone.error, gone.vector, gone.size) == (
        "unreadable",
        "permission denied",
        None,
        3,
    )


def test_forget_counts_only_the_rows_that_existed(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with EmbeddingStore.open(db) as store:
        model = store.register_model("m", "m", DIM)
        store.add(model, [ok(tmp_path / "a.png", vector(1, 1, 0, 0))])
        forgotten = store.forget(model, [str(tmp_path / "a.png"), str(tmp_path / "never.png")])
    assert forgotten == 1
    assert raw_rows(db, "m") == []


def test_export_rows_hold_the_ok_rows_and_the_models_metadata_as_text(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with EmbeddingStore.open(db) as store:
        plain = store.register_model("plain-id", "plain", DIM, "float16")
        exact = store.register_model("exact-id", "exact", DIM, precision="bfloat16")
        for model in (plain, exact):
            store.add(
                model,
                [
                    ok(tmp_path / "b.png", vector(0, 3, 4, 0), size=7),
                    failed(tmp_path / "a.png", "empty", "0 bytes"),
                ],
            )
        plain_rows = store.export_rows(plain)
        exact_rows = store.export_rows(exact)
    assert plain_rows.metadata == {
        "identity": "plain-id",
        "name": "plain",
        "dim": "4",
        "dtype": "float16",
    }
    assert exact_rows.metadata == {
        "identity": "exact-id",
        "name": "exact",
        "dim": "4",
        "dtype": "float32",
        "precision": "bfloat16",
    }
    b = os.fsencode(str(tmp_path / "b.png"))
    assert plain_rows.files == [(b, 7, MTIME_NS)] == exact_rows.files
    np.testing.assert_array_equal(exact_rows.vectors, [vector(0, 3, 4, 0)])
    np.testing.assert_array_equal(
        plain_rows.vectors, [np.array([0, 0.6, 0.8, 0], dtype=np.float16).astype(np.float32)]
    )


def test_gone_copies_name_the_folder_with_more_images_first(tmp_path: Path) -> None:
    def at(*parts: str) -> bytes:
        return os.fsencode(str(tmp_path.joinpath(*parts)))

    # a-old/cats went to a-new/cats (1 image), b-old/dogs to b-new/dogs (2 images)
    (tmp_path / "a-new" / "cats").mkdir(parents=True)
    (tmp_path / "b-new" / "dogs").mkdir(parents=True)
    version = (6, MTIME_NS)
    stored = {
        at("a-old", "cats", "1.png"): version,
        at("a-new", "cats", "1.png"): version,
        at("b-old", "dogs", "1.png"): version,
        at("b-old", "dogs", "2.png"): version,
        at("b-new", "dogs", "1.png"): version,
        at("b-new", "dogs", "2.png"): version,
    }
    copies = gone_copies(stored)
    assert [(c.path, c.there, c.images) for c in copies] == [
        (str(tmp_path / "b-old" / "dogs"), str(tmp_path / "b-new" / "dogs"), 2),
        (str(tmp_path / "a-old" / "cats"), str(tmp_path / "a-new" / "cats"), 1),
    ]


def test_gone_copies_of_one_name_in_renamed_folders_each_pair_with_an_image_found(
    tmp_path: Path,
) -> None:
    def at(*parts: str) -> bytes:
        return os.fsencode(str(tmp_path.joinpath(*parts)))

    version = (6, MTIME_NS)
    # Two gone folders hold an image of one name, size and mtime; two folders of other names
    # hold the images found: each gone image pairs with one of them.
    stored = {at("old1", "x", "img.png"): version, at("old2", "y", "img.png"): version}
    present: dict[bytes, tuple[int, int] | None] = {
        at("new", "w", "img.png"): version,
        at("new", "z", "img.png"): version,
    }
    copies = gone_copies(stored, present)
    assert [(c.path, c.there, c.images) for c in copies] == [
        (str(tmp_path / "old1" / "x"), str(tmp_path / "new" / "w"), 1),
        (str(tmp_path / "old2" / "y"), str(tmp_path / "new" / "z"), 1),
    ]


def test_plan_names_empty_folders_below_a_root_sorted_by_path_bytes(tmp_path: Path) -> None:
    # "b" sorts before "b-c", though the paths under them sort the other way ("-" < "/").
    root = tmp_path / "photos"
    for name in ("b", "b-c"):
        (root / name).mkdir(parents=True)
    (root / "keep.png").write_bytes(b"pixels")
    keep = FileStat(str(root / "keep.png"), 6, MTIME_NS)
    db = tmp_path / "s.db"
    with EmbeddingStore.open(db) as store:
        model = store.register_model("m", "m", DIM)
        store.add(
            model,
            [
                StoredItem(keep, "ok", "", vector(1, 0, 0, 0)),
                ok(root / "b" / "1.png", vector(0, 1, 0, 0)),
                ok(root / "b-c" / "1.png", vector(0, 0, 1, 0)),
            ],
        )
        plan = store.plan(
            model,
            [keep],
            [str(root)],
            [str(root), str(root / "b"), str(root / "b-c")],
            empty_folders=[str(root / "b-c"), str(root / "b")],
        )
    assert [(a.path, a.missing, a.stored, a.below) for a in plan.absent] == [
        (str(root / "b"), False, 1, True),
        (str(root / "b-c"), False, 1, True),
    ]
    assert (plan.stale, plan.kept, plan.reused) == ([], 2, [str(root / "keep.png")])


def test_a_model_registered_with_no_dtype_is_float32_when_new_and_keeps_its_own(
    tmp_path: Path,
) -> None:
    db = tmp_path / "s.db"
    with EmbeddingStore.open(db) as store:
        new = store.register_model("new", "new", DIM, None)
        store.add(new, [ok(tmp_path / "a.png", vector(1, 2, 3, 4))])
        half = store.register_model("half", "half", DIM, "float16")
        assert store.register_model("half", "half", DIM, None) == half
    with sqlite3.connect(db) as raw:
        dtypes = dict(raw.execute("SELECT identity, dtype FROM models").fetchall())
    assert dtypes == {"new": "float32", "half": "float16"}
    ((_, _, blob),) = raw_rows(db, "new")
    assert blob == vector(1, 2, 3, 4).astype("<f4").tobytes()


def test_plan_names_no_gone_copy_of_images_it_forgets(tmp_path: Path) -> None:
    # photos/sub renamed to photos/sub2: the stored photos/sub/a.png is under the scanned root
    # and gone, so it is forgotten (stale), and is then no copy of photos/sub2/a.png.
    root = tmp_path / "photos"
    (root / "sub").mkdir(parents=True)
    image = root / "sub" / "a.png"
    image.write_bytes(b"pixels")
    os.utime(image, ns=(MTIME_NS, MTIME_NS))
    db = tmp_path / "s.db"
    with EmbeddingStore.open(db) as store:
        model = store.register_model("m", "m", DIM)
        store.add(model, [ok(image, vector(1, 0, 0, 0))])
        (root / "sub").rename(root / "sub2")
        moved = FileStat(str(root / "sub2" / "a.png"), 6, MTIME_NS)
        plan = store.plan(model, [moved], [str(root)], [str(root), str(root / "sub2")])
    assert plan.stale == [str(image)]
    assert plan.copies == []
    assert [stat.path for stat in plan.to_encode] == [moved.path]


def test_plan_forgets_its_stale_paths_sorted_by_path_bytes_whatever_made_them_stale(
    tmp_path: Path,
) -> None:
    # zz.png is gone; store.png is the store itself, kept by an older zsl as a failed image.
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "img0.png").write_bytes(b"pixels")
    img0 = FileStat(str(folder / "img0.png"), 6, MTIME_NS)
    with EmbeddingStore.open(folder / "store.png") as store:
        model = store.register_model("m", "m", DIM)
        store.add(
            model,
            [
                StoredItem(img0, "ok", "", vector(1, 0, 0, 0)),
                ok(folder / "zz.png", vector(0, 1, 0, 0)),
                failed(folder / "store.png", "not_an_image", "not an image"),
            ],
        )
        plan = store.plan(model, [img0], [str(folder)])
    assert plan.stale == [str(folder / "store.png"), str(folder / "zz.png")]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_root_holding_only_a_broken_link_is_not_taken_for_an_unmounted_one(
    tmp_path: Path,
) -> None:
    root = tmp_path / "photos"
    root.mkdir()
    (root / "link.png").symlink_to(tmp_path / "nowhere.png")
    db = tmp_path / "s.db"
    with EmbeddingStore.open(db) as store:
        model = store.register_model("m", "m", DIM)
        store.add(model, [ok(root / "a.png", vector(1, 0, 0, 0))])
        plan = store.plan(model, [], [str(root)], [str(root)])
    assert (plan.stale, plan.absent, plan.kept) == ([str(root / "a.png")], [], 0)


def test_only_the_run_that_migrates_an_older_store_says_it_did(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    EmbeddingStore.open(db).close()
    as_version_1(db)
    # Both open the store as an older zsl left it; the first to register migrates it.
    with EmbeddingStore.open(db) as first, EmbeddingStore.open(db) as second:
        first.register_model("m", "m", DIM)
        second.register_model("m", "m", DIM)
        assert (first.migrated, second.migrated) == (True, False)
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (2,)
        columns = [row[1] for row in raw.execute("PRAGMA table_info(models)")]
    assert columns.count("precision") == 1


def test_a_gone_image_pairs_with_the_found_one_whose_path_ends_alike_the_furthest(
    tmp_path: Path,
) -> None:
    def at(*parts: str) -> bytes:
        return os.fsencode(str(tmp_path.joinpath(*parts)))

    version = (6, MTIME_NS)
    stored = {at("g2", "cats", "img.png"): version, at("g1", "p", "cats", "img.png"): version}
    present: dict[bytes, tuple[int, int] | None] = {at("new", "p", "cats", "img.png"): version}
    copies = gone_copies(stored, present)
    assert [(c.path, c.there, c.images) for c in copies] == [
        (str(tmp_path / "g1" / "p" / "cats"), str(tmp_path / "new" / "p" / "cats"), 1)
    ]


def test_rows_of_the_wrong_shape_or_a_failure_with_a_vector_are_refused(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        model = store.register_model("m", "m", DIM)
        flat = vector(1, 2, 3, 4)
        with pytest.raises(ValueError, match=r"vector shape \(1, 4\), expected \(4,\)"):
            store.add(model, [ok(tmp_path / "a.png", flat.reshape(1, DIM))])
        image = FileStat(str(tmp_path / "b.png"), 3, MTIME_NS)
        with pytest.raises(ValueError, match=r"a failed item \(empty\) has no vector"):
            store.add(model, [StoredItem(image, "empty", "0 bytes", flat)])
    assert raw_rows(tmp_path / "s.db", "m") == []


def test_a_read_keeps_the_current_identity_where_no_identity_holds_images(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path / "s.db") as store:
        old = store.register_model("old", "m", DIM)
        new = store.register_model("new", "m", DIM)
        assert store.readable_model("new", ["old"]) == (new, "new")
        store.add(old, [ok(tmp_path / "a.png", vector(1, 0, 0, 0))])
        assert store.readable_model("new", ["old"]) == (old, "old")
