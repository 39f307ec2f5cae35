"""A prompt plan's texts, mix and fingerprint, and the class vectors it makes, checked against
values worked out apart from it (struct and hashlib, numpy sums written out)."""

from __future__ import annotations

import hashlib
import struct

import numpy as np

from zsl_cli.classes import parse_attributes, parse_classes, parse_descriptions
from zsl_cli.prompts import Templates, plan_prompts, uses_templates


def test_the_fingerprint_is_a_hash_of_the_texts_and_the_whole_mix() -> None:
    plan = plan_prompts(
        parse_classes("cat\ndog: a dog; a puppy\n"), Templates("x", ("a {}.", "art of {}"))
    )
    assert plan.texts == ("a cat.", "art of cat", "a dog", "a puppy")
    digest = hashlib.sha256(b'["a cat.", "art of cat", "a dog", "a puppy"]')
    digest.update(struct.pack("<4q", 0, 0, 1, 1))  # classes
    digest.update(struct.pack("<4q", 0, 1, 2, 3))  # prompts
    digest.update(struct.pack("<4f", 0.5, 0.5, 0.5, 0.5))  # weights
    digest.update(bytes([1, 1]))  # both renormalised
    assert plan.fingerprint() == digest.hexdigest()[:16]


def test_the_fingerprint_tells_a_renormalised_mix_from_a_plain_one_of_the_same_weights() -> None:
    # One prompt each, weight 1: an ensemble of one and a description of one differ only in
    # renormalising.
    ensemble = plan_prompts(parse_classes("cat: cat, which has fur\n"), Templates("x", ()))
    described = plan_prompts(parse_descriptions('{"cat": ["fur"]}'), Templates("x", ()))
    assert ensemble.texts == described.texts == ("cat, which has fur",)
    assert ensemble.weights.tolist() == described.weights.tolist() == [1.0]
    assert ensemble.fingerprint() != described.fingerprint()


def test_attribute_rows_of_opposite_signs_are_told_apart() -> None:
    # x weighs red 0.75 and round -0.25, y the opposite: a plain weighted mean is not
    # renormalised, so y's vector is -x's, and the model scores them in reverse.
    plan = plan_prompts(parse_attributes("class,red,round\nx,3,-1\ny,-3,1\n"), Templates("x", ()))
    assert plan.weights.tolist() == [0.75, -0.25, -0.75, 0.25]
    assert plan.identical_classes(np.arange(2)) == []
    text = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    np.testing.assert_array_equal(plan.class_vectors(text), [[0.75, -0.25], [-0.75, 0.25]])


def test_templates_are_used_by_classes_with_neither_prompts_nor_descriptors() -> None:
    assert uses_templates(parse_classes("cat\ndog: a dog\n"))
    assert not uses_templates(parse_classes("cat: a cat\ndog: a dog\n"))
    assert not uses_templates(parse_descriptions('{"cat": ["fur"]}'))
    assert not uses_templates(parse_attributes("class,red\ncat,1\n"))
