"""`python -m zsl_cli.demo`: errors named after the program as run."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from zsl_cli.demo.__main__ import app

PROG = "python -m zsl_cli.demo"


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args], prog_name=PROG)


def test_errors_name_the_program_as_run(tmp_path):
    # A ZslError and a command line that does not parse: both named as the hint names it.
    refused = run("make-images", tmp_path / "x", "--seed", "-1")
    assert refused.exit_code == 2
    assert refused.stderr == f"{PROG}: error: --seed must be from 0 to 4294967295, got -1\n"
    missing = run("make-images")
    assert missing.exit_code == 2
    assert missing.stderr == (
        f"{PROG}: error: Missing argument 'DIR' (see '{PROG} make-images --help')\n"
    )
    # Run in-process without a name, as the other tests run it, the name is the same.
    unnamed = CliRunner().invoke(app, ["make-images"])
    assert (
        unnamed.stderr.startswith(f"{PROG}: error: ") and f"'{PROG} make-images" in unnamed.stderr
    )


def test_errors_of_the_module_run_name_it(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "zsl_cli.demo", "make-images", str(tmp_path / "x"), "--seed", "-1"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr == f"{PROG}: error: --seed must be from 0 to 4294967295, got -1\n"


def test_zsl_errors_still_say_zsl(tmp_path):
    from zsl_cli.cli import app as zsl_app

    done = CliRunner().invoke(zsl_app, ["label", str(tmp_path / "missing"), "-c", "x"])
    assert done.exit_code == 2
    assert done.stderr.startswith("zsl: error: ")
