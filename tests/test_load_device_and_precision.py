"""The device and precision a load is asked for are the ones the model runs in: a precision's
dtype on the CPU, and a CUDA device that is not there refused in one line."""

from __future__ import annotations

import pytest
import torch

from zsl_cli.encoders import load_encoder
from zsl_cli.encoders.hf import pick_dtype
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    ("precision", "dtype"),
    [
        ("auto", torch.float32),
        ("fp32", torch.float32),
        ("fp16", torch.float16),
        ("bf16", torch.bfloat16),
        # As run info records them, which the refusal of any other name offers.
        ("float32", torch.float32),
        ("float16", torch.float16),
        ("bfloat16", torch.bfloat16),
    ],
)
def test_the_model_runs_in_the_precision_asked_for(precision, dtype):
    encoder = load_encoder("shapes-demo", device="cpu", precision=precision)
    assert encoder.dtype == dtype
    assert {p.dtype for p in encoder._model.parameters()} == {dtype}


@pytest.mark.parametrize(
    ("precision", "dtype"),
    [("fp16", torch.float16), ("float16", torch.float16), ("bfloat16", torch.bfloat16)],
)
def test_pick_dtype_takes_what_the_refusal_names(precision, dtype):
    assert pick_dtype(precision, torch.device("cpu")) == dtype


def test_a_precision_of_no_name_is_refused_by_the_load_as_by_the_options():
    with pytest.raises(ZslError) as info:
        load_encoder("shapes-demo", device="cpu", precision="half")
    assert info.value.message == (
        "--precision half: choose auto, fp32, fp16 or bf16 (or as run info records them: "
        "float32, float16, bfloat16)"
    )


def test_auto_is_the_cpu_where_there_is_no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    encoder = load_encoder("shapes-demo")
    assert (encoder.device, encoder.dtype) == (torch.device("cpu"), torch.float32)


@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_a_cuda_device_that_is_not_there_is_refused_in_one_line(monkeypatch, device):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ZslError) as info:
        load_encoder("shapes-demo", device=device)
    assert (
        info.value.message == f"--device {device}: no CUDA device is available (use --device cpu)"
    )
