"""A file name of white space alone is a name like any other (only '' names no file): it is
read, not refused as an unset shell variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run


@pytest.mark.parametrize("name", [" ", "  "])
def test_a_class_file_named_with_spaces_is_read(tmp_path: Path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text("cat\ndog\n")
    result = run("label", "-c", name, "-t", "bare", "--show-prompts")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["class,weight,prompt", "cat,1,cat", "dog,1,dog"]
