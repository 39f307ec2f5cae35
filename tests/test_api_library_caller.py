"""zsl_cli.api as a notebook uses it: the size limit whatever the program set Pillow's to, a
request naming another model than the encoder given, and reading predictions back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import PIL.Image
import pytest

from tests.helpers import write_images
from zsl_cli import api


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    for index, name in enumerate(("cat", "dog")):
        write_images(tmp_path / "photos" / name, 2, seed=index)
    return tmp_path / "photos"


def _labelling(paths: tuple[str, ...], model: api.ModelOptions) -> api.LabelRequest:
    return api.LabelRequest(
        inputs=api.InputOptions(paths=paths),
        classes=api.ClassOptions(classes=["cat", "dog"]),
        model=model,
        output=None,
    )


def test_the_size_limit_is_pillows_default_whatever_the_program_set_pillows_to(
    tiny_clip, photos, monkeypatch
):
    # As InputOptions.max_pixels and the README say: None is 89.5 MP, not the program's setting.
    huge = photos.parent / "huge.png"
    PIL.Image.new("1", (10_000, 9_000)).save(huge)  # 90 MP, over 89.5
    small = next((photos / "cat").iterdir())
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip)))
    monkeypatch.setattr(PIL.Image, "MAX_IMAGE_PIXELS", None)  # the program lifted Pillow's check
    report = api.label(_labelling((str(huge),), api.ModelOptions()), encoder=encoder)
    assert report.predictions[0].status == "too_large"
    monkeypatch.setattr(PIL.Image, "MAX_IMAGE_PIXELS", 10)  # lower than any image
    report = api.label(_labelling((str(small),), api.ModelOptions()), encoder=encoder)
    assert report.predictions[0].status == "ok"


def test_a_request_naming_another_model_than_the_encoder_given_is_warned_of(tiny_clip, photos):
    # A notebook changed the request's ModelOptions and forgot to open the encoder again: the
    # encoder runs as it was loaded, which the run did without a word.
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip)))
    other = api.ModelOptions(name="shapes-demo", precision="fp16", exact_preprocessing=True)
    heard: list[str] = []
    report = api.label(_labelling((str(photos),), other), encoder=encoder, warn=heard.append)
    assert len(heard) == 1
    assert heard[0] in report.warnings
    assert "--model shapes-demo, --precision fp16, --exact-preprocessing:" in heard[0]
    assert str(tiny_clip) in heard[0] and "ignored" in heard[0]
    # An option the encoder was opened without is said so, not in Python's words.
    assert "no --exact-preprocessing" in heard[0] and "False" not in heard[0]
    assert heard[0].endswith("ignored (open_encoder again to use them)"), heard[0]
    assert report.run_info["model"]["name"] != "shapes-demo"


@pytest.mark.parametrize(
    "model",
    [
        api.ModelOptions(),  # the defaults: nothing named
        api.ModelOptions(batch_size=2, workers=1),  # the pace applies with an encoder
        api.ModelOptions(name="SAME", precision="fp32"),  # as the encoder was opened
    ],
)
def test_a_request_naming_the_encoders_model_or_none_is_not_warned_of(tiny_clip, photos, model):
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip), precision="fp32"))
    if model.name == "SAME":
        model = api.ModelOptions(name=str(tiny_clip), precision="fp32")
    heard: list[str] = []
    report = api.label(_labelling((str(photos),), model), encoder=encoder, warn=heard.append)
    assert heard == [] and report.warnings == []


def test_embed_and_hubness_warn_of_a_request_naming_another_model(tiny_clip, photos):
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip)))
    other = api.ModelOptions(name="shapes-demo")
    heard: list[str] = []
    embedded = api.embed(
        api.EmbedRequest(
            inputs=api.InputOptions(paths=(str(photos),)),
            store=str(photos.parent / "store.db"),
            model=other,
        ),
        encoder=encoder,
        warn=heard.append,
    )
    assert len(heard) == 1 and "--model shapes-demo:" in heard[0]
    assert heard[0].endswith("ignored (open_encoder again to use it)"), heard[0]
    assert heard[0] in embedded.warnings
    heard.clear()
    report = api.hubness(
        api.HubnessRequest(
            inputs=api.InputOptions(paths=(str(photos),)),
            classes=api.ClassOptions(classes=["cat", "dog"]),
            model=other,
        ),
        encoder=encoder,
        warn=heard.append,
    )
    assert len(heard) == 1 and "--model shapes-demo:" in heard[0]
    assert heard[0] in report.warnings


def test_predictions_written_are_read_back_through_the_api(tiny_clip, photos):
    # Reading back is what zsl evaluate does; a caller had to find zsl_cli.readers for it.
    namespace: dict = {}
    exec("from zsl_cli.api import *", namespace)
    for name in ("read_predictions", "ClassificationMetrics", "GzslResult", "ClassStats"):
        assert name in namespace
    written = photos.parent / "p.jsonl"
    request = _labelling((str(photos),), api.ModelOptions(name=str(tiny_clip)))
    kept = api.label(request).predictions
    api.label(replace(request, output=api.OutputOptions(path=str(written))))
    read = namespace["read_predictions"](written)
    assert [(p.path, p.label, p.status) for p in read] == [
        (p.path, p.label, p.status) for p in kept
    ]
    # Written with 7 significant digits, as the README says; kept unrounded.
    assert [p.score for p in read] == [float(f"{p.score:.7g}") for p in kept]
