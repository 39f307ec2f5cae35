"""The preprocessing guessed from a model folder's saved settings before the load: a bare
`"size": N` of an older config is a shortest-edge resize for CLIP's processor and an N x N one
for the others, as transformers reads it (else the images decoded while the model loads are
decoded again)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zsl_cli.encoders import guess_preprocessor


def _folder(tmp_path: Path, kind: str, **settings: object) -> Path:
    folder = tmp_path / kind
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    saved = {"image_processor_type": kind, "size": 224, **settings}
    (folder / "preprocessor_config.json").write_text(json.dumps(saved))
    return folder


@pytest.mark.parametrize("kind", ["SiglipImageProcessor", "SiglipImageProcessorFast"])
def test_a_bare_size_of_another_processor_is_a_square_resize(tmp_path, kind):
    guess = guess_preprocessor(_folder(tmp_path, kind))
    assert guess is not None
    assert (guess.shortest_edge, guess.resize_to, guess.crop) == (None, (224, 224), None)


def test_a_bare_size_of_clip_is_its_shortest_edge(tmp_path):
    folder = _folder(tmp_path, "CLIPImageProcessor", do_center_crop=True, crop_size=224)
    guess = guess_preprocessor(folder)
    assert guess is not None
    assert (guess.shortest_edge, guess.resize_to, guess.crop) == (224, None, (224, 224))
