"""An exception no check foresaw (a bug) ends with its traceback, one line saying what it is, and
exit status 70 (EXIT_INTERNAL), never 1, which a script reads as a run that completed with some
images failed. Run as a subprocess: the status is the process's own."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from zsl_cli.errors import EXIT_INTERNAL, EXIT_PARTIAL

# `zsl label` with api.label replaced by one that fails as a bug would.
_FAILING_RUN = textwrap.dedent(
    """
    import sys
    import zsl_cli.api

    def label(*args, **kwargs):
        raise ValueError("a bug")

    zsl_cli.api.label = label
    from zsl_cli.cli import main

    sys.argv = ["zsl", *sys.argv[1:]]
    main()
    """
)


def test_an_unexpected_exception_exits_70_after_its_traceback(tmp_path: Path) -> None:
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    (tmp_path / "photos").mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _FAILING_RUN, "label", "photos", "-c", "classes.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == EXIT_INTERNAL != EXIT_PARTIAL
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert "Traceback (most recent call last):" in lines
    assert "ValueError: a bug" in lines
    assert lines[-1] == (
        "zsl: internal error: ValueError (unexpected; please report it with the traceback above)"
    )


def test_the_help_names_the_internal_error_status() -> None:
    from typer.testing import CliRunner

    from zsl_cli.cli import app

    text = " ".join(CliRunner().invoke(app, ["--help"]).output.split())
    assert "70 internal error (a traceback, to report)" in text
