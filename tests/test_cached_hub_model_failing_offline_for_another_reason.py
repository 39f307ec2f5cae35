"""A hub model whose files are all in the cache, loaded offline, that fails for a reason of its
own (an image processor class this transformers does not have) is told that reason: not that it is
not available offline, which a download would not fix."""

from __future__ import annotations

import json
import shutil

import pytest

from zsl_cli.encoders import load_encoder
from zsl_cli.errors import ZslError


def test_a_cached_model_failing_offline_for_another_reason_says_that_reason(
    tiny_clip, tmp_path, monkeypatch
):
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--acme--tiny-clip"
    snapshot = shutil.copytree(tiny_clip, repo / "snapshots" / commit)
    settings = json.loads((snapshot / "preprocessor_config.json").read_text())
    settings["image_processor_type"] = "AcmeNoSuchImageProcessor"
    (snapshot / "preprocessor_config.json").write_text(json.dumps(settings))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ZslError) as info:
        load_encoder("acme/tiny-clip")
    message = info.value.message
    assert message.startswith("cannot load the image processor of model acme/tiny-clip: "), message
    assert "not available offline" not in message
