"""`python -m zsl_cli.demo make-images DIR` names DIR as zsl's own messages name a path: an
escape sequence or a newline in the name is shown escaped (it retitled and recoloured the
terminal, or split the line), and a character the stream cannot hold as \\u escape, not '?'."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import zsl_cli


def make_images(tmp_path: Path, folder: str, **env: str) -> subprocess.CompletedProcess:
    child_env = dict(os.environ, HF_HUB_OFFLINE="1", **env)
    child_env["PYTHONPATH"] = str(Path(zsl_cli.__file__).parents[1])  # this checkout's zsl
    return subprocess.run(
        [sys.executable, "-m", "zsl_cli.demo", "make-images", folder, "--per-class", "1"],
        cwd=tmp_path,
        env=child_env,
        capture_output=True,
        timeout=300,
    )


def test_escape_sequences_and_newlines_in_the_folder_name_are_shown_escaped(tmp_path):
    folder = "d\x1b]0;title\x07\x1b[31mred\nline"
    result = make_images(tmp_path, folder)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / folder / "classes.txt").is_file()
    lines = result.stderr.decode().splitlines()
    assert lines == [r"wrote 30 images of 30 classes to d\x1b]0;title\x07\x1b[31mred\nline"]


def test_a_name_an_ascii_stderr_cannot_hold_is_escaped_not_replaced(tmp_path):
    result = make_images(tmp_path, "caf\u00e9", PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    assert result.stderr.decode("ascii").splitlines() == [
        r"wrote 30 images of 30 classes to caf\u00e9"
    ]
