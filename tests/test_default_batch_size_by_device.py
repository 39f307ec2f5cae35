"""The defaults that follow the device a model loaded on: a batch of 256 on a CUDA GPU (any of
them, "cuda:N"), else 16 (the CPU, Apple's MPS, an Encoder of a caller's own that does not say
where it runs); and whether this machine has an NVIDIA GPU to decode for, as "auto" guesses
before the model loads (WSL's /dev/dxg counts; CUDA_VISIBLE_DEVICES blank hides them)."""

from __future__ import annotations

import pytest

from zsl_cli import api

torch = pytest.importorskip("torch")


class Placed:
    """An encoder as far as the defaults look at it: where it runs."""

    def __init__(self, device: object) -> None:
        self.device = device


class Unplaced:
    """An Encoder of a caller's own, which need not say where it runs."""


@pytest.mark.parametrize(
    ("encoder", "batch_size"),
    [
        (Placed(torch.device("cuda")), 256),
        (Placed(torch.device("cuda", 1)), 256),
        (Placed("cuda:0"), 256),
        (Placed(torch.device("cpu")), 16),
        (Placed(torch.device("mps")), 16),
        (Placed(None), 16),
        (Unplaced(), 16),
    ],
)
def test_the_default_batch_size_follows_the_device_the_model_runs_on(encoder, batch_size):
    assert api._default_batch_size(encoder) == batch_size


def test_the_loaded_device_is_named_as_torch_names_it():
    assert api._loaded_device(Placed(torch.device("cuda", 1))) == "cuda:1"
    assert api._loaded_device(Placed(torch.device("cpu"))) == "cpu"
    assert api._loaded_device(Unplaced()) is None


def with_device_files(monkeypatch: pytest.MonkeyPatch, *present: str) -> None:
    monkeypatch.setattr(api.os.path, "exists", lambda path: path in present)


def test_wsl_s_gpu_device_counts_as_an_nvidia_gpu(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    with_device_files(monkeypatch, "/dev/dxg")
    assert api._has_nvidia_gpu()
    with_device_files(monkeypatch)
    assert not api._has_nvidia_gpu()


@pytest.mark.parametrize("hidden", [" ", " -1", "-1\n"])
def test_gpus_hidden_by_a_blank_or_padded_setting_are_no_gpu(monkeypatch, hidden):
    with_device_files(monkeypatch, "/dev/nvidiactl")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", hidden)
    assert not api._has_nvidia_gpu()
