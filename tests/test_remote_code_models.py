"""A model whose classes come from code in its own folder loads with trust_remote_code, and
only with it."""

from __future__ import annotations

import json
import shutil
import textwrap

import numpy as np
import pytest

from zsl_cli.encoders import load_encoder
from zsl_cli.errors import ZslError


@pytest.fixture
def custom_clip(tiny_clip, tmp_path, monkeypatch):
    """The tiny CLIP under a model type of its own, whose classes its folder's code defines."""
    import transformers.dynamic_module_utils

    # transformers copies the folder's code into its modules cache: one of the test's own.
    monkeypatch.setattr(
        transformers.dynamic_module_utils, "HF_MODULES_CACHE", str(tmp_path / "modules")
    )
    model = shutil.copytree(tiny_clip, tmp_path / "custom-clip")
    (model / "configuration_custom.py").write_text(
        textwrap.dedent(
            """
            from transformers import CLIPConfig

            class CustomClipConfig(CLIPConfig):
                model_type = "zsl-custom-clip"
            """
        )
    )
    (model / "modeling_custom.py").write_text(
        textwrap.dedent(
            """
            from transformers import CLIPModel

            from .configuration_custom import CustomClipConfig

            class CustomClipModel(CLIPModel):
                config_class = CustomClipConfig
            """
        )
    )
    config = json.loads((model / "config.json").read_text())
    config.update(
        model_type="zsl-custom-clip",
        architectures=["CustomClipModel"],
        auto_map={
            "AutoConfig": "configuration_custom.CustomClipConfig",
            "AutoModel": "modeling_custom.CustomClipModel",
        },
    )
    (model / "config.json").write_text(json.dumps(config))
    return model


def test_a_model_with_its_own_code_loads_when_trusted(custom_clip, tiny_clip):
    with pytest.raises(ZslError) as info:
        load_encoder(str(custom_clip))
    assert info.value.message == (
        f"model {custom_clip} needs custom code from its repository; re-run with "
        "--trust-remote-code if you trust it"
    )
    encoder = load_encoder(str(custom_clip), trust_remote_code=True)
    assert type(encoder._model).__name__ == "CustomClipModel"
    plain = load_encoder(str(tiny_clip))
    assert encoder.head == plain.head
    np.testing.assert_allclose(
        encoder.encode_texts(["a red square"]), plain.encode_texts(["a red square"]), atol=1e-6
    )
