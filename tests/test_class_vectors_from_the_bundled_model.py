"""Class vectors of every class mode, built by zsl from the bundled model, against the model's
text features taken with transformers alone and mixed in numpy by the formulas of
the README: an ensemble is the renormalised mean of its normalised prompt embeddings, a class of
descriptors their plain mean, and an attribute row a weighted mean of its attributes' prompt
embeddings, weights divided by the sum of their sizes, neither renormalised."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zsl_cli import api
from zsl_cli.prompts import BUILTIN_TEMPLATES

MODEL = Path(api.__file__).parent / "models" / "shapes-demo"


@pytest.fixture(scope="module")
def encoder():
    return api.open_encoder(api.ModelOptions(name="shapes-demo", device="cpu"))


@functools.cache
def _reference() -> tuple[Any, Any]:
    from transformers import AutoModel, AutoTokenizer

    return AutoModel.from_pretrained(MODEL).eval(), AutoTokenizer.from_pretrained(MODEL)


def _features(prompts: list[str]) -> np.ndarray:
    """The prompts' text features, padded together in their order, L2-normalised in float64."""
    import torch

    model, tokenizer = _reference()
    with torch.no_grad():
        features = model.get_text_features(**tokenizer(prompts, padding=True, return_tensors="pt"))
    features = getattr(features, "pooler_output", features)  # transformers 5: an output
    array = features.numpy().astype(np.float64)
    return array / np.linalg.norm(array, axis=1, keepdims=True)


def _vectors(encoder, options: api.ClassOptions) -> np.ndarray:
    return api.build_classifier(*api.plan_classes(options), encoder).vectors


def test_template_ensembles_over_several_chunks_are_renormalised_means(encoder) -> None:
    # 3 x 80 prompts: more than one forward pass, sorted by length, so that each class's prompts
    # come in several chunks.
    classes = ["red circle", "green square", "star"]
    vectors = _vectors(encoder, api.ClassOptions(classes=classes, templates="imagenet80"))
    for name, vector in zip(classes, vectors, strict=True):
        mean = _features([t.format(name) for t in BUILTIN_TEMPLATES["imagenet80"]]).mean(axis=0)
        np.testing.assert_allclose(vector, mean / np.linalg.norm(mean), rtol=0, atol=2e-6)


def test_a_class_of_its_own_prompts_is_their_renormalised_mean(encoder, tmp_path: Path) -> None:
    class_file = tmp_path / "classes.txt"
    class_file.write_text("circle: a round shape; a {} drawn in blue; a round shape\nsquare\n")
    vectors = _vectors(encoder, api.ClassOptions(classes=str(class_file)))
    own = _features(["a round shape", "a circle drawn in blue"])
    mean = (2 * own[0] + own[1]) / 3  # a prompt given twice weighs twice
    np.testing.assert_allclose(vectors[0], mean / np.linalg.norm(mean), rtol=0, atol=2e-6)
    np.testing.assert_allclose(vectors[1], _features(["a photo of a square."])[0], atol=2e-6)


@pytest.mark.parametrize(
    ("template", "prompt"),
    [("{}, which has {}", "{name}, which has {d}"), ("{1} ({0})", "{d} ({name})")],
)
def test_a_class_of_descriptors_is_their_plain_mean(
    encoder, tmp_path: Path, template: str, prompt: str
) -> None:
    descriptors = {
        "circle": ["no corners", "a round edge", "one curved side"],
        "triangle": ["three corners", "three straight sides"],
    }
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(json.dumps(descriptors))
    options = api.ClassOptions(descriptions=str(descriptions), description_template=template)
    vectors = _vectors(encoder, options)
    for vector, (name, items) in zip(vectors, descriptors.items(), strict=True):
        expected = _features([prompt.format(name=name, d=d) for d in items]).mean(axis=0)
        np.testing.assert_allclose(vector, expected, rtol=0, atol=2e-6)
        assert np.linalg.norm(vector) < 0.999  # not renormalised


def test_attribute_rows_are_weighted_means_by_the_sum_of_sizes(encoder, tmp_path: Path) -> None:
    # A row of negative weights alone keeps its signs; a row of 0s leaves that attribute out.
    table = tmp_path / "attributes.csv"
    table.write_text("class,red,round,pointed\nx,2,1,0\ny,-1,0,-3\nz,0.5,-0.5,1\n")
    options = api.ClassOptions(attributes=str(table), attribute_template="a {} shape")
    vectors = _vectors(encoder, options)
    features = _features(["a red shape", "a round shape", "a pointed shape"])
    weights = np.array([[2, 1, 0], [-1, 0, -3], [0.5, -0.5, 1]], dtype=np.float64)
    expected = (weights / np.abs(weights).sum(axis=1, keepdims=True)) @ features
    np.testing.assert_allclose(vectors, expected, rtol=0, atol=2e-6)
