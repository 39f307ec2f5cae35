"""An output named through a loop of symbolic links (`a -> b -> a`) cannot be written: one line
naming the output and why, exit 2, and nothing written; not a traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import run


@pytest.mark.parametrize("name", ["loop.csv", "loop.csv/out.csv"])
def test_an_output_through_a_link_loop_is_one_line(tmp_path: Path, monkeypatch, name) -> None:
    images = tmp_path / "images"
    images.mkdir()
    Image.new("RGB", (32, 32), "red").save(images / "a.png")
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n")
    os.symlink("other.csv", tmp_path / "loop.csv")
    os.symlink("loop.csv", tmp_path / "other.csv")
    monkeypatch.chdir(tmp_path)
    result = run("label", images, "-c", classes, "-m", "shapes-demo", "-o", name)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"zsl: error: cannot write '{name}': {os.strerror(errno.ELOOP)}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "classes.txt",
        "images",
        "loop.csv",
        "other.csv",
    ]
