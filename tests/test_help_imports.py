"""`zsl --help` and each command's --help answer without importing the heavy libraries: the
defaults they show come from zsl_cli.defaults, which imports the standard library alone."""

import os
import subprocess
import sys

import pytest

HEAVY = {"numpy", "torch", "transformers", "PIL"}


@pytest.mark.parametrize("command", [(), ("label",), ("embed",), ("evaluate",), ("hubness",)])
def test_help_imports_no_heavy_library(command):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "zsl_cli", *command, "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # -X importtime lists every module imported, one a line: "import time: ... | name".
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "zsl_cli.defaults" in imported
    assert not imported & HEAVY, imported & HEAVY
