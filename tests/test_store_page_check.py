"""The refusal of a store whose pages SQLite's integrity check finds damaged names the first
problem itself, not the heading SQLite puts above it ("*** in database main ***")."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.test_store_damage import a_leaf_page_of_the_table, add_rows, overwrite
from zsl_cli.errors import ZslError
from zsl_cli.store import PAGE_SIZE, EmbeddingStore


def test_the_first_damaged_page_is_named(tmp_path: Path) -> None:
    try:
        sqlite3.connect(":memory:").execute("SELECT * FROM dbstat LIMIT 0")
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find a page of the table by")
    store = tmp_path / "s.zsl"
    add_rows(store, 0, 96)
    page = a_leaf_page_of_the_table(store)
    overwrite(store, (page - 1) * PAGE_SIZE, b"\xff" * 16)
    with EmbeddingStore.open(store) as opened, pytest.raises(ZslError) as raised:
        opened.check_pages()
    assert re.fullmatch(
        re.escape(f"embedding store {store} is damaged (SQLite's integrity check: Page {page}: ")
        + r"[^\n*]+\); delete it and re-run `zsl embed`",
        str(raised.value),
    ), str(raised.value)
