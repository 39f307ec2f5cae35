"""The rules `zsl_cli.truth_exports` reads a Label Studio export by, edge by edge: which lists are
exports at all, which data values are an image's URL, which keys of a JSON_MIN record are the
task's data, which control holds the classes, and what the warnings and refusals of the tasks left
out say. The exports are built here in the shapes label-studio 1.23.2 writes them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.truth_exports import ExportedTruth, label_studio_export

ROOT = Path(__file__).resolve().parent.parent  # the repository, whose zsl_cli the locale runs
CONTROL = "choice"
WHERE = "export.json"


def _key(choice: str) -> str:
    return choice.casefold()


def read(value: Any, classes: Any = ("cat", "dog")) -> ExportedTruth | None:
    return label_studio_export(value, WHERE, classes, class_key=_key)


def truth(value: Any, classes: Any = ("cat", "dog")) -> ExportedTruth:
    exported = read(value, classes)
    assert exported is not None
    return exported


def refusal(value: Any, classes: Any = ("cat", "dog")) -> str:
    with pytest.raises(ZslError) as caught:
        read(value, classes)
    return str(caught.value)


def result(choices: list[str], control: str = CONTROL, to_name: str = "image") -> dict:
    value = {"choices": choices}
    return {"from_name": control, "to_name": to_name, "type": "choices", "value": value}


def annotation(*results: dict, **fields: Any) -> dict:
    base = {"id": 1, "result": list(results), "was_cancelled": False, "ground_truth": False}
    return {**base, **fields}


def task(task_id: int, data: dict, *annotations: dict, **fields: Any) -> dict:
    base = {"id": task_id, "data": data, "annotations": list(annotations), "predictions": []}
    return {**base, **fields}


def chose(task_id: int, data: dict, choice: str, **fields: Any) -> dict:
    """A JSON export's task annotated once with this choice."""
    return task(task_id, data, annotation(result([choice])), **fields)


def record(task_id: int, data: dict, choice: Any, annotation_id: Any = None, **fields: Any) -> dict:
    """A JSON_MIN export's record of one annotation."""
    answer = {} if choice is None else {CONTROL: choice}
    number = task_id if annotation_id is None else annotation_id
    return {**data, "id": task_id, **answer, "annotator": 1, "annotation_id": number, **fields}


def images(exported: ExportedTruth) -> list[tuple[object, str, str]]:
    return [(image.task, image.image, image.label) for image in exported.images]


# Which lists are exports ------------------------------------------------------------------


def test_a_list_holding_other_values_than_objects_is_no_export() -> None:
    assert read([{"id": 1, "annotation_id": 1, CONTROL: "cat", "image": "a.jpg"}, 3]) is None
    assert read([chose(1, {"image": "a.jpg"}, "cat"), "a.jpg"]) is None


def test_records_with_an_annotation_id_but_no_task_id_are_no_json_min_export() -> None:
    assert read([{"annotation_id": 1, CONTROL: "cat", "image": "a.jpg"}]) is None


def test_json_min_records_mixed_with_json_tasks_are_no_export() -> None:
    value = [record(1, {"image": "a.jpg"}, "cat"), chose(2, {"image": "b.jpg"}, "dog")]
    assert read(value) is None


def test_json_tasks_beside_objects_without_data_are_no_export() -> None:
    assert read([chose(1, {"image": "a.jpg"}, "cat"), {"image": "b.jpg", "label": "dog"}]) is None


# Which data values are an image's URL -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "HTTPS://example.com/photo?id=1",  # a scheme is read in either case
        "Http://example.com/photo?id=1",
        "azure-blob://container/photo",
        "S3://bucket/photo",
        "/data/local-files/?d=photos/cat",  # Label Studio's own files: no extension needed
        "/DATA/upload/3/0a27f7e1-photo",
    ],
)
def test_a_url_without_an_image_extension_is_the_image_by_its_scheme(url: str) -> None:
    exported = truth([chose(1, {"img": url, "note": "taken at noon"}, "cat")])
    assert images(exported) == [(1, url, "cat")]
    assert exported.images[0].url == url and not exported.images[0].zsl_path


def test_a_url_without_an_image_extension_is_no_json_min_answer() -> None:
    url = "azure-blob://container/photo"
    exported = truth([record(1, {"img": url}, "cat")])
    assert images(exported) == [(1, url, "cat")]


# Which keys of a JSON_MIN record are the task's data ----------------------------------------


def test_the_agreement_label_studio_enterprise_writes_is_no_data_key() -> None:
    message = refusal([record(1, {}, "cat", agreement=100.0)])
    assert "its data has no image (no 'zsl_path' nor 'image' key, and no other key)" in message
    assert "agreement" not in message


# Tasks without annotations, skipped ones, reviewed ones ------------------------------------


def test_a_task_without_the_annotations_key_beside_annotated_ones_is_left_out() -> None:
    exported = truth([chose(1, {"image": "a.jpg"}, "cat"), {"id": 2, "data": {"image": "b.jpg"}}])
    assert images(exported) == [(1, "a.jpg", "cat")]
    assert exported.warnings == (
        f"1 task of {WHERE} has no annotation (e.g. task 2): no ground truth, left out",
    )


def test_an_annotation_skipped_as_older_label_studio_versions_mark_it_counts_as_skipped() -> None:
    skipped = annotation(result(["dog"]), skipped=True)
    del skipped["was_cancelled"]
    exported = truth([chose(1, {"image": "a.jpg"}, "cat"), task(2, {"image": "b.jpg"}, skipped)])
    assert images(exported) == [(1, "a.jpg", "cat")]
    assert exported.warnings == (
        f"1 task of {WHERE} has no annotation, only a skipped one (task 2): no ground "
        "truth, left out",
    )


def test_a_star_on_an_annotation_answering_another_control_settles_nothing() -> None:
    starred = annotation(result(["blurry"], "quality"), ground_truth=True)
    exported = truth([task(1, {"image": "a.jpg"}, annotation(result(["cat"])), starred)])
    assert images(exported) == [(1, "a.jpg", "cat")]


@pytest.mark.parametrize("star", ["true", 1, "yes"])
def test_only_a_boolean_star_marks_the_ground_truth(star: object) -> None:
    first = annotation(result(["cat"]), ground_truth=star)
    disputed = task(1, {"image": "a.jpg"}, first, annotation(result(["dog"])))
    exported = truth([disputed, chose(2, {"image": "b.jpg"}, "dog")])
    assert images(exported) == [(2, "b.jpg", "dog")]
    assert "annotations that disagree (e.g. task 1: 'cat' and 'dog')" in exported.warnings[0]


# Which control holds the classes, and which data key its results name ------------------------


def test_the_classes_zsl_recorded_in_the_tasks_tell_the_control_too() -> None:
    value = [
        task(
            number,
            {"image": f"{name}.jpg", "zsl_label": label},
            annotation(result([label]), result(["sharp"], "quality")),
        )
        for number, (name, label) in enumerate([("a", "cat"), ("b", "dog")], start=1)
    ]
    # The predictions name other classes than those zsl wrote the tasks with.
    exported = truth(value, classes=("bird",))
    assert images(exported) == [(1, "a.jpg", "cat"), (2, "b.jpg", "dog")]


def test_a_control_whose_results_name_several_tags_names_no_data_key() -> None:
    data = {"front": "photos/a.jpg", "back": "photos/b.jpg"}
    value = [
        task(1, data, annotation(result(["cat"], to_name="front"))),
        task(2, data, annotation(result(["dog"], to_name="back"))),
    ]
    assert refusal(value) == (
        f"{WHERE}, task 1: its data keys 'back' and 'front' could each hold its image: give a "
        "path,label CSV of the images' paths as the ground truth"
    )


def test_the_data_key_is_the_one_the_class_control_names_not_another_controls() -> None:
    data = {"img": "photos/a.jpg", "thumb": "photos/a_small.jpg"}
    answered = annotation(result(["cat"], to_name="img"), result(["sharp"], "quality", "thumb"))
    assert images(truth([task(1, data, answered)])) == [(1, "photos/a.jpg", "cat")]


def test_the_data_key_a_prediction_names_is_the_image_though_its_control_is_unanswered() -> None:
    data = {"img": "photos/a.jpg", "thumb": "photos/a_small.jpg"}
    prediction = {"model_version": "zsl", "result": [result(["cat"], to_name="img")]}
    value = [
        task(1, data, annotation(result(["sharp"], "quality", "thumb")), predictions=[prediction])
    ]
    # The task is read (its image found), then left out as no annotation chose its class.
    assert refusal(value) == (
        f"{WHERE}: no task gives one class to score against (1 without a class in '{CONTROL}')"
    )


@pytest.mark.parametrize("cancelled", ["false", 0, None])
def test_only_a_boolean_true_marks_an_annotation_skipped(cancelled: object) -> None:
    kept = annotation(result(["cat"]), was_cancelled=cancelled)
    assert images(truth([task(1, {"image": "a.jpg"}, kept)])) == [(1, "a.jpg", "cat")]


def test_annotations_listed_as_other_values_than_objects_are_passed_over() -> None:
    value = [task(1, {"image": "a.jpg"}, 7, annotation(result(["cat"])))]  # type: ignore[arg-type]
    assert images(truth(value)) == [(1, "a.jpg", "cat")]


def test_results_of_no_control_name_or_choices_not_strings_are_passed_over() -> None:
    nameless = {"to_name": "image", "type": "choices", "value": {"choices": ["dog"]}}
    answered = annotation(nameless, result(["cat", 3]))  # type: ignore[list-item]
    assert images(truth([task(1, {"image": "a.jpg"}, answered)])) == [(1, "a.jpg", "cat")]


@pytest.mark.parametrize("choices", ["dog", 3, 1e308, {"dog": 1}, None])
def test_choices_not_a_list_are_no_answer(choices: object) -> None:
    # Label Studio writes a list: a string's letters were several choices, a dict's keys a class,
    # and a number ended in a TypeError (exit 70).
    odd = {**result([]), "value": {"choices": choices}}
    value = [task(1, {"image": "a.jpg"}, annotation(odd)), chose(2, {"image": "b.jpg"}, "cat")]
    exported = truth(value)
    assert images(exported) == [(2, "b.jpg", "cat")]
    assert exported.warnings == (
        f"1 task of {WHERE} has annotations, but none choosing a class in '{CONTROL}' (e.g. "
        "task 1): no ground truth, left out",
    )


def predicted(*results: dict) -> dict:
    return {"id": 9, "model_version": "zsl", "score": 0.8, "result": list(results)}


def test_the_control_a_listed_prediction_fills_is_the_class_one() -> None:
    # Both controls' answers are among the classes: only the prediction tells which one is.
    answered = annotation(result(["cat"]), result(["dog"], "second_opinion"))
    value = [task(1, {"image": "a.jpg"}, answered, predictions=[predicted(result(["dog"]))])]
    assert images(truth(value)) == [(1, "a.jpg", "cat")]


@pytest.mark.parametrize("label", [None, 3])
def test_a_recorded_label_not_a_string_is_no_class(label: object) -> None:
    # No class known: the one control answered is the class one.
    value = [chose(1, {"image": "a.jpg", "zsl_label": label}, "cat")]
    assert images(truth(value, classes=())) == [(1, "a.jpg", "cat")]


OTHER_CONTROLS = ["quality", "zz", "a", "verdict", "b2", "rating", "x", "mood", "q", "tag"]


def test_several_controls_that_predictions_fill_are_told_apart_by_the_classes() -> None:
    # Which control a set of names yields first varies with the names (and the run): each pair
    # must still give the control whose answers are the classes.
    for other in OTHER_CONTROLS:
        answered = annotation(result(["cat"]), result(["blurry"], other))
        filled = predicted(result(["cat"]), result(["sharp"], other))
        value = [task(1, {"image": "a.jpg"}, answered, predictions=[filled])]
        assert images(truth(value)) == [(1, "a.jpg", "cat")], other


def test_several_predicted_controls_none_answered_are_refused() -> None:
    for other in OTHER_CONTROLS:
        answered = annotation(result(["sharp"], "quality_" + other))
        filled = predicted(result(["cat"]), result(["dog"], other))
        value = [task(1, {"image": "a.jpg"}, answered, predictions=[filled])]
        assert refusal(value).startswith(
            f"{WHERE}: no task gives one class to score against: its annotations answer only "
            f"'quality_{other}' (sharp), and none of its answers is a class"
        )


def test_an_answered_control_holding_the_classes_wins_over_a_predicted_one_not_answered() -> None:
    answered = annotation(result(["cat"], "verdict"))
    value = [task(1, {"image": "a.jpg"}, answered, predictions=[predicted(result(["dog"]))])]
    exported = truth(value)
    assert images(exported) == [(1, "a.jpg", "cat")]


# What the refusals of an export without one class control say ------------------------------

UNSETTLED = (
    f"{WHERE}: its annotations answer several controls that could hold the classes ('choice', "
    "'quality'), and {why}: give a path,label CSV of the images' classes as the ground truth "
    "instead"
)


@pytest.mark.parametrize(
    ("answers", "classes", "why"),
    [
        (("cat", "sharp"), (), "no prediction names the one that holds the classes"),
        (
            ("cat", "sharp"),
            ("bird",),
            "the answers of none of them are among the classes the predictions name",
        ),
        (
            ("cat", "dog"),
            ("cat", "dog"),
            "the answers of more than one of them are among the classes the predictions name",
        ),
    ],
)
def test_two_controls_the_classes_cannot_tell_apart_are_refused_saying_why(
    answers: tuple[str, str], classes: tuple[str, ...], why: str
) -> None:
    answered = annotation(result([answers[0]]), result([answers[1]], "quality"))
    value = [task(1, {"image": "a.jpg"}, answered)]
    assert refusal(value, classes) == UNSETTLED.format(why=why)


def test_a_lone_control_answering_no_class_shows_five_of_its_answers() -> None:
    answers = ["a1", "a2", "a3", "a4", "a5", "a6"]
    value = [chose(number, {"image": f"{number}.jpg"}, a) for number, a in enumerate(answers, 1)]
    assert refusal(value) == (
        f"{WHERE}: no task gives one class to score against: its annotations answer only "
        "'choice' (a1, a2, a3, a4, a5), and none of its answers is a class the predictions "
        "name; annotate the tasks' classes in Label Studio, then export the project again"
    )


# JSON_MIN: which keys are answers, and which the task's data ---------------------------------


def test_a_json_min_refusal_names_the_data_keys_not_the_answers() -> None:
    message = refusal([record(1, {"n": 3}, "cat")])
    assert message == (
        f"{WHERE}, task 1: its data has no image (no 'zsl_path' nor 'image' key, and 'n' is no "
        "image's URL or path): give the export of a project of image tasks"
    )


def test_keys_of_a_task_without_annotation_are_data_though_their_values_are_classes() -> None:
    value = [
        record(1, {"image": "a.jpg", "caption": "dog"}, "cat"),
        {"image": "b.jpg", "caption": "cat", "id": 2, "annotator": None, "annotation_id": None},
    ]
    exported = truth(value)
    assert images(exported) == [(1, "a.jpg", "cat")]
    assert exported.warnings == (
        f"1 task of {WHERE} has no annotation (e.g. task 2): no ground truth, left out",
    )


def test_the_image_key_of_a_json_min_record_is_data_though_no_url_nor_path_by_its_look() -> None:
    exported = truth([record(1, {"image": "photos/cat-0001"}, "cat")])
    assert images(exported) == [(1, "photos/cat-0001", "cat")]


def test_the_classes_zsl_recorded_tell_a_json_min_exports_control_too() -> None:
    value = [
        record(1, {"image": "a.jpg", "zsl_label": "cat"}, "cat", quality="sharp"),
        record(2, {"image": "b.jpg", "zsl_label": "dog"}, "dog", quality="blurry"),
    ]
    exported = truth(value, classes=("bird",))
    assert images(exported) == [(1, "a.jpg", "cat"), (2, "b.jpg", "dog")]


def test_an_object_with_other_keys_beside_choices_is_no_json_min_choice() -> None:
    box = {"choices": ["dog"], "x": 10, "y": 20}
    exported = truth([record(1, {"image": "a.jpg"}, "cat", box=box)])
    assert images(exported) == [(1, "a.jpg", "cat")]


@pytest.mark.parametrize("choices", [[], [3], ["cat", None]])
def test_an_empty_choices_list_or_one_not_of_strings_is_no_json_min_answer(choices: list) -> None:
    answer = {"choices": choices}
    value = [record(1, {"image": "a.jpg"}, answer), record(2, {"image": "b.jpg"}, "dog")]
    exported = truth(value)
    assert images(exported) == [(2, "b.jpg", "dog")]
    assert exported.warnings == (
        f"1 task of {WHERE} has annotations, but none choosing a class in '{CONTROL}' (e.g. "
        "task 1): no ground truth, left out",
    )


# The task's image: zsl's path, else the URL of one data key --------------------------------


def test_zsls_quoted_path_gives_the_exact_bytes_of_a_name_not_utf_8() -> None:
    data = {"image": "/data/local-files/?d=photos/caf%E9.jpg", "zsl_path": "photos/caf\ufffd.jpg"}
    data["zsl_path_quoted"] = "photos/caf%E9.jpg"
    (image,) = truth([chose(1, data, "cat")]).images
    assert image.image == os.fsdecode(b"photos/caf\xe9.jpg") and image.zsl_path
    assert image.url == data["image"]


def test_zsls_path_is_the_name_its_utf_8_bytes_have_in_a_locale_without_utf_8() -> None:
    # zsl writes a path as its name's bytes read as UTF-8; under a C locale (file names in
    # ASCII) Python spells the file with those bytes escaped.
    code = (
        "import os, sys; from zsl_cli.truth_exports import label_studio_export as read\n"
        "data = {'image': '/data/local-files/?d=photos/caf%C3%A9.jpg', "
        "'zsl_path': 'photos/caf\\u00e9.jpg'}\n"
        "task = {'id': 1, 'data': data, 'annotations': [{'result': [{'from_name': 'choice', "
        "'to_name': 'image', 'type': 'choices', 'value': {'choices': ['cat']}}]}]}\n"
        "(image,) = read([task], 'x', ['cat'], class_key=str).images\n"
        "print(sys.getfilesystemencoding(), ascii(image.image), image.zsl_path)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    env.update(LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    encoding, image, zsl_path = done.stdout.split()
    if encoding != "ascii":
        pytest.skip(f"no C locale here (file names in {encoding})")
    assert (image, zsl_path) == ("'photos/caf\\udcc3\\udca9.jpg'", "True")


def test_an_empty_zsl_path_is_no_path_and_the_url_is_the_image() -> None:
    url = "/data/local-files/?d=photos/a.jpg"
    (image,) = truth([chose(1, {"image": url, "zsl_path": ""}, "cat")]).images
    assert (image.image, image.zsl_path, image.url) == (url, False, url)


def test_zsls_path_is_no_candidate_for_the_image_url() -> None:
    url = "/data/local-files/?d=photos/a.jpg"
    data = {"zsl_path": "photos/a.jpg", "img": url}
    answered = annotation(result(["cat"], to_name="photo"))
    (image,) = truth([task(1, data, answered)]).images
    assert (image.image, image.zsl_path, image.url) == ("photos/a.jpg", True, url)


def test_the_key_the_results_name_is_passed_over_where_it_holds_no_image() -> None:
    data = {"photo": "taken at noon", "img": "photos/a.jpg"}
    answered = annotation(result(["cat"], to_name="photo"))
    assert images(truth([task(1, data, answered)])) == [(1, "photos/a.jpg", "cat")]


def test_an_empty_image_key_is_passed_over_for_the_key_holding_the_image() -> None:
    data = {"image": "", "img": "photos/a.jpg"}
    assert images(truth([chose(1, data, "cat")])) == [(1, "photos/a.jpg", "cat")]


def test_the_image_key_wins_over_other_image_urls_where_the_results_name_none() -> None:
    data = {"image": "photos/a.jpg", "thumb": "photos/a_small.jpg"}
    answered = annotation(result(["cat"], to_name="photo"))
    assert images(truth([task(1, data, answered)])) == [(1, "photos/a.jpg", "cat")]


def test_an_image_extension_is_read_in_either_case() -> None:
    data = {"img": "photos/A.JPG", "note": "taken at noon"}
    assert images(truth([chose(1, data, "cat")])) == [(1, "photos/A.JPG", "cat")]


def test_a_value_holding_a_url_after_other_text_is_no_image() -> None:
    data = {"img": "photos/a.jpg", "note": "copied from /data/upload/3 and https://example.com"}
    assert images(truth([chose(1, data, "cat")])) == [(1, "photos/a.jpg", "cat")]


# The tasks left out, and the warnings that count them -------------------------------------


def test_one_annotation_choosing_several_classes_leaves_its_task_out_beside_another() -> None:
    both = annotation(result(["cat", "dog"]))
    value = [task(1, {"image": "a.jpg"}, annotation(result(["cat"])), both)]
    value.append(chose(2, {"image": "b.jpg"}, "dog"))
    exported = truth(value)
    assert images(exported) == [(2, "b.jpg", "dog")]
    assert exported.warnings == (
        f"1 task of {WHERE} has an annotation that chooses several classes (e.g. task 1: 'cat', "
        "'dog'): left out, as evaluate takes one class per image",
    )


def test_annotations_that_disagree_are_named_in_sorted_order() -> None:
    value = [task(1, {"image": "a.jpg"}, annotation(result(["dog"])), annotation(result(["cat"])))]
    value.append(chose(2, {"image": "b.jpg"}, "dog"))
    (warning,) = truth(value).warnings
    assert "annotations that disagree (e.g. task 1: 'cat' and 'dog')" in warning


def test_annotations_spelling_one_class_otherwise_give_the_first_ones_spelling() -> None:
    value = [task(1, {"image": "a.jpg"}, annotation(result(["Cat"])), annotation(result(["cat"])))]
    assert images(truth(value)) == [(1, "a.jpg", "Cat")]
