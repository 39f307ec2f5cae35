"""`zsl evaluate PREDICTIONS --truth EXPORT`: Label Studio exports zsl did not write the tasks of.
Images uploaded through Label Studio's web page, whose task URL is `/data/upload/<project>/<8 hex
digits>-<file name>`; projects whose Image tag reads another data key than `image`; and
predictions piped in beside a JSON_MIN export of tasks added by hand. The exports' shapes are
those label-studio 1.23.2 wrote for images uploaded as its web page uploads them (its Django
storage writes a name's spaces as '_', drops other characters than letters, digits, '-', '_'
and '.', and percent-encodes the URL)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.evaluation_helpers import touch
from tests.helpers import error_line, run
from zsl_cli.cli import app

CHOICE = "choice"


def _task(task_id: int, data: dict, choice: str, control: str = CHOICE) -> dict:
    """A task of the JSON export as label-studio 1.23.2 writes one made by an upload: no
    prediction, one annotation choosing `choice` in `control`."""
    result = {"from_name": control, "to_name": "image", "type": "choices"}
    annotation = {
        "id": task_id,
        "completed_by": 1,
        "result": [{**result, "value": {"choices": [choice]}}],
        "was_cancelled": False,
        "ground_truth": False,
        "prediction": {},
        "task": task_id,
        "project": 3,
    }
    return {
        "id": task_id,
        "annotations": [annotation],
        "file_upload": data.get("image", "").rpartition("/")[2] or None,
        "drafts": [],
        "predictions": [],
        "data": data,
        "meta": {},
        "project": 3,
    }


def json_export(images: list[tuple[dict, str]], control: str = CHOICE) -> list[dict]:
    """A JSON export of tasks with this data, each annotated once with this choice."""
    return [
        _task(number, data, choice, control)
        for number, (data, choice) in enumerate(images, start=1)
    ]


def json_min_export(images: list[tuple[dict, str]], control: str = CHOICE) -> list[dict]:
    """The JSON_MIN export of the same tasks: the data keys beside the id and the answer."""
    return [
        {**data, "id": number, control: choice, "annotator": 1, "annotation_id": number}
        for number, (data, choice) in enumerate(images, start=1)
    ]


EXPORTS = [json_export, json_min_export]


def uploaded(name: str, prefix: str = "0a27f7e1", project: int = 3) -> dict:
    """A task's data as Label Studio writes it for an image uploaded under this (stored) name."""
    return {"image": f"/data/upload/{project}/{prefix}-{name}"}


def predictions(labels: dict[str, str]) -> Path:
    """A zsl predictions CSV of these images (made here, so that they exist), each ranked first
    with its label."""
    with open("predictions.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["path", "label", "score", "top_k_labels", "top_k_scores", "status", "error"]
        )
        for path, label in labels.items():
            touch(path)
            writer.writerow([path, label, "0.9", label, "0.9", "ok", ""])
    return Path("predictions.csv")


def write_json(name: str, value: object) -> Path:
    Path(name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return Path(name)


def evaluated(*args: object) -> dict:
    result = run("evaluate", *args, "--json", "-", "--quiet")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# 1. Images uploaded through Label Studio's web page.


@pytest.mark.parametrize("export", EXPORTS)
def test_uploaded_images_pair_by_their_file_name(export) -> None:
    # The team uploaded its photos, annotated them, and ran zsl on its own copy of the folder.
    labels = {"photos/cats/a.png": "cat", "photos/dogs/b.png": "dog", "photos/dogs/c.png": "cat"}
    tasks = [
        (uploaded("a.png", "f8c57b93"), "cat"),
        (uploaded("b.png", "014b6d0b"), "dog"),
        (uploaded("c.png", "3fb7d818"), "dog"),
    ]
    metrics = evaluated(predictions(labels), "--truth", write_json("export.json", export(tasks)))
    assert metrics["n"] == 3
    assert round(metrics["top_k"]["1"]["overall"] * 3) == 2
    assert metrics["unmatched"]["truth"]["count"] == 0


def test_an_uploaded_name_is_read_as_its_url_encodes_it() -> None:
    # Percent-encoded UTF-8, as Label Studio's storage writes the URL of café.png and 猫.jpg;
    # served by a host of its own (LABEL_STUDIO_HOST) or under a path (FORCE_SCRIPT_NAME).
    labels = {"photos/café.png": "cat", "photos/猫.jpg": "cat", "photos/d.png": "dog"}
    tasks = [
        ({"image": "/data/upload/3/34c05d6a-caf%C3%A9.png"}, "cat"),
        ({"image": "http://localhost:8080/data/upload/3/2fd117b0-%E7%8C%AB.jpg"}, "cat"),
        ({"image": "/ls/data/upload/3/158a18bb-d.png"}, "dog"),
    ]
    metrics = evaluated(
        predictions(labels), "--truth", write_json("export.json", json_export(tasks))
    )
    assert metrics["n"] == 3


def test_two_uploads_of_one_name_pair_with_neither_and_say_why() -> None:
    # Two photos named a.png in two folders: the upload kept only their names.
    labels = {"photos/2023/a.png": "cat", "photos/2024/a.png": "dog", "photos/b.png": "dog"}
    tasks = [
        (uploaded("a.png", "f8c57b93"), "cat"),
        (uploaded("a.png", "bccb0fdf"), "dog"),
        (uploaded("b.png", "014b6d0b"), "dog"),
    ]
    metrics = evaluated(
        predictions(labels), "--truth", write_json("export.json", json_export(tasks))
    )
    assert metrics["n"] == 1
    assert metrics["unmatched"]["truth"]["count"] == 2
    (warning,) = [w for w in metrics["warnings"] if "upload" in w]
    assert warning == (
        "2 images of export.json, uploaded through Label Studio's web page, are paired with no "
        "prediction: an upload keeps only the file's name, behind an 8-character prefix "
        "(e.g. /data/upload/3/f8c57b93-a.png is 'a.png': 2 uploads are named so, files of other "
        "folders as like as not); give a path,label CSV of the images' paths as the ground truth"
    )


def test_an_upload_that_several_predictions_end_like_says_so_once() -> None:
    # One upload of a.png, two predicted files of that name: which one it is, no rule tells.
    labels = {"photos/2023/a.png": "cat", "photos/2024/a.png": "dog", "photos/b.png": "dog"}
    tasks = [(uploaded("a.png", "f8c57b93"), "cat"), (uploaded("b.png", "014b6d0b"), "dog")]
    metrics = evaluated(
        predictions(labels), "--truth", write_json("export.json", json_export(tasks))
    )
    assert metrics["n"] == 1
    (warning,) = [w for w in metrics["warnings"] if "a.png" in w]
    assert warning.startswith("1 image of export.json, uploaded through Label Studio's web page")
    assert "several predictions end so, 'photos/2023/a.png' and 'photos/2024/a.png'" in warning


def test_an_upload_whose_name_label_studio_changed_says_so() -> None:
    # Django's storage wrote 'my cat.png' as my_cat.png, "john's (1).png" as johns_1.png.
    labels = {"photos/my cat.png": "cat", "photos/john's (1).png": "dog", "photos/b.png": "dog"}
    tasks = [
        (uploaded("my_cat.png", "014b6d0b"), "cat"),
        (uploaded("johns_1.png", "de5ae9c9"), "dog"),
        (uploaded("b.png", "e806524e"), "dog"),
    ]
    metrics = evaluated(
        predictions(labels), "--truth", write_json("export.json", json_export(tasks))
    )
    assert metrics["n"] == 1  # not guessed: said
    (warning,) = [w for w in metrics["warnings"] if "upload" in w]
    assert (
        "(e.g. /data/upload/3/014b6d0b-my_cat.png is 'my_cat.png': Label Studio renamed "
        "'my cat.png' so on upload" in warning
    )
    assert "its spaces as '_'" in warning


def test_uploads_that_pair_with_nothing_are_refused_saying_why() -> None:
    labels = {"photos/x.png": "cat", "photos/y.png": "dog"}
    tasks = [(uploaded("a.png"), "cat"), (uploaded("b.png", "014b6d0b"), "dog")]
    for export in EXPORTS:
        result = run(
            "evaluate", predictions(labels), "--truth", write_json("export.json", export(tasks))
        )
        assert result.exit_code == 2, result.output
        line = error_line(result.stderr)
        assert line.startswith("zsl: error: none of the 2 predictions in predictions.csv match")
        assert "uploaded through Label Studio's web page" in line
        assert (
            "(e.g. /data/upload/3/0a27f7e1-a.png is 'a.png': no prediction names a file so)" in line
        )


def test_a_name_label_studio_cut_says_so() -> None:
    # Its storage cuts a path over 100 characters and adds '_' and 7 random ones.
    long_name = "L" * 95 + ".png"
    cut = "L" * 70 + "_Qo9Rt6D.png"
    labels = {f"photos/{long_name}": "cat", "photos/b.png": "dog"}
    tasks = [(uploaded(cut, "7dadca87", 2), "cat"), (uploaded("b.png", "014b6d0b"), "dog")]
    metrics = evaluated(
        predictions(labels), "--truth", write_json("export.json", json_export(tasks))
    )
    (warning,) = [w for w in metrics["warnings"] if "upload" in w]
    assert "Label Studio cut the long name to fit 100 characters" in warning


# 2. Another data key than `image`.


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("img", "/data/upload/3/f8c57b93-{name}"),
        ("url", "https://example.com/photos/{name}"),
        ("image_url", "s3://bucket/photos/{name}"),
        ("photo", "/data/local-files/?d=photos/{name}"),
        ("$undefined$", "gs://bucket/photos/{name}"),
        ("file", "photos/{name}"),
    ],
)
def test_the_image_is_taken_from_another_data_key(export, key: str, url: str) -> None:
    labels = {"photos/a.png": "cat", "photos/b.png": "dog"}
    tasks = [
        ({key: url.format(name="a.png"), "caption": "a cat on a mat", "n": 3}, "cat"),
        ({key: url.format(name="b.png"), "caption": "", "n": 4}, "cat"),
    ]
    metrics = evaluated(predictions(labels), "--truth", write_json("export.json", export(tasks)))
    assert metrics["n"] == 2
    assert round(metrics["top_k"]["1"]["overall"] * 2) == 1


def test_the_data_key_the_results_name_is_the_image() -> None:
    # Its results' to_name names a data key: that one, though another holds a URL too.
    labels = {"photos/a.png": "cat"}
    exported = json_export([({"photo": "photos/a.png", "thumb": "thumbs/a.png"}, "cat")])
    exported[0]["annotations"][0]["result"][0]["to_name"] = "photo"
    metrics = evaluated(predictions(labels), "--truth", write_json("export.json", exported))
    assert metrics["n"] == 1


@pytest.mark.parametrize("export", EXPORTS)
def test_several_data_values_that_could_be_the_image_are_refused_naming_them(export) -> None:
    labels = {"photos/a.png": "cat"}
    tasks = [({"photo": "photos/a.png", "thumb": "https://cdn.example/t/a.jpg"}, "cat")]
    result = run("evaluate", predictions(labels), "--truth", write_json("e.json", export(tasks)))
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == (
        "zsl: error: e.json, task 1: its data keys 'photo' and 'thumb' could each hold its "
        "image: give a path,label CSV of the images' paths as the ground truth"
    )


def test_data_without_an_image_is_refused_naming_its_keys() -> None:
    labels = {"photos/a.png": "cat"}
    tasks = [({"text": "a cat", "n": 3}, "cat")]
    result = run(
        "evaluate", predictions(labels), "--truth", write_json("e.json", json_export(tasks))
    )
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == (
        "zsl: error: e.json, task 1: its data has no image (no 'zsl_path' nor 'image' key, and "
        "neither 'n' nor 'text' is an image's URL or path): give the export of a project of "
        "image tasks"
    )


# 3. Predictions piped in, the truth a JSON_MIN export of tasks added by hand.


@pytest.mark.parametrize("export", EXPORTS)
def test_piped_predictions_choose_the_tag_as_a_file_does(export) -> None:
    # The tasks, added by hand, have so far been answered only in the image-quality tag: no
    # task has a class. Given the predictions as a file, the export is refused; piped, the tag
    # was chosen before any class was known, and the images scored 0% against 'good' and
    # 'bad', exit 0.
    labels = {"photos/a.png": "cat", "photos/b.png": "dog"}
    tasks = [
        ({"image": "/data/local-files/?d=photos/a.png"}, "good"),
        ({"image": "/data/local-files/?d=photos/b.png"}, "bad"),
    ]
    exported = write_json("export.json", export(tasks, control="quality"))
    from_file = run("evaluate", predictions(labels), "--truth", exported)
    assert from_file.exit_code == 2, from_file.output
    piped = CliRunner().invoke(
        app,
        ["evaluate", "-", "--truth", str(exported), "--json", "-", "--quiet"],
        input=Path("predictions.csv").read_bytes(),
    )
    assert piped.exit_code == 2, piped.output
    assert error_line(piped.stderr) == error_line(from_file.stderr)


def test_piped_predictions_still_pick_the_one_tag_that_holds_their_classes() -> None:
    labels = {"photos/a.png": "cat", "photos/b.png": "dog"}
    tasks = [
        ({"image": "/data/local-files/?d=photos/a.png"}, "cat"),
        ({"image": "/data/local-files/?d=photos/b.png"}, "cat"),
    ]
    exported = write_json("export.json", json_min_export(tasks, control="species"))
    predictions(labels)
    piped = CliRunner().invoke(
        app,
        ["evaluate", "-", "--truth", str(exported), "--json", "-", "--quiet"],
        input=Path("predictions.csv").read_bytes(),
    )
    assert piped.exit_code == 0, piped.output
    metrics = json.loads(piped.stdout)
    assert metrics["n"] == 2
    assert round(metrics["top_k"]["1"]["overall"] * 2) == 1


def test_hubness_pairs_uploaded_images_as_evaluate_does() -> None:
    # The sample images uploaded into a project whose Image tag reads $img, each annotated with
    # its class folder's name: the accuracy column is that of the class folders as the truth.
    samples = Path(__file__).resolve().parent.parent / "sample_images"
    images = sorted(p for p in samples.glob("*/*.png"))
    tasks = [
        ({"img": f"/data/upload/5/{number:08x}-{image.name.replace(' ', '_')}"}, image.parent.name)
        for number, image in enumerate(images)
    ]
    hubness = ("hubness", samples, "-c", samples / "classes.txt", "-m", "shapes-demo")
    by_export = run(*hubness, "--truth", write_json("e.json", json_export(tasks)), "--json", "-")
    assert by_export.exit_code == 0, by_export.output
    by_folders = run(*hubness, "--truth", samples, "--json", "-")
    assert by_folders.exit_code == 0, by_folders.output
    report, reference = json.loads(by_export.stdout), json.loads(by_folders.stdout)
    assert report["unmatched"]["images"]["count"] == 0
    accuracy = {name: method["accuracy"] for name, method in report["methods"].items()}
    assert accuracy == {name: method["accuracy"] for name, method in reference["methods"].items()}
    assert accuracy["none"] is not None
