"""Where the one truth class of the evaluated images is none of the run's classes, every image
scores 0% whatever the model did: refused, as for several such classes."""

from __future__ import annotations

import pytest

from tests.evaluation_helpers import predicted, touch
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate, load_truth


def test_the_one_truth_class_outside_the_run_s_classes_is_refused(tmp_path):
    root = tmp_path / "truth"
    predictions = [
        predicted(touch(root / "cat" / f"{i}.jpg"), "dog", ["dog", "bird"]) for i in range(2)
    ]
    with pytest.raises(ZslError) as caught:
        evaluate(predictions, load_truth(root), ks=(1,), class_names=["dog", "bird"])
    assert (
        "no truth class of the 2 evaluated images is among the 2 classes the run labelled with"
        in str(caught.value)
    )
