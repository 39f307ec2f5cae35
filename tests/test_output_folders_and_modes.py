"""An output's folder that cannot be made says which name is in the way (a file, a link to
nowhere), and an output written over keeps the old file's permissions, as a shell's `>` does."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from zsl_cli import files
from zsl_cli.errors import ZslError


@pytest.mark.parametrize("depth", [1, 2])
def test_a_file_where_a_folder_goes_is_named(tmp_path: Path, depth: int) -> None:
    (tmp_path / "a").write_text("a file")
    folder = tmp_path / "a" / "b" if depth == 2 else tmp_path / "a"
    with pytest.raises(ZslError) as refused:
        files.write_file(folder / "out.json", b"{}")
    assert str(refused.value) == (
        f"cannot create the output folder '{folder}': '{tmp_path / 'a'}' is a file, not a folder"
    )


def test_a_link_to_nowhere_where_a_folder_goes_is_named(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "gone")
    with pytest.raises(ZslError) as refused:
        files.write_file(tmp_path / "a" / "b" / "out.json", b"{}")
    assert str(refused.value) == (
        f"cannot create the output folder '{tmp_path / 'a' / 'b'}': '{tmp_path / 'a'}' is a "
        f"link to '{tmp_path / 'gone'}', which is not there"
    )


posix_modes = pytest.mark.skipif(os.name == "nt", reason="Windows keeps no POSIX permissions")


@posix_modes
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_an_output_written_over_keeps_its_permissions(tmp_path: Path, mode: int) -> None:
    output = tmp_path / "out.json"
    output.write_text("old")
    output.chmod(mode)
    files.write_file(output, b"new")
    assert output.read_text() == "new"
    assert stat.S_IMODE(os.stat(output).st_mode) == mode


@posix_modes
def test_a_new_output_takes_the_umasks_permissions(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        files.write_file(tmp_path / "out.json", b"new")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "out.json").st_mode) == 0o640
