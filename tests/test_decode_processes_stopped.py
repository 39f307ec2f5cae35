"""A run whose decode processes (a CUDA GPU's) stop says so: the rest of its images are decoded
in threads, as correctly but more slowly, which a user would otherwise see only as a slow run."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli import api, batching
from zsl_cli.batching import processes_available
from zsl_cli.cli import app

pytestmark = pytest.mark.skipif(not processes_available(), reason="needs forked processes")


@pytest.fixture
def decode_process_killed_at_img_002(monkeypatch):
    """Decoding in processes, as for a CUDA GPU, one of which dies at img_002.png."""
    prepare_item = batching.prepare_item

    def prepare_or_die(index, path, prepare):
        if Path(path).name == "img_002.png" and multiprocessing.parent_process() is not None:
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer ends one
        return prepare_item(index, path, prepare)

    monkeypatch.setattr(api, "decode_in_processes", lambda device, workers: workers >= 2)
    monkeypatch.setattr(batching, "prepare_item", prepare_or_die)  # forked: the children's too


@pytest.mark.parametrize("command", ["label", "embed", "hubness"])
def test_a_run_whose_decode_processes_stopped_says_so(
    tmp_path, decode_process_killed_at_img_002, command
):
    write_images(tmp_path / "images", 6)
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n")
    where = ["-c", str(classes), "-o", str(tmp_path / "out.csv")]
    if command == "embed":
        where = ["-s", str(tmp_path / "store.zsl")]
    elif command == "hubness":
        where = ["-c", str(classes)]
    args = [command, str(tmp_path / "images"), *where, "-m", "shapes-demo", "-j", "2", "-b", "2"]

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "the decode processes stopped" in said and "decoded in threads" in said
    if command == "label":
        assert len((tmp_path / "out.csv").read_text().splitlines()) == 7  # every image labelled


def test_a_run_whose_decode_processes_ran_through_says_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(api, "decode_in_processes", lambda device, workers: workers >= 2)
    write_images(tmp_path / "images", 4)
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n")
    args = ["hubness", str(tmp_path / "images"), "-c", str(classes), "-m", "shapes-demo"]

    result = CliRunner().invoke(app, [*args, "-j", "2"])

    assert result.exit_code == 0, result.output
    assert "decode processes" not in result.stderr


def test_embed_says_each_warning_once_where_a_kept_root_came_before_the_stop(
    tmp_path, decode_process_killed_at_img_002
):
    # The kept-images warning is told as the run goes, the stop at its end: the CLI shows the
    # report's warnings after those it heard, so the report must list them in that order.
    store = tmp_path / "store.zsl"
    (tmp_path / "gone").mkdir()
    write_images(tmp_path / "gone", 2)
    base = ["embed", "--store", str(store), "-m", "shapes-demo", "-j", "2", "-b", "2"]
    first = CliRunner().invoke(app, [*base, str(tmp_path / "gone")], env={"NO_COLOR": "1"})
    assert first.exit_code == 0, first.output
    for image in (tmp_path / "gone").iterdir():
        image.unlink()
    write_images(tmp_path / "images", 6)

    result = CliRunner().invoke(app, [*base, str(tmp_path / "gone"), str(tmp_path / "images")])

    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert said.count("the decode processes stopped") == 1
    assert said.count("kept the 2 stored images") == 1, said
