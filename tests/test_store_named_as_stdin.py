"""A store to read named "-": an embedding store is an SQLite file, never stdin, and the refusal
says so rather than only that no file "-" exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore


def test_a_store_to_read_named_dash_is_said_to_be_no_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as caught:
        EmbeddingStore.open("-", create=False)
    message = str(caught.value)
    assert (
        "embedding store - not found (an embedding store is an SQLite file, not stdin)" in message
    )
    assert message.endswith("create it with `zsl embed`")
    assert not (tmp_path / "-").exists()


def test_a_missing_store_of_another_name_gets_no_stdin_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as caught:
        EmbeddingStore.open("photos.zsl", create=False)
    assert "stdin" not in str(caught.value)
