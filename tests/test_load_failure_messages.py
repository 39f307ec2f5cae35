"""The exact line a failed load ends in: a hub model that is not at hand, other failures of its
parts, a limit of the system met by a part after the model, and weights that do not fit the
model (examples sorted, shapes and layers named)."""

from __future__ import annotations

import pytest

from zsl_cli.encoders import limits
from zsl_cli.encoders.base import ModelSource
from zsl_cli.encoders.loading import (
    _check_feature_heads,
    _check_parts,
    _check_weights,
    _load_failure,
    _load_failure_message,
)
from zsl_cli.errors import ZslError

HUB = ModelSource("acme/clip", "acme/clip", is_local=False)
OFFLINE = (
    "model acme/clip is not available offline (not in the Hugging Face cache and offline mode "
    "is set): download it once with network access (`hf download acme/clip`), or pass a local "
    "save_pretrained directory, or use a bundled model (shapes-demo)"
)


class RepositoryNotFoundError(Exception):
    pass


class ConnectError(Exception):
    pass


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.parametrize(
    "error",
    [
        OSError("We couldn't connect to 'https://huggingface.co' to load the files"),
        OSError("acme/clip is not the path to a directory containing a config.json"),
        OSError("cannot find the requested files in the disk cache"),
        OSError("outgoing traffic has been disabled: offline"),
        RepositoryNotFoundError("404 Client Error"),
        ConnectError("[Errno 111] Connection refused"),
    ],
)
def test_a_hub_model_not_at_hand_is_said_to_be_unavailable_offline(error):
    assert _load_failure_message(HUB, "model", error, False, None) == OFFLINE


def test_other_failures_of_a_hub_model_say_which_part_and_why():
    error = ValueError("Tokenizer class AcmeTokenizer does not exist")
    assert _load_failure_message(HUB, "tokenizer", error, False, None) == (
        "cannot load the tokenizer of model acme/clip: Tokenizer class AcmeTokenizer does not exist"
    )
    assert _load_failure_message(HUB, "model", ValueError("bad\n  weights"), False, None) == (
        "cannot load the model acme/clip: bad weights"
    )
    # Told that the cache lacks the part, whatever the words.
    assert _load_failure_message(HUB, "model", ValueError("bad weights"), True, None) == OFFLINE


def test_a_limit_of_the_system_met_by_the_tokenizer_names_the_part(monkeypatch):
    # With neither an address-space limit nor strict overcommit in force: the words of those
    # are the limit-in-force test file's.
    monkeypatch.setattr(limits, "address_space_limit", lambda: None)
    monkeypatch.setattr(limits, "overcommit_is_strict", lambda: False)
    source = ModelSource("shapes-demo", "/models/shapes-demo", is_local=True)
    assert _load_failure(source, "tokenizer", MemoryError(), False, None).message == (
        "cannot load the tokenizer of model shapes-demo: MemoryError (out of memory: check the "
        "container's memory limit)"
    )


LOCAL = ModelSource("m", "/models/m", is_local=True)


class Blip2Model:
    def __init__(self, architectures=None, keys=()):
        self.config = type("Config", (), {"architectures": architectures})()
        self._keys = keys

    def state_dict(self):
        return dict.fromkeys(self._keys)


def refusal(model, loading) -> str:
    with pytest.raises(ZslError) as info:
        _check_weights(LOCAL, model, loading)
    return info.value.message


def test_mismatched_weights_are_counted_with_the_first_by_name():
    loading = {"mismatched_keys": [("b.w", (2,), (3,)), ("a.w", (4, 5), ())]}
    assert refusal(Blip2Model(), loading) == (
        "model m: 2 weights in its checkpoint do not have the shape its config.json gives (e.g. "
        "a.w: 4 x 5 in the checkpoint, a single value in the model); are config.json and the "
        "weights from one model?"
    )


def test_missing_weights_are_counted_with_the_first_three_by_name():
    loading = {"missing_keys": ["d.w", "c.w", "a.w", "b.w"]}
    assert refusal(Blip2Model(), loading) == (
        "model m: 4 weights are missing from its checkpoint (e.g. a.w, b.w, c.w); is the weights "
        "file complete?"
    )


def test_missing_weights_of_a_checkpoint_of_another_class_name_that_class():
    loading = {"missing_keys": ["z.w", "y.w"]}
    assert refusal(Blip2Model(["Blip2ForImageTextRetrieval"]), loading) == (
        "model m is a Blip2ForImageTextRetrieval checkpoint, which zsl cannot use: its model "
        "type loads as Blip2Model, whose weights it lacks (2, e.g. y.w); zsl needs a model with "
        "image and text feature heads (CLIP, SigLIP)"
    )
    # Its own class: the file is what lacks them.
    assert refusal(Blip2Model(["Blip2Model"]), loading).startswith(
        "model m: 2 weights are missing from its checkpoint (e.g. y.w, z.w)"
    )


def test_unused_weights_are_refused_only_where_they_are_further_layers_of_a_stack():
    model = Blip2Model(keys=("encoder.layers.0.mlp.weight", "logit_scale"))
    unused = {"unexpected_keys": ["text_projection.bias", "head.weight"]}
    _check_weights(LOCAL, model, unused)  # heads of a larger class: left out
    deeper = {
        "unexpected_keys": [
            "head.weight",
            "encoder.layers.3.mlp.weight",
            "encoder.layers.2.mlp.weight",
        ]
    }
    assert refusal(model, deeper) == (
        "model m: 2 weights in its checkpoint are of layers its config.json does not have (e.g. "
        "encoder.layers.2.mlp.weight); are config.json and the weights from one model?"
    )


class ImageTower:
    def get_image_features(self, pixel_values):
        return pixel_values


class TextTower:
    def get_text_features(self, input_ids):
        return input_ids


@pytest.mark.parametrize("tower", [ImageTower, TextTower])
def test_a_model_with_one_feature_head_of_the_two_is_refused(tower):
    with pytest.raises(ZslError) as info:
        _check_feature_heads("m", tower())
    assert info.value.message == (
        f"model m ({tower.__name__}) has no image and text feature heads; zsl needs a dual "
        "encoder such as CLIP or SigLIP"
    )


class NaflexLikeProcessor:
    """The inputs of SigLIP2's NaFlex processor, but no max_num_patches to pad them to."""

    model_input_names = ["pixel_values", "pixel_attention_mask", "spatial_shapes"]
    max_num_patches = None
    patch_size = 16


def test_patches_without_a_number_to_pad_them_to_are_variable_resolution():
    with pytest.raises(ZslError) as info:
        _check_parts("m", Blip2Model(), list(range(1000)), NaflexLikeProcessor())
    assert info.value.message == (
        "model m (Blip2Model) takes images with pixel_attention_mask, spatial_shapes (variable "
        "resolution), which zsl does not support; use a fixed-resolution model"
    )
