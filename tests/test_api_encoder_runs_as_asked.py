"""`encoder=` given to label, embed and hubness: a request naming the device or precision the
encoder already runs on or in (opened with auto) is no option ignored; another one is, and the
warning says what auto chose."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.helpers import write_images
from zsl_cli import api

MODEL = "shapes-demo"


@pytest.fixture(scope="module")
def encoder() -> api.Encoder:
    # auto, auto: on this machine's CPU (the tests run without a GPU), in float32.
    if torch.cuda.is_available():
        pytest.skip("auto picks the GPU here")
    return api.open_encoder(api.ModelOptions(name=MODEL))


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    write_images(tmp_path / "photos", 3)
    return tmp_path / "photos"


def _label(photos: Path, model: api.ModelOptions, encoder: api.Encoder) -> api.LabelReport:
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=(str(photos),)),
        classes=api.ClassOptions(classes=["red circle", "blue square"]),
        model=model,
        output=None,
    )
    return api.label(request, encoder=encoder)


@pytest.mark.parametrize(
    "model",
    [
        api.ModelOptions(name=MODEL, device="cpu", precision="fp32"),
        api.ModelOptions(name=MODEL, device="cpu:0", precision="float32"),
    ],
)
def test_a_request_naming_what_the_encoder_runs_on_is_not_warned_of(encoder, photos, model):
    # It said "--device cpu, --precision fp32: ... ignored (open_encoder again to use them)",
    # though the run ran on the CPU in float32: opening the encoder again changed nothing.
    report = _label(photos, model, encoder)
    assert report.warnings == []
    assert report.run_info["model"]["device"] == "cpu"
    assert report.run_info["model"]["precision"] == "float32"
    embedded = api.embed(
        api.EmbedRequest(
            store=str(photos.parent / "s.db"),
            inputs=api.InputOptions(paths=(str(photos),)),
            model=model,
        ),
        encoder=encoder,
    )
    assert embedded.warnings == []
    measured = api.hubness(
        api.HubnessRequest(
            inputs=api.InputOptions(paths=(str(photos),)),
            classes=api.ClassOptions(classes=["red circle", "blue square"]),
            model=model,
        ),
        encoder=encoder,
    )
    assert measured.warnings == ()


def test_a_request_naming_another_precision_is_told_what_the_encoder_runs_in(encoder, photos):
    model = api.ModelOptions(name=MODEL, device="cpu", precision="fp16")
    (warning,) = _label(photos, model, encoder).warnings
    assert warning == (
        "--precision fp16: the encoder given was opened with --precision auto (fp32) and runs "
        "so; ignored (open_encoder again to use it)"
    )
