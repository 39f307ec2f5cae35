"""`--device auto` decodes in processes when the model ends up on a CUDA device, as `--device cuda`
does, and in threads when it ends up on the CPU, whatever the guess made before the load
(`api._has_nvidia_gpu`, from /dev/nvidiactl) said: a ROCm build of torch runs on "cuda" without
that file, and a machine may have it with a CPU-only torch.

The CUDA device is faked: the loaded encoder says it is on cuda:0 and computes on the CPU."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli import api, batching
from zsl_cli.batching import processes_available
from zsl_cli.cli import app

pytestmark = pytest.mark.skipif(not processes_available(), reason="needs forked processes")


class SaysItIsOn:
    """A loaded encoder that reports `device` as where it runs, and is otherwise the encoder."""

    def __init__(self, encoder: Any, device: torch.device) -> None:
        self.__dict__.update(_encoder=encoder, device=device)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._encoder, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._encoder, name, value)


@pytest.fixture
def queues(monkeypatch) -> list[bool]:
    """Whether each DecodeQueue started is in processes, in the order they start."""
    started: list[bool] = []
    init = batching.DecodeQueue.__init__

    def spied(self, *args, **kwargs):
        started.append(bool(kwargs.get("processes")))
        init(self, *args, **kwargs)

    monkeypatch.setattr(batching.DecodeQueue, "__init__", spied)
    return started


@pytest.mark.parametrize(
    ("nvidia_files", "loaded_on", "processes"),
    [
        (False, torch.device("cuda", 0), True),  # ROCm: /dev/kfd, no /dev/nvidiactl
        (True, torch.device("cpu"), False),  # /dev/nvidiactl, but a CPU-only torch
    ],
)
def test_auto_decodes_as_the_device_the_model_loaded_on_wants(
    tmp_path, monkeypatch, queues, nvidia_files, loaded_on, processes
):
    monkeypatch.setattr(api, "_has_nvidia_gpu", lambda: nvidia_files)
    open_encoder = api.open_encoder
    monkeypatch.setattr(api, "open_encoder", lambda m: SaysItIsOn(open_encoder(m), loaded_on))
    write_images(tmp_path / "images", 6)
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n")
    output = tmp_path / "labels.jsonl"
    args = ["label", str(tmp_path / "images"), "-c", str(classes), "-m", "shapes-demo"]

    result = CliRunner().invoke(app, [*args, "-o", str(output), "-f", "jsonl", "-j", "2"])

    assert result.exit_code == 0, result.output
    # The first queue decoded while the model loaded, as the guess said; the last one the run's.
    assert queues[0] is not processes
    assert queues[-1] is processes
    assert "decode processes" not in result.stderr
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(rows) == 6 and all(row["status"] == "ok" for row in rows)
    run_info = json.loads(Path(f"{output}.run.json").read_text())
    assert run_info["model"]["device"] == str(loaded_on)


def test_auto_keeps_the_early_decoding_where_the_guess_was_right(tmp_path, monkeypatch, queues):
    monkeypatch.setattr(api, "_has_nvidia_gpu", lambda: True)
    open_encoder = api.open_encoder
    cuda = torch.device("cuda", 0)
    monkeypatch.setattr(api, "open_encoder", lambda m: SaysItIsOn(open_encoder(m), cuda))
    write_images(tmp_path / "images", 6)
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n")
    args = ["label", str(tmp_path / "images"), "-c", str(classes), "-m", "shapes-demo", "-j", "2"]

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 0, result.output
    assert queues == [True]  # the images decoded during the load were not decoded again
