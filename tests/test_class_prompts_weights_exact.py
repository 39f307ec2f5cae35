"""`class_prompts()` gives each prompt's weight as README says it is, 1/n of a class's n templates,
prompts or descriptors, and an attribute's weight over the sum of its row's absolute values, as
Python floats: it gave the float32 values the scoring mixes with, widened (0.1428571492433548 for
1/7). The scoring's float32 weights are those same values rounded, as before."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.api import ClassOptions, class_prompts, plan_classes


def _weights(options: ClassOptions) -> dict[str, list[float]]:
    by_class: dict[str, list[float]] = {}
    for name, weight, _ in class_prompts(options).prompts:
        assert type(weight) is float
        by_class.setdefault(name, []).append(weight)
    return by_class


def _scoring_weights_are_these_in_float32(options: ClassOptions) -> None:
    given = [prompt.weight for prompt in class_prompts(options).prompts]
    _, plan = plan_classes(options)
    np.testing.assert_array_equal(plan.weights, np.asarray(given, dtype=np.float32))
    assert plan.weights.dtype == np.float32


def test_templates_weigh_one_over_their_number(tmp_path: Path) -> None:
    options = ClassOptions(classes=["cat", "dog"], templates="imagenet7")
    assert _weights(options) == {"cat": [1 / 7] * 7, "dog": [1 / 7] * 7}
    _scoring_weights_are_these_in_float32(options)


def test_own_prompts_and_descriptors_weigh_one_over_their_number(tmp_path: Path) -> None:
    classes = tmp_path / "c.txt"
    classes.write_text("cat: a cat; a kitten; a tabby cat\ndog\nbird\n", encoding="utf-8")
    described = tmp_path / "d.json"
    described.write_text(json.dumps({"dog": ["barks", "has fur"], "bird": ["flies"] * 3}))
    options = ClassOptions(classes=classes, descriptions=described)
    assert _weights(options) == {"cat": [1 / 3] * 3, "dog": [1 / 2] * 2, "bird": [1 / 3] * 3}
    _scoring_weights_are_these_in_float32(options)


def test_attributes_weigh_their_share_of_the_row(tmp_path: Path) -> None:
    rows = {"cat": [1.0, 0.0, -3.0, 0.7], "dog": [0.3, 0.3, 0.9, 0.0]}
    table = tmp_path / "a.csv"
    lines = [f"{name},{','.join(map(str, row))}" for name, row in rows.items()]
    table.write_text("class,furry,big,wild,pet\n" + "\n".join(lines) + "\n", encoding="utf-8")
    options = ClassOptions(attributes=table)
    weights = _weights(options)
    for name, row in rows.items():
        shares = [w / sum(map(abs, row)) for w in row if w]
        # Float64's rounding, not float32's (a relative error near 1e-8).
        assert weights[name] == pytest.approx(shares, rel=1e-14, abs=0)
    _scoring_weights_are_these_in_float32(options)
