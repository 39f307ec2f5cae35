"""zsl_cli.api as a notebook uses it: the size limit whatever the program set Pillow's to, a
request naming another model than the encoder given, and reading predictions back."""

from __future__ import annotations

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
