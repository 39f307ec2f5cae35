"""`zsl embed`'s warning of the damaged vectors it encoded again names the images as the run was
given them, as its failed files are in the same run: it gave their absolute paths (the store's
keys)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import run, write_images


def test_repaired_images_are_named_as_given(
    tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = write_images(Path("images"), 2)
    embed = ("embed", "images", "--store", "s.zsl", "-m", tiny_clip)
    assert run(*embed, "-q").exit_code == 0
    with sqlite3.connect("s.zsl") as raw:  # a vector of zeros: not of unit length
        key = os.fsencode(os.path.abspath(paths[1]))
        raw.execute("UPDATE files SET vector = zeroblob(length(vector)) WHERE path = ?", (key,))
    (Path("images") / "bad.png").write_bytes(b"not a png")
    result = run(*embed)
    assert result.exit_code == 0, result.output
    repaired = next(line for line in result.stderr.splitlines() if "damaged vectors" in line)
    assert repaired.endswith("encoded again (images/img_001.png)"), repaired
    assert "images/bad.png" in result.stderr  # the failed file, named so in the same run
