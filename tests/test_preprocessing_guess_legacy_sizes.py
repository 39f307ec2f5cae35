"""The preprocessing guessed before torch loads, for a bare integer size under a processor
type with a Fast suffix, and for image settings nested in processor_config.json."""

from __future__ import annotations

import json
import shutil

from zsl_cli.encoders import guess_preprocessor, load_encoder


def test_a_legacy_integer_size_of_a_fast_processor_is_read_as_the_shortest_edge(
    tiny_clip, tmp_path
):
    model = shutil.copytree(tiny_clip, tmp_path / "legacy-fast")
    config = json.loads((model / "preprocessor_config.json").read_text())
    config.update(size=40, crop_size=32, image_processor_type="CLIPImageProcessorFast")
    (model / "preprocessor_config.json").write_text(json.dumps(config))
    guess = guess_preprocessor(str(model))
    assert guess is not None and guess == load_encoder(str(model)).preprocessor


def test_image_settings_nested_in_processor_config_are_guessed(tiny_clip, tmp_path):
    model = shutil.copytree(tiny_clip, tmp_path / "nested")
    settings = json.loads((model / "preprocessor_config.json").read_text())
    (model / "preprocessor_config.json").unlink()
    (model / "processor_config.json").write_text(json.dumps({"image_processor": settings}))
    guess = guess_preprocessor(str(model))
    assert guess is not None and guess == guess_preprocessor(str(tiny_clip))
