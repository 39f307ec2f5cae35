"""Prompt ensembles whose prompts the model reads alike: the class is that of one of them. The
test fails with a small change to the code that would move such a tie."""

from __future__ import annotations

import numpy as np

from zsl_cli.classes import parse_classes
from zsl_cli.prompts import Templates, plan_prompts


def test_an_ensemble_of_prompts_read_alike_is_the_class_of_one_of_them():
    # 41 templates the model reads alike (a tokenizer that lowercases) make one text of weight
    # 41 x float32(1/41), which is not 1 in float32: the class is still the mean of one text,
    # the same as a class of that text alone, and the two must tie to the bit and be warned of.
    templates = tuple(f"a photo of {'A' * i}{'a' * (40 - i)} {{}}." for i in range(41))
    assert len(set(templates)) == 41
    plan = plan_prompts(parse_classes("cat\ndog: a photo of aaa cat.\n"), Templates("x", templates))
    assert len(plan.texts) == 42
    weights = plan.weights[plan.classes == 0].astype(np.float64)
    assert np.float32(weights.sum()) != np.float32(1.0)  # the case this test is about
    # Every text reads as one: as a lowercasing tokenizer encodes them.
    alike = np.zeros(len(plan.texts), dtype=np.int64)
    assert plan.identical_classes(alike) == [[0, 1]]
    # Read apart, the two classes are apart.
    assert plan.identical_classes(np.arange(len(plan.texts))) == []
