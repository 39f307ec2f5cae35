"""Places of a ranking that name no class ("unknown", empty) are not a class ranked twice: only
a class written twice within the first k is warned of as a file edited since."""

from __future__ import annotations

import pytest

from tests.evaluation_helpers import predicted, touch
from zsl_cli.evaluation import evaluate, load_truth


@pytest.fixture
def photos(tmp_path):
    root = tmp_path / "photos"
    touch(root / "cat" / "a.jpg")
    touch(root / "dog" / "d.jpg")
    return root


def test_unknown_twice_within_the_first_k_is_no_class_ranked_twice(photos):
    predictions = [
        predicted(photos / "cat" / "a.jpg", "cat", ["cat", "unknown", "unknown", "dog"]),
        predicted(photos / "dog" / "d.jpg", "dog", ["dog", "cat", "", ""]),
    ]
    result = evaluate(predictions, load_truth(photos), ks=(1, 3))
    assert not any("twice" in warning for warning in result.warnings), result.warnings
