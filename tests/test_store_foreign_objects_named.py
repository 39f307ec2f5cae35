"""What a store holding SQL objects zsl did not make is refused with: each object named by its
kind, including those SQLite's own names do not excuse (only the statistics tables ANALYZE
makes are), and a virtual table named as one, since a module's code reads it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore

REFUSED = (
    "that zsl did not make: refused, as a store is data and SQL kept in one would run as zsl "
    "reads or writes it; remove it (with the sqlite3 tool), or embed the images into a new store"
)


def made_store(tmp_path: Path) -> Path:
    path = tmp_path / "s.zsl"
    EmbeddingStore.open(path).close()
    return path


def with_sql(path: Path, *statements: str) -> None:
    raw = sqlite3.connect(path)
    with raw:
        for statement in statements:
            raw.execute(statement)
    raw.close()


def renamed(path: Path, old: str, new: str) -> None:
    """Rename a schema object in place, as only an edit of sqlite_master can: SQLite keeps
    names starting "sqlite_" for itself."""
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA writable_schema = ON")
    with raw:
        raw.execute(
            "UPDATE sqlite_master SET name = ?, tbl_name = ?, sql = replace(sql, ?, ?) "
            "WHERE name = ?",
            (new, new, old, new, old),
        )
    raw.close()


def refusal(path: Path) -> str:
    with pytest.raises(ZslError) as caught:
        EmbeddingStore.open(path, create=False)
    return str(caught.value)


@pytest.mark.parametrize(
    ("statement", "name", "what"),
    [
        # a statistics table's name with more after it is no statistics table
        ("CREATE TABLE notes (x)", "sqlite_stat1x", "a table 'sqlite_stat1x'"),
        # nor is a view named as one
        ("CREATE VIEW notes AS SELECT 1", "sqlite_stat1", "a view 'sqlite_stat1'"),
    ],
)
def test_an_object_named_as_sqlites_statistics_is_still_refused(
    tmp_path: Path, statement: str, name: str, what: str
) -> None:
    store = made_store(tmp_path)
    with_sql(store, statement)
    renamed(store, "notes", name)
    assert refusal(store) == f"embedding store {store} holds {what} {REFUSED}"


def test_the_statistics_analyze_makes_are_accepted(tmp_path: Path) -> None:
    store = made_store(tmp_path)
    with_sql(store, "CREATE INDEX by_size ON files (size)", "ANALYZE", "DROP INDEX by_size")
    with EmbeddingStore.open(store, create=False) as opened:
        assert opened.models() == []


def test_a_trigger_named_as_a_table_of_zsl_is_named_as_a_trigger(tmp_path: Path) -> None:
    store = made_store(tmp_path)
    with_sql(store, "CREATE TRIGGER files AFTER INSERT ON files BEGIN SELECT 1; END")
    assert refusal(store) == f"embedding store {store} holds a trigger 'files' {REFUSED}"


def test_a_virtual_table_is_named_as_one(tmp_path: Path) -> None:
    store = made_store(tmp_path)
    with_sql(store, "CREATE VIRTUAL TABLE notes USING fts5(x)")
    # fts5 makes five tables of its own for it, listed after it
    assert refusal(store) == (
        f"embedding store {store} holds 6 objects that zsl did not make (a virtual table "
        "'notes', a table 'notes_data', a table 'notes_idx', ... (3 more)): refused, as a store "
        "is data and SQL kept in one would run as zsl reads or writes it; remove them (with the "
        "sqlite3 tool), or embed the images into a new store"
    )
