"""How zsl_cli.files tells paths and files apart: a folder's inside from a sibling of a longer
name, one file from another where the system gives no inode number, the streams a shell opens,
and how outputs are named in messages."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from zsl_cli import files
from zsl_cli.errors import ZslError


def test_a_sibling_whose_name_starts_with_the_folders_is_not_inside_it(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    assert not files.inside_folder(tmp_path / "model2" / "p.csv", model)
    assert not files.inside_folder(tmp_path / "model.csv", model)
    assert files.inside_folder(model / "p.csv", model)
    assert files.inside_folder(model / "sub" / "p.csv", model)
    assert files.inside_folder(model, model)
    (tmp_path / "link").symlink_to(model)
    assert files.inside_folder(tmp_path / "link" / "p.csv", model)


def status(inode: int, device: int = 1) -> os.stat_result:
    """A regular file's status with this inode number (0: the system gives none)."""
    return os.stat_result((stat.S_IFREG | 0o644, inode, device, 1, 0, 0, 10, 0, 0, 0))


def test_files_without_inode_numbers_are_never_the_same_file() -> None:
    assert files.same_file(status(7), status(7))
    assert not files.same_file(status(7), status(8))
    assert not files.same_file(status(7, device=1), status(7, device=2))
    assert not files.same_file(status(0), status(0))


def test_a_file_without_an_inode_number_is_known_by_its_real_path(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("")
    (tmp_path / "link.csv").symlink_to(real)
    assert files.file_identity(status(7, device=3), str(real)) == (3, 7)
    expected = os.path.normcase(os.path.realpath(real))
    assert files.file_identity(status(0), str(tmp_path / "link.csv")) == expected


@pytest.mark.parametrize(
    ("name", "opened"),
    [
        ("/dev/stdout", True),
        ("/dev/stderr", True),
        ("/dev/fd/3", True),
        ("/proc/self/fd/1", True),
        ("/dev/null", False),
        ("/proc/self/status", False),
        ("/tmp/fd/1", False),
    ],
)
def test_the_streams_a_shell_opens_are_told_by_name(name: str, opened: bool) -> None:
    assert files.names_open_stream(Path(name)) is opened


def test_an_output_is_named_by_its_option_and_stdout_as_stdout() -> None:
    assert files.named_output("--json", "-") == ("stdout", "-")
    assert files.named_output("--json", "r.json") == ("--json r.json", "r.json")
    assert files.named_output("--json", None) == ("--json", None)


@pytest.mark.parametrize(
    ("name", "folder"), [("out/", True), ("a/out", False), ("out", False), ("", False)]
)
def test_a_name_ending_in_a_slash_names_a_folder(name: str, folder: bool) -> None:
    assert files.names_a_folder(name) is folder


def test_only_what_is_no_regular_file_or_folder_is_streamed_into(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text("{}")
    assert files.streams_into(Path(os.devnull))
    assert not files.streams_into(tmp_path)
    assert not files.streams_into(tmp_path / "r.json")
    assert not files.streams_into(tmp_path / "missing.json")


def test_a_folder_given_for_a_file_written_at_the_end_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(ZslError) as refused:
        files.check_writable_later(tmp_path)
    assert str(refused.value) == f"output '{tmp_path}' is a directory: give a file name"


@pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="no /dev/fd")
def test_a_stream_name_of_no_open_descriptor_is_said_to_be_no_stream() -> None:
    with pytest.raises(ZslError) as refused:
        files.open_sink("/dev/fd/987")
    assert str(refused.value) == "cannot write '/dev/fd/987': no such stream is open"
