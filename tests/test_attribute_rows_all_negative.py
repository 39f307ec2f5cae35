"""An attribute row whose every weight is negative (a class told by what it lacks) keeps its
signs: its weights are scaled by the largest in size, not by the largest, which is negative."""

from __future__ import annotations

import numpy as np

from zsl_cli.classes import parse_attributes
from zsl_cli.prompts import Templates, plan_prompts


def test_a_row_of_negative_weights_mixes_the_negated_mean_of_its_attributes() -> None:
    plan = plan_prompts(parse_attributes("class,red,round\nx,-1,-3\ny,1,3\n"), Templates("x", ()))
    assert plan.weights.tolist() == [-0.25, -0.75, 0.25, 0.75]
    # x is y negated: told apart, and scored in reverse.
    assert plan.identical_classes(np.arange(2)) == []
    text = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    np.testing.assert_array_equal(plan.class_vectors(text), [[-0.25, -0.75], [0.25, 0.75]])
