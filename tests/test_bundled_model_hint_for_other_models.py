"""A hub model not available offline is told which bundled models there are, and pointed at one
only where its name is a near-miss of it: a hub id that merely shares a word with a bundled
model's name (acme/shapes beside shapes-demo) is another model."""

from __future__ import annotations

import pytest

from zsl_cli.encoders import load_encoder
from zsl_cli.errors import ZslError


@pytest.fixture
def offline_empty_cache(monkeypatch, tmp_path):
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))


def _refusal(name: str) -> str:
    with pytest.raises(ZslError) as info:
        load_encoder(name)
    return info.value.message


def test_a_hub_id_sharing_a_word_with_a_bundled_model_is_not_pointed_at_it(offline_empty_cache):
    message = _refusal("acme/shapes")
    assert "model acme/shapes is not available offline" in message
    assert message.endswith("or use a bundled model (shapes-demo)")


def test_a_near_miss_of_a_bundled_models_name_is_pointed_at_it(offline_empty_cache):
    assert _refusal("acme/shapes-demo").endswith(
        "or use a bundled model (did you mean shapes-demo?)"
    )
