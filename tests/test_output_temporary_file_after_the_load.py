"""An output's temporary file is made once there is something to write, not as the output
opens before the model load: a load that a limit of the system ends natively (libgomp's
exit(1), an abort), where no cleanup runs, left a hidden `.NAME.XXXX.zsl-tmp` beside the
output. An output that cannot be written still fails at once, before the load."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

import zsl_cli
from tests.helpers import run, temp_files
from zsl_cli import files
from zsl_cli.errors import ZslError
from zsl_cli.files import open_sink

CHILD_TIMEOUT_S = 120


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    (tmp_path / "images").mkdir()
    Image.new("RGB", (50, 40), "red").save(tmp_path / "images" / "red.png")
    (tmp_path / "classes.txt").write_text("red\nblue\n")
    (tmp_path / "out").mkdir()
    return tmp_path


def label_ending_natively_in_the_load(world: Path, model: Path, *args: str):
    """`zsl label` in a process of its own whose model load ends as libgomp ends it: exit(1),
    no cleanup."""
    script = textwrap.dedent(
        f"""
        import os, sys
        from zsl_cli.encoders import hf
        hf.start_cpu_threads = lambda device: os._exit(1)
        sys.argv = ["zsl", "label", "images", "-c", "classes.txt", "-m", {str(model)!r},
                    "--device", "cpu", "-q", *{list(args)!r}]
        from zsl_cli.__main__ import main
        main()
        """
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env["PYTHONPATH"] = str(Path(zsl_cli.__file__).parents[1])  # this checkout's zsl
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=world,
        capture_output=True,
        text=True,
        env=env,
        timeout=CHILD_TIMEOUT_S,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("-o", "out/p.csv"),
        ("-o", "out/p.json", "-f", "label-studio", "--ls-config", "out/config.xml")
        + ("--ls-url-prefix", "https://example.com/"),
    ],
    ids=["predictions", "label-studio-config"],
)
def test_a_load_ended_natively_leaves_no_temporary_file(world, tiny_clip, args):
    result = label_ending_natively_in_the_load(world, tiny_clip, *args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert os.listdir(world / "out") == []


def test_an_output_that_cannot_be_made_still_fails_before_the_load(monkeypatch, world, tiny_clip):
    loads: list[str] = []
    monkeypatch.setattr(
        "zsl_cli.api.load_encoder", lambda *args, **kwargs: loads.append("load") or 1 / 0
    )
    (world / "out" / "taken").write_text("a file where a folder should be")
    out = world / "out" / "taken" / "p.csv"
    result = run("label", world / "images", "-c", world / "classes.txt", "-m", tiny_clip, "-o", out)
    assert result.exit_code == 2, result.output
    assert "cannot" in result.stderr and loads == []


def test_the_sink_makes_its_file_at_the_first_write(tmp_path):
    target = tmp_path / "p.csv"
    sink = open_sink(target)
    assert os.listdir(tmp_path) == []  # the probe made as it opened is gone
    sink.write(b"path,label\n")
    assert len(temp_files(tmp_path)) == 1
    sink.publish(None)
    assert os.listdir(tmp_path) == ["p.csv"]
    assert target.read_bytes() == b"path,label\n"


def test_a_sink_published_without_a_write_is_an_empty_file(tmp_path):
    target = tmp_path / "empty.txt"
    target.write_bytes(b"old")
    open_sink(target).publish(None)
    assert target.read_bytes() == b""
    assert os.listdir(tmp_path) == ["empty.txt"]


def test_a_sink_discarded_before_a_write_leaves_nothing(tmp_path):
    open_sink(tmp_path / "p.csv").discard()
    assert os.listdir(tmp_path) == []


def test_a_folder_that_takes_no_new_file_fails_as_the_sink_opens(monkeypatch, tmp_path):
    def refused(path, flags, mode=0o777):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied", os.fspath(path))

    monkeypatch.setattr(files.os, "open", refused)
    with pytest.raises(ZslError, match="cannot write .*Permission denied"):
        open_sink(tmp_path / "p.csv")
