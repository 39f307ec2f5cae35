"""SQLite failures told by their text alone, as Python 3.10's sqlite3 gives them (no
`sqlite_errorname`): a full disk is still said to be one, with what the store keeps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from zsl_cli.store import _user_message


def test_a_full_disk_told_by_its_text_alone_is_said_to_be_one() -> None:
    error = sqlite3.OperationalError("database or disk is full")
    assert getattr(error, "sqlite_errorname", None) is None  # as 3.10 raises every error
    message = _user_message(error, Path("photos.zsl"), 30.0, "no image was saved")
    assert message == (
        "disk full while writing embedding store photos.zsl; free space and re-run "
        "(no image was saved)"
    )


def test_a_locked_store_told_by_its_text_alone_is_said_to_be_locked() -> None:
    error = sqlite3.OperationalError("database table is locked")
    message = _user_message(error, Path("photos.zsl"), 2.5, "")
    assert message is not None
    assert message.startswith(
        "embedding store photos.zsl is locked by another process (waited 2.5 s)"
    )
