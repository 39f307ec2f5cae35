"""The refusals of a truth label or a seen name that is a class written otherwise name the first
and count the others written so: none where it is the only one."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import check_truth_spelling, seen_class_names

CLASSES = ["red circle", "blue square", "green star"]


def test_one_truth_class_written_otherwise_is_named_alone():
    with pytest.raises(ZslError) as caught:
        check_truth_spelling(["Red Circle", "blue square"], CLASSES)
    message = str(caught.value)
    assert "the truth labels images 'Red Circle', which is no class" in message
    assert "other truth class" not in message
    assert "which no image could be labelled with; spell it 'red circle'" in message


def test_two_truth_classes_written_otherwise_count_the_second():
    with pytest.raises(ZslError) as caught:
        check_truth_spelling(["Red Circle", "blue_square"], CLASSES)
    message = str(caught.value)
    assert "the truth labels images 'Red Circle', which is no class" in message
    assert "which no image could be labelled with (1 other truth class is so); spell it" in message


def test_one_seen_name_written_otherwise_is_named_alone():
    with pytest.raises(ZslError) as caught:
        seen_class_names(["Red Circle", "green star"], CLASSES)
    message = str(caught.value)
    assert "the seen classes name 'Red Circle', which is no class" in message
    assert "other seen name" not in message


def test_two_seen_names_written_otherwise_count_the_second():
    with pytest.raises(ZslError) as caught:
        seen_class_names(["Red Circle", "Blue_Square"], CLASSES)
    assert "would count as unseen (1 other seen name is so); spell it" in str(caught.value)
