"""A model folder's file that is a named pipe, or a link to a device (/dev/zero): named with
what it is, exit code 2, and never opened (a pipe would wait for a writer for ever, /dev/zero
never end). transformers passes over such a file, so the folder was said to have no weights
file or no config.json, or transformers' own words came out ("Can't load image processor ...
make sure you don't have a local directory with the same name")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.helpers import run

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")

FILES = ("model.safetensors", "config.json", "preprocessor_config.json")


def zsl(*args: object) -> subprocess.CompletedProcess[str]:
    # A process of its own, with a time limit: a device opened by mistake never ends.
    command = [sys.executable, "-m", "zsl_cli", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)


@pytest.fixture()
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    pixels = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(folder / "0.png")
    return folder


@pytest.fixture()
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("cat\ndog\n")
    return path


def assert_one_line(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("zsl: error: ")
    assert message in result.stderr, result.stderr
    assert result.stdout == ""


@contextmanager
def writer_comes_late(pipe: Path, seconds: float = 120) -> Iterator[None]:
    """Should a reader open `pipe` by mistake, a writer opens it after `seconds` and goes: the
    reader reads its end and the test fails, instead of waiting for ever in this process."""
    done = threading.Event()

    def write() -> None:
        if done.wait(seconds):
            return
        while not done.is_set():
            try:
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:  # no reader yet
                done.wait(0.1)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


@pytest.mark.parametrize("file", FILES)
def test_a_named_pipe_is_named(tiny_clip, tmp_path, images, classes, file):
    # In this process: nothing in it has the pipe open, and a writer comes should it be opened.
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    (model / file).unlink()
    os.mkfifo(model / file)
    with writer_comes_late(model / file):
        result = run("label", images, "-c", classes, "-m", model, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("zsl: error: ")
    message = f"model {model}: its {file} is a named pipe, not a file"
    assert message in result.stderr, result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("file", FILES)
def test_a_link_to_a_device_is_named(tiny_clip, tmp_path, images, classes, file):
    model = shutil.copytree(tiny_clip, tmp_path / "model")
    (model / file).unlink()
    (model / file).symlink_to("/dev/zero")
    result = zsl("label", images, "-c", classes, "-m", model, "-o", tmp_path / "out.csv")
    assert_one_line(
        result,
        f"model {model}: its {file} is a character device (a link to /dev/zero), not a file",
    )


def test_a_broken_link_s_target_is_shown_escaped(tiny_clip, tmp_path):
    # A link's target is a name the folder's author chose: it may hold terminal sequences.
    from zsl_cli.encoders import load_encoder
    from zsl_cli.errors import ZslError

    model = shutil.copytree(tiny_clip, tmp_path / "model")
    (model / "model.safetensors").unlink()
    (model / "model.safetensors").symlink_to("blobs/\x1b]0;title\x07")
    with pytest.raises(ZslError) as refused:
        load_encoder(model)
    assert "its model.safetensors is a broken symbolic link (to blobs/\\x1b]0;title\\x07)" in (
        refused.value.message
    )
    assert "\x1b" not in refused.value.message
