"""Seen/unseen accuracy where truth classes are outside the run's classes: each counts at 0% on
the side the seen list puts it, and a note says on which side or sides."""

from __future__ import annotations

import pytest

from tests.evaluation_helpers import predicted, touch
from zsl_cli.evaluation import evaluate, load_truth


def test_classes_outside_the_run_on_both_sides_are_counted_at_zero_on_each(tmp_path):
    # The run chose from A (seen) and U (unseen). S (seen) and N (unseen) are truth classes it
    # lacked: their images, labelled A and U, can never be right.
    root = tmp_path / "t"
    labels = {"A": "A", "U": "U", "S": "A", "N": "U"}
    predictions = [
        predicted(touch(root / true / "1.jpg"), label, [label, "U" if label == "A" else "A"])
        for true, label in labels.items()
    ]
    result = evaluate(
        predictions, load_truth(root), ks=(1,), seen=["A", "S"], class_names=["A", "U"]
    )
    gzsl = result.gzsl
    assert gzsl.seen_classes == ("A", "S") and gzsl.unseen_classes == ("N", "U")
    # Seen: (A 1 + S 0) / 2; unseen: (N 0 + U 1) / 2; H = 2 * 0.25 / 1.
    assert (gzsl.seen, gzsl.unseen) == (0.5, 0.5)
    assert gzsl.harmonic_mean == pytest.approx(0.5)
    assert (
        "2 truth classes are not among the run's classes, so no image could be labelled with "
        "them, and counted at 0% in the seen and unseen accuracy and H (leave their images out "
        "of the truth to measure the run's own classes): N, S"
    ) in gzsl.notes


def test_a_seen_class_outside_the_run_is_said_to_lower_the_seen_side(tmp_path):
    root = tmp_path / "t"
    labels = {"A": "A", "U": "U", "S": "A"}
    predictions = [
        predicted(touch(root / true / "1.jpg"), label, [label, "U" if label == "A" else "A"])
        for true, label in labels.items()
    ]
    result = evaluate(
        predictions, load_truth(root), ks=(1,), seen=["A", "S"], class_names=["A", "U"]
    )
    gzsl = result.gzsl
    assert (gzsl.seen, gzsl.unseen) == (0.5, 1.0)
    assert gzsl.harmonic_mean == pytest.approx(2 * 0.5 / 1.5)
    assert any("counted at 0% in the seen accuracy and H" in note for note in gzsl.notes), gzsl
