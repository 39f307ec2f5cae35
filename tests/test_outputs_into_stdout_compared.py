"""Outputs written to stdout ('-') are compared as the file stdout writes into: one named output
there too (`--json out.txt > out.txt`) is refused, and two outputs to a stdout with no file
under it (a terminal, a caller's stream) are not taken for one file named '-'."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from zsl_cli import files
from zsl_cli.errors import ZslError
from zsl_cli.files import check_outputs_spare_inputs, named_output


def test_an_output_into_the_file_stdout_writes_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    with open(out, "w") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        with pytest.raises(ZslError) as refused:
            check_outputs_spare_inputs(
                [named_output("-o", "-"), named_output("--json", str(out))], []
            )
    assert str(refused.value) == (f"stdout and --json {out} are the same file: give each its own")


def test_outputs_into_a_stdout_that_keeps_nothing_are_not_one_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(files, "stdout_status", lambda: None)
    check_outputs_spare_inputs([named_output("-o", "-"), named_output("--json", "-")], [])
    assert files.output_key("-") is None


def test_files_without_inode_numbers_are_told_apart_by_their_paths(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Some Windows network drives give every file st_ino 0: such files are not stdout's.
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for path in (first, second):
        path.write_text("{}")
    real_stat = os.stat

    def without_inodes(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        status = real_stat(path, *args, **kwargs)
        if os.fspath(path) in (str(first), str(second)):
            return os.stat_result((status.st_mode, 0, *tuple(status)[2:]))
        return status

    monkeypatch.setattr(os, "stat", without_inodes)
    check_outputs_spare_inputs(
        [named_output("--json", first), named_output("--report", second)], []
    )
    assert files.output_key(str(first)) == ("file", os.path.normcase(os.path.realpath(first)))
    with pytest.raises(ZslError, match="are the same file"):
        check_outputs_spare_inputs(
            [named_output("--json", first), named_output("--report", first)], []
        )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_two_outputs_into_one_named_pipe_are_refused(tmp_path: Path) -> None:
    pipe = tmp_path / "out.fifo"
    os.mkfifo(pipe)
    with pytest.raises(ZslError) as refused:
        check_outputs_spare_inputs([named_output("-o", pipe), named_output("--json", pipe)], [])
    assert str(refused.value) == (
        f"-o {pipe} and --json {pipe} are the same file: give each its own"
    )
