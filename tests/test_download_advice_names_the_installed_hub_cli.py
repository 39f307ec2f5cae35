"""The download advice of a model load (offline and not cached, damaged cache files) names the
command-line program the installed huggingface_hub has: `hf` came with 0.34, and the 0.23.2 that
pyproject still allows has only `huggingface-cli`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zsl_cli.encoders.hub import download_command

# The [console_scripts] of huggingface_hub's entry_points.txt in 0.23.2, 0.34.0 and 1.0.
SCRIPTS = {
    "0.23.2": ["huggingface-cli = huggingface_hub.commands.huggingface_cli:main"],
    "0.34.0": [
        "hf = huggingface_hub.cli.hf:main",
        "huggingface-cli = huggingface_hub.commands.huggingface_cli:main",
    ],
    "1.0.0": ["hf = huggingface_hub.cli.hf:main"],
}


def _advice_with_hub_metadata(tmp_path: Path, version: str) -> str:
    """download_command's advice in a Python that finds the metadata of huggingface_hub
    `version` first on its path (the package itself stays the installed one)."""
    info = tmp_path / f"huggingface_hub-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: huggingface_hub\nVersion: {version}\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[console_scripts]\n" + "\n".join(SCRIPTS[version]) + "\n", encoding="utf-8"
    )
    code = (
        "from importlib.metadata import version\n"
        "from zsl_cli.encoders.hub import download_command\n"
        "print(version('huggingface_hub'))\n"
        "print(download_command('acme/clip', 'v3'))\n"
    )
    path = [str(tmp_path), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(path)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    found, advice = done.stdout.splitlines()
    assert found == version  # the metadata written here is the one read
    return advice


@pytest.mark.parametrize(
    ("version", "program"),
    [("0.23.2", "huggingface-cli"), ("0.34.0", "hf"), ("1.0.0", "hf")],
)
def test_the_advice_names_the_program_of_the_hub_version(
    tmp_path: Path, version: str, program: str
) -> None:
    advice = _advice_with_hub_metadata(tmp_path, version)
    assert advice == f"{program} download acme/clip --revision v3"


def test_the_program_named_is_installed_beside_this_python() -> None:
    program, verb, hub_id = download_command("acme/clip", None).split()
    assert (verb, hub_id) == ("download", "acme/clip")
    # Beside this Python (a venv's bin) or on PATH (a user install's ~/.local/bin).
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    assert shutil.which(program, path=search), program
