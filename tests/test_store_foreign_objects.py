"""A store is data: one that holds SQL objects zsl did not make (a trigger, a view, another
table or index), as a store someone else made can, is refused before anything reads or writes
it. A trigger fired on zsl's inserts and silently gave the user's new images another image's
vector (their labels the planter's choice), or hung the run beyond Ctrl-C; a view named `files`
hung a read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import file_not_writable, only_read, run, write_images
from zsl_cli import store as store_module

# The review's: each image embedded later gets the first stored image's vector.
POISON = """CREATE TRIGGER keep_it_quiet AFTER INSERT ON files WHEN new.status = 'ok' BEGIN
 UPDATE files SET vector = (SELECT f.vector FROM files f WHERE f.model_id = new.model_id
   AND f.path <> new.path AND f.status = 'ok' ORDER BY f.path LIMIT 1)
 WHERE model_id = new.model_id AND path = new.path; END"""

PLANTED = {
    "poison trigger": ([POISON], "a trigger 'keep_it_quiet'"),
    "aborting trigger": (
        ["CREATE TRIGGER nope AFTER INSERT ON files BEGIN SELECT raise(ABORT, 'nope'); END"],
        "a trigger 'nope'",
    ),
    "view named files": (
        [
            "CREATE TABLE files2 AS SELECT * FROM files",
            "DROP TABLE files",
            "CREATE VIEW files AS SELECT * FROM files2",
        ],
        "2 objects that zsl did not make (a view 'files' where zsl keeps a table, a table "
        "'files2')",
    ),
    "extra table": (["CREATE TABLE notes (x)", "INSERT INTO notes VALUES (1)"], "a table 'notes'"),
    "extra index": (["CREATE INDEX by_status ON files (status)"], "an index 'by_status'"),
}


@pytest.fixture(scope="module")
def made(tiny_clip, tmp_path_factory) -> tuple[Path, Path]:
    """A store zsl embedded two images into, and the folder of those images."""
    root = tmp_path_factory.mktemp("made")
    images, store = root / "images", root / "s.zsl"
    write_images(images, 2)
    result = run("embed", images, "--store", store, "-m", tiny_clip)
    assert result.exit_code == 0, result.output
    return images, store


def plant(made: tuple[Path, Path], tmp_path: Path, statements: list[str]) -> Path:
    """A copy of the made store with `statements` run in it, as another program's SQLite does."""
    store = tmp_path / "s.zsl"
    store.write_bytes(made[1].read_bytes())
    raw = sqlite3.connect(store)
    with raw:
        for statement in statements:
            raw.execute(statement)
    raw.close()
    assert not Path(f"{store}-wal").exists() or Path(f"{store}-wal").stat().st_size == 0
    return store


def commands(images: Path, store: Path, model: Path, tmp_path: Path) -> dict[str, list[object]]:
    more = tmp_path / "more"
    write_images(more, 2, seed=1)
    return {
        "embed new images": ["embed", more, "--store", store, "-m", model],
        "embed (repair) the stored ones": ["embed", images, "--store", store, "-m", model],
        "export": ["embed", "--store", store, "-m", model, "--export", tmp_path / "e.npy"],
        "label --embeddings PATH": [
            *("label", "--embeddings", store, more, "-c", classes(tmp_path), "-m", model),
            *("-o", tmp_path / "p.csv"),
        ],
        "label --embeddings": [
            *("label", "--embeddings", store, "-c", classes(tmp_path), "-m", model),
            *("-o", tmp_path / "p.csv"),
        ],
    }


def classes(folder: Path) -> Path:
    path = folder / "classes.txt"
    path.write_text("cat\ndog\n")
    return path


def state(store: Path) -> tuple[bytes, int]:
    return store.read_bytes(), store.stat().st_mtime_ns


@pytest.mark.parametrize("planted", PLANTED)
@pytest.mark.parametrize(
    "command",
    [
        "embed new images",
        "embed (repair) the stored ones",
        "export",
        "label --embeddings PATH",
        "label --embeddings",
    ],
)
def test_a_store_holding_objects_zsl_did_not_make_is_refused_untouched(
    made, tiny_clip, tmp_path: Path, planted: str, command: str
) -> None:
    statements, named = PLANTED[planted]
    store = plant(made, tmp_path, statements)
    before = state(store)
    result = run(*commands(made[0], store, tiny_clip, tmp_path)[command])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"zsl: error: embedding store {store} holds {named}"
        + (" that zsl did not make" if not named[0].isdigit() else "")
        + ": refused, as a store is data and SQL kept in one would run as zsl reads or writes it;"
        " remove " + ("them" if named[0].isdigit() else "it") + " (with the sqlite3 tool), or"
        " embed the images into a new store\n"
    )
    assert state(store) == before
    assert not (tmp_path / "p.csv").exists() and not (tmp_path / "e.npy").exists()


def test_the_poison_trigger_changes_no_label(made, tiny_clip, tmp_path: Path) -> None:
    # Before, `zsl embed` said "2 encoded", exit 0, and each new image was labelled as the first
    # stored image is.
    store = plant(made, tmp_path, [POISON])
    more = tmp_path / "more"
    write_images(more, 2, seed=1)
    assert run("embed", more, "--store", store, "-m", tiny_clip).exit_code == 2
    with sqlite3.connect(store) as raw:
        assert raw.execute("SELECT count(*) FROM files").fetchone() == (2,)


def test_what_sqlite_itself_adds_is_accepted(made, tiny_clip, tmp_path: Path) -> None:
    # ANALYZE (or `PRAGMA optimize`, run by a sqlite3 tool) makes sqlite_stat tables; VACUUM
    # rebuilds the store. Neither is another program's SQL.
    store = plant(made, tmp_path, ["ANALYZE", "PRAGMA optimize"])
    raw = sqlite3.connect(store)
    raw.execute("VACUUM")
    raw.close()
    with sqlite3.connect(store) as raw:
        names = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
    assert "sqlite_stat1" in names
    more = tmp_path / "more"
    write_images(more, 1, seed=1)
    result = run("embed", more, "--store", store, "-m", tiny_clip)
    assert result.exit_code == 0, result.output
    result = run(
        "label", "--embeddings", store, "-c", classes(tmp_path), "-m", tiny_clip, "-o", "-"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 4  # header and three images


def test_a_version_1_store_is_still_accepted(made, tiny_clip, tmp_path: Path) -> None:
    store = plant(
        made,
        tmp_path,
        ["ALTER TABLE models DROP COLUMN precision", "PRAGMA user_version = 1"],
    )
    result = run(
        "label", "--embeddings", store, "-c", classes(tmp_path), "-m", tiny_clip, "-o", "-"
    )
    assert result.exit_code == 0, result.output
    result = run("embed", made[0], "--store", store, "-m", tiny_clip)
    assert result.exit_code == 0, result.output


def test_a_store_read_without_locks_is_refused_too(
    made, tiny_clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A teammate's store in a shared folder, which zsl may not write: read as immutable, through
    # no -wal or -shm file. os.access says so as it does for a user not root.
    store = plant(made, tmp_path, [POISON])
    file_not_writable(monkeypatch, store)
    result = run(
        "label", "--embeddings", store, "-c", classes(tmp_path), "-m", tiny_clip, "-o", "-"
    )
    assert result.exit_code == 2, result.output
    assert "holds a trigger 'keep_it_quiet' that zsl did not make" in result.stderr
    assert not Path(f"{store}-wal").exists() and not Path(f"{store}-shm").exists()


def test_a_constraint_a_write_fails_is_one_line(made, tiny_clip, tmp_path: Path) -> None:
    # A table changed in place (its SQL edited with writable_schema) holds only zsl's objects;
    # a constraint zsl's rows fail ended in a traceback, "internal error", exit 70.
    store = plant(made, tmp_path, [])
    raw = sqlite3.connect(store)
    with raw:
        raw.execute("PRAGMA writable_schema = ON")
        raw.execute(
            "UPDATE sqlite_master SET sql = replace(sql, 'PRIMARY KEY (model_id, path),', "
            "'PRIMARY KEY (model_id, path), CHECK (CAST(path AS TEXT) NOT LIKE ''%/more/%''),') "
            "WHERE name = 'files'"
        )
    raw.close()
    more = tmp_path / "more"
    write_images(more, 2, seed=1)
    before = state(store)
    result = run("embed", more, "--store", store, "-m", tiny_clip)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"zsl: error: embedding store {store} refused a write (CHECK constraint failed: "
        "CAST(path AS TEXT) NOT LIKE '%/more/%'): its tables are not as zsl made them; embed the "
        "images into a new store (no image of this run was saved; the store keeps what it held)\n"
    )
    assert state(store)[0] == before[0]


def link_message(store: Path, kind: str) -> str:
    return (
        f"zsl: error: embedding store {store}: {store}-{kind} beside it is a symbolic link, and "
        f"SQLite will not open one where it keeps the store's -{kind} file; remove {store}-{kind} "
        "(while no zsl command uses the store) and run again\n"
    )


@pytest.mark.parametrize("kind", ["wal", "shm", "journal"])
def test_a_link_planted_beside_a_store_is_named(made, tiny_clip, tmp_path: Path, kind: str) -> None:
    # SQLite refuses it, and zsl said only "unable to open database file".
    store = plant(made, tmp_path, [])
    target = tmp_path / "elsewhere"
    target.write_text("theirs")
    Path(f"{store}-{kind}").symlink_to(target)
    before = state(store)
    for command in (
        ["embed", made[0], "--store", store, "-m", tiny_clip],
        ["label", "--embeddings", store, "-c", classes(tmp_path), "-m", tiny_clip, "-o", "-"],
    ):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert result.stderr == link_message(store, kind)
    assert state(store) == before
    assert target.read_text() == "theirs"


@pytest.mark.parametrize("kind", ["wal", "shm", "journal"])
def test_a_link_planted_beside_a_new_store_leaves_no_store(
    made, tiny_clip, tmp_path: Path, kind: str
) -> None:
    # With a -shm link SQLite failed once zsl had made the store's file, which was left empty;
    # -wal and -journal links it removed.
    store = tmp_path / "new.zsl"
    target = tmp_path / "elsewhere"
    target.write_text("theirs")
    Path(f"{store}-{kind}").symlink_to(target)
    result = run("embed", made[0], "--store", store, "-m", tiny_clip)
    assert result.exit_code == 2, result.output
    assert result.stderr == link_message(store, kind)
    assert not store.exists()
    assert target.read_text() == "theirs"


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_wal_link_to_data_beside_a_store_only_read_is_named(
    made, tiny_clip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_only: str
) -> None:
    # A store zsl may not write is read as immutable, or through a writer's files: a -wal link
    # was taken for a killed writer's commits ("open it once where it can be written"). Where
    # the folder may not be written, removing the link is no advice to give.
    store = plant(made, tmp_path, [])
    target = tmp_path / "elsewhere"
    target.write_text("theirs")
    Path(f"{store}-wal").symlink_to(target)
    only_read(monkeypatch, store, read_only)
    before = state(store)
    result = run(
        "label", "--embeddings", store, "-c", classes(tmp_path), "-m", tiny_clip, "-o", "-"
    )
    assert result.exit_code == 2, result.output
    advice = {
        "file": f"remove {store}-wal (while no zsl command uses the store) and run again",
        "folder": f"zsl may not write its folder {tmp_path}: ask its owner to remove "
        f"{store}-wal, or copy {store} to a folder you may write and read the copy",
    }[read_only]
    assert result.stderr == (
        f"zsl: error: embedding store {store}: {store}-wal beside it is a symbolic link to a "
        f"file holding data, and SQLite reads no commits through one; {advice}\n"
    )
    assert state(store) == before
    assert target.read_text() == "theirs"


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        *((kind, "dangling") for kind in ("wal", "shm", "journal")),
        ("wal", "an empty file"),
        ("shm", "a file holding data"),
        ("journal", "a file holding data"),
    ],
)
@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_link_beside_a_store_only_read_that_holds_no_commit_is_read_past(
    made,
    tiny_clip,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    read_only: str,
    target: str,
) -> None:
    # Such a store is read as immutable, opening none of these files: a dangling link or a link
    # where SQLite keeps no commit changes nothing read, and zsl read it before links were named
    # (on a read-only mount, where the link cannot be removed).
    store = plant(made, tmp_path, [])
    elsewhere = tmp_path / "elsewhere"
    if target != "dangling":
        elsewhere.write_text("" if target == "an empty file" else "theirs")
    Path(f"{store}-{kind}").symlink_to(elsewhere)
    only_read(monkeypatch, store, read_only)
    before = state(store)
    result = run(
        "label", "--embeddings", store, "-c", classes(tmp_path), "-m", tiny_clip, "-o", "-"
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3  # a header and the two stored images
    assert state(store) == before
    assert elsewhere.exists() == (target != "dangling")


FILES_COLUMNS = "model_id, path, size, mtime_ns, status, error, vector, written_at"


def files_made_as(*changes: tuple[str, str]) -> list[str]:
    """Statements that make `files` anew with its SQL changed by `changes` (old, new), holding
    the same rows, as a foreign tool's rebuild does."""
    sql = next(s for s in store_module._SCHEMA.split(";") if "CREATE TABLE files" in s)
    for old, new in changes:
        assert old in sql
        sql = sql.replace(old, new)
    return [
        "ALTER TABLE files RENAME TO files_before",
        sql,
        f"INSERT INTO files ({FILES_COLUMNS}) SELECT {FILES_COLUMNS} FROM files_before",
        "DROP TABLE files_before",
        "CREATE INDEX files_stat ON files (model_id, path, size, mtime_ns, status)",
    ]


REDEFINED = {
    "another type": (
        files_made_as(("mtime_ns INTEGER", "mtime_ns REAL")),
        "has a table 'files' that zsl did not make so (column 'mtime_ns' is REAL NOT NULL, not "
        "INTEGER NOT NULL): another program's, or changed by hand",
    ),
    "an extra column": (
        files_made_as(("written_at TEXT NOT NULL,", "written_at TEXT NOT NULL, note TEXT,")),
        "has a table 'files' that zsl did not make so (a column 'note' zsl does not make): "
        "another program's, or changed by hand",
    ),
    "an extra column in models": (
        [
            "ALTER TABLE models ADD COLUMN owner TEXT NOT NULL DEFAULT 'x'",
            "UPDATE models SET owner = 'x'",
        ],
        "has a table 'models' that zsl did not make so (a column 'owner' zsl does not make): "
        "another program's, or changed by hand",
    ),
    "no default": (
        files_made_as(("error TEXT NOT NULL DEFAULT ''", "error TEXT NOT NULL")),
        "has a table 'files' that zsl did not make so (column 'error' is TEXT NOT NULL, not TEXT "
        "NOT NULL DEFAULT ''): another program's, or changed by hand",
    ),
    "no primary key": (
        files_made_as(("PRIMARY KEY (model_id, path),", ""), (") WITHOUT ROWID", ")")),
        "has a table 'files' that zsl did not make so (column 'model_id' is INTEGER NOT NULL, "
        "not INTEGER NOT NULL part 1 of the primary key): another program's, or changed by hand",
    ),
    "STRICT": (
        files_made_as((") WITHOUT ROWID", ") WITHOUT ROWID, STRICT")),
        "has a table 'files' that zsl did not make so (a STRICT table): another program's, or "
        "changed by hand",
    ),
    # Refused before as holding an index zsl did not make, its key's, with advice to drop it
    # that SQLite refuses.
    "a rowid table": (
        files_made_as((") WITHOUT ROWID", ")")),
        "has a table 'files' that zsl did not make so (a rowid table, not WITHOUT ROWID): "
        "another program's, or changed by hand",
    ),
    "no unique identity": (
        [
            "ALTER TABLE models RENAME TO models_before",
            next(s for s in store_module._SCHEMA.split(";") if "CREATE TABLE models" in s).replace(
                "identity TEXT NOT NULL UNIQUE", "identity TEXT NOT NULL"
            ),
            "INSERT INTO models SELECT * FROM models_before",
            "DROP TABLE models_before",
        ],
        "has a table 'models' that zsl did not make so (its keys or indexes are not zsl's): "
        "another program's, or changed by hand",
    ),
    # Said as damage, as before: a table without a column zsl reads.
    "a renamed column": (
        ["ALTER TABLE files RENAME COLUMN size TO bytes"],
        "is damaged (no such column: size)",
    ),
}


@pytest.mark.parametrize("redefined", REDEFINED)
@pytest.mark.parametrize(
    "command", ["embed new images", "embed (repair) the stored ones", "label --embeddings"]
)
def test_a_store_whose_tables_zsl_did_not_make_so_is_refused_untouched(
    made, tiny_clip, tmp_path: Path, redefined: str, command: str
) -> None:
    # Before, zsl read and wrote them as its own: with a REAL mtime_ns, every embed encoded
    # every unchanged image again.
    if redefined == "STRICT" and sqlite3.sqlite_version_info < (3, 37):
        pytest.skip("SQLite makes STRICT tables from 3.37")
    statements, said = REDEFINED[redefined]
    store = plant(made, tmp_path, statements)
    before = state(store)
    result = run(*commands(made[0], store, tiny_clip, tmp_path)[command])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"zsl: error: embedding store {store} {said}")
    assert result.stderr.count("\n") == 1, result.stderr
    assert state(store) == before
    assert not (tmp_path / "p.csv").exists()
