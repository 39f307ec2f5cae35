"""`zsl embed --strict` without PATHs is told what --strict needs, with or without --export:
without --export it was "no images given", as if --strict had not been typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run

REFUSED = (
    "zsl: error: --strict: without paths no image is scanned, only the store's embeddings "
    "exported\n"
)


@pytest.mark.parametrize("extra", [[], ["--export", "e.npy"], ["-q"]])
def test_strict_without_paths_is_refused_for_what_it_needs(tmp_path: Path, monkeypatch, extra):
    monkeypatch.chdir(tmp_path)
    result = run("embed", "-s", "s.zsl", "--strict", *extra)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == REFUSED
    assert list(tmp_path.iterdir()) == []
