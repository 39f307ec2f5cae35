"""An HF_ENDPOINT whose port is out of range or not a number: huggingface_hub fails on it as it
is imported, so every model load, a local one too, is refused in one line before that."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from zsl_cli.encoders import load_encoder
from zsl_cli.encoders.hub import hub_reachable
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    ("endpoint", "why"),
    [
        ("https://huggingface.co:99999", "Port out of range 0-65535"),
        ("http://mirror.example:80a", "Port could not be cast to integer value as '80a'"),
    ],
)
def test_a_load_is_refused_in_one_line(monkeypatch, endpoint, why):
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    assert hub_reachable()  # not probed: the hub client is left to say what is wrong
    with pytest.raises(ZslError) as info:
        load_encoder("shapes-demo")
    assert info.value.message == (
        f"HF_ENDPOINT {endpoint}: {why}; give the URL of the Hugging Face hub or of a mirror "
        "(https://huggingface.co), or unset it"
    )
    assert info.value.exit_code == 2


def test_the_cli_says_so_without_a_traceback(tmp_path):
    from PIL import Image

    Image.new("RGB", (40, 30), "red").save(tmp_path / "red.png")
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    env = {**os.environ, "HF_ENDPOINT": "https://huggingface.co:99999"}
    done = subprocess.run(
        [sys.executable, "-m", "zsl_cli", "label", str(tmp_path / "red.png")]
        + ["-c", str(tmp_path / "classes.txt"), "-m", "shapes-demo", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "zsl: error: HF_ENDPOINT https://huggingface.co:99999: Port out of range 0-65535; give "
        "the URL of the Hugging Face hub or of a mirror (https://huggingface.co), or unset it\n"
    )
