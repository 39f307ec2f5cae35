"""The demo's train and evaluate load torch and transformers, which need a writable temporary
folder as they import: without one, the same one line as `zsl` (exit 2), not a traceback (exit
70), and train leaves no empty model folder behind; and the demo's --help lists exit 70 with
the others."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import zsl_cli
from zsl_cli.demo.__main__ import app

CHILD_TIMEOUT_S = 120


def run_demo_without_a_temporary_folder(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    # Every folder Python would try (TMPDIR, /tmp, /var/tmp, /usr/tmp, the current folder) is
    # one that takes no file: here, one that is not there.
    script = textwrap.dedent(
        f"""
        import runpy, sys, tempfile
        tempfile._candidate_tempdir_list = lambda: [{str(tmp_path / "gone")!r}]
        sys.argv = ["python -m zsl_cli.demo", *{list(args)!r}]
        runpy.run_module("zsl_cli.demo", run_name="__main__")
        """
    )
    # torch sets TORCHINDUCTOR_CACHE_DIR in os.environ once it has found a folder for it, and
    # then looks for none.
    env = {k: v for k, v in os.environ.items() if k != "TORCHINDUCTOR_CACHE_DIR"}
    env["HF_HUB_OFFLINE"] = "1"
    env["PYTHONPATH"] = str(Path(zsl_cli.__file__).parents[1])  # this checkout's zsl
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_TIMEOUT_S,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("evaluate", "shapes-demo", "--per-class", "1", "--seed", "7"),
        ("train", "model", "--steps", "1"),
    ],
    ids=["evaluate", "train"],
)
def test_the_demo_without_a_writable_temporary_folder_says_so_in_one_line(tmp_path, args):
    result = run_demo_without_a_temporary_folder(tmp_path, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr
    assert "no writable temporary folder" in result.stderr
    assert "TMPDIR" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "model").exists()  # train's output folder: not left behind empty


def test_the_demo_help_lists_the_internal_error_exit_code():
    result = CliRunner().invoke(app, ["--help"], prog_name="python -m zsl_cli.demo")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "70 internal error" in text
    # In order with the others.
    assert text.index("2 usage error") < text.index("70 internal") < text.index("130 interrupt")
