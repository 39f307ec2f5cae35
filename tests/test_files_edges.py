"""Edges of zsl_cli.files: a file name of exactly the longest length fits, a caller's stdout
missing one method is told of in the singular, and two outputs not written yet are one file
where a folder link leads both into one folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from zsl_cli import files
from zsl_cli.errors import ZslError


def test_a_name_of_exactly_the_longest_length_fits() -> None:
    assert files.name_fits(Path("out") / ("a" * files.NAME_MAX))
    assert not files.name_fits(Path("out") / ("a" * (files.NAME_MAX + 1)))
    # Bytes are counted, not characters: 'é' is two in UTF-8.
    assert not files.name_fits(Path("é" * (files.NAME_MAX // 2 + 1)))


class _WriteOnly:
    def write(self, data: str) -> int:
        return len(data)


class _Neither:
    pass


def test_a_stream_missing_one_method_is_told_of_in_the_singular() -> None:
    with pytest.raises(ZslError) as caught:
        files.check_writable_stream(_WriteOnly())
    assert caught.value.message == (
        "stdout: _WriteOnly has no flush() method; give a stream with write() and flush()"
    )
    with pytest.raises(ZslError) as caught:
        files.check_writable_stream(_Neither())
    assert caught.value.message == (
        "stdout: _Neither has no write() and flush() methods; give a stream with write() and "
        "flush()"
    )
    files.check_writable_stream(io.StringIO())


def test_outputs_not_there_yet_are_one_file_through_a_folder_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    outputs = [
        files.named_output("--json", tmp_path / "real" / "r.json"),
        files.named_output("--report", tmp_path / "link" / "r.json"),
    ]
    with pytest.raises(ZslError, match="are the same file: give each its own"):
        files.check_outputs_spare_inputs(outputs, [])
    other = [outputs[0], files.named_output("--report", tmp_path / "link" / "s.json")]
    files.check_outputs_spare_inputs(other, [])
