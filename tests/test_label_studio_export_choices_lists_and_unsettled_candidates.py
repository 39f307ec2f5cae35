"""label_studio_export on choices written other than as Label Studio writes them (a string, not
a list: its letters are no classes), and, before the predictions' classes are read, the
controls that may hold the classes: those answered, and the one the predictions fill though no
annotation answers it yet."""

from __future__ import annotations

import pytest

from zsl_cli.truth_exports import UnsettledControl, label_studio_export


def choices(control: str, chosen: object) -> dict:
    return {
        "from_name": control,
        "to_name": "image",
        "type": "choices",
        "value": {"choices": chosen},
    }


def task(number: int, answer: dict, predictions: list[dict] | None = None) -> dict:
    return {
        "id": number,
        "data": {"image": f"/data/local-files/?d=photos/{number}.png"},
        "annotations": [{"id": number, "result": [answer]}],
        "predictions": predictions or [],
    }


def test_choices_written_as_a_string_choose_no_class() -> None:
    export = [task(1, choices("label", ["cat"])), task(2, choices("label", "dog"))]
    truth = label_studio_export(export, "export.json", ["cat", "dog"], class_key=str)
    assert [(image.task, image.label) for image in truth.images] == [(1, "cat")]
    assert truth.warnings == (
        "1 task of export.json has annotations, but none choosing a class in 'label' (e.g. "
        "task 2): no ground truth, left out",
    )


def test_the_control_the_predictions_fill_is_a_candidate_though_unanswered() -> None:
    predicted = {"result": [choices("label", ["cat"])]}
    export = [task(1, choices("quality", ["blurry"]), [predicted])]
    with pytest.raises(UnsettledControl) as error:
        label_studio_export(export, "export.json", None, class_key=str)
    assert error.value.candidates == ("label", "quality")
