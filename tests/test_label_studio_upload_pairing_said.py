"""What `zsl hubness --truth EXPORT` and `zsl evaluate --truth EXPORT` say of images uploaded
through Label Studio's web page (`/data/upload/<project>/<8 hex digits>-<file name>`), which pair
by their file name alone: hubness warns of those left unpaired where others pair, as evaluate
does, and evaluate's note on predictions paired by the ending of their path counts uploads
apart, as they pair by a name, not by a path relative to a truth root."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from tests.evaluation_helpers import touch
from tests.helpers import run

SAMPLES = Path(__file__).resolve().parent.parent / "sample_images"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _export(tasks: list[tuple[str, str]]) -> Path:
    """A Label Studio JSON export of tasks with this image URL, each annotated once with this
    choice, as label-studio 1.23.2 writes tasks made by uploads."""
    exported = []
    for number, (url, choice) in enumerate(tasks, start=1):
        result = {"from_name": "choice", "to_name": "image", "type": "choices"}
        annotation = {
            "id": number,
            "result": [{**result, "value": {"choices": [choice]}}],
            "was_cancelled": False,
            "task": number,
        }
        exported.append(
            {"id": number, "annotations": [annotation], "data": {"image": url}, "project": 3}
        )
    path = Path("export.json")
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    return path


def _upload(number: int, name: str) -> str:
    """The URL of an image uploaded under this (stored) name, its prefix one of its own."""
    return f"/data/upload/3/{number:08x}-{name}"


# 1. hubness warns of uploads left unpaired beside others that pair.


def _samples_with_a_spaced_name() -> tuple[Path, Path]:
    """A copy of the sample images in which one file's name holds spaces, and an export of them
    all uploaded, each annotated with its class folder's name: Label Studio stored that file's
    name with '_' for its spaces."""
    samples = Path(shutil.copytree(SAMPLES, "samples"))
    spaced = samples / "red circle" / "red circle 0000.png"
    (samples / "red circle" / "red_circle_0000.png").rename(spaced)
    images = sorted(samples.glob("*/*.png"))
    tasks = [
        (_upload(number, image.name.replace(" ", "_")), image.parent.name)
        for number, image in enumerate(images)
    ]
    return samples, _export(tasks)


def _renamed_warning(number: int, what: str) -> str:
    return (
        f"1 image of export.json, uploaded through Label Studio's web page, is paired with no "
        f"{what}: an upload keeps only the file's name, behind an 8-character prefix "
        f"({_upload(number, 'red_circle_0000.png')} is 'red_circle_0000.png': Label Studio "
        "renamed 'red circle 0000.png' so on upload, its spaces as '_', characters other than "
        "letters, digits, '-', '_' and '.' dropped); give a path,label CSV of the images' paths "
        "as the ground truth"
    )


def test_hubness_warns_of_an_upload_left_unpaired_beside_those_paired() -> None:
    samples, exported = _samples_with_a_spaced_name()
    number = sorted(samples.glob("*/*.png")).index(samples / "red circle" / "red circle 0000.png")
    hubness = ("hubness", samples, "-c", samples / "classes.txt", "-m", "shapes-demo")

    result = run(*hubness, "--truth", exported, "--json", "-")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["images_with_truth"] == 89
    assert report["unmatched"]["truth"]["count"] == 1
    warning = _renamed_warning(number, "image")
    assert warning in report["warnings"]

    # Told on stderr too, once.
    shown = run(*hubness, "--truth", exported)
    assert shown.exit_code == 0, shown.output
    assert " ".join(shown.stderr.split()).count("Label Studio renamed 'red circle 0000.png'") == 1


def test_hubness_on_a_store_warns_of_an_upload_left_unpaired() -> None:
    # A store's images are known once it is read, after the model loads.
    samples, exported = _samples_with_a_spaced_name()
    number = sorted(samples.glob("*/*.png")).index(samples / "red circle" / "red circle 0000.png")
    embedded = run("embed", samples, "-s", "store.zsl", "-m", "shapes-demo", "--quiet")
    assert embedded.exit_code == 0, embedded.output

    result = run(
        "hubness",
        "--embeddings",
        "store.zsl",
        "-c",
        samples / "classes.txt",
        "-m",
        "shapes-demo",
        "--truth",
        exported,
        "--json",
        "-",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["images_with_truth"] == 89
    assert _renamed_warning(number, "image") in report["warnings"]


# 2. evaluate's note counts the predictions paired with uploads apart.


def _predictions(paths: dict[str, str]) -> Path:
    """A zsl predictions CSV of these images (made here, so that they exist), each ranked first
    with its label."""
    with open("predictions.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["path", "label", "score", "top_k_labels", "top_k_scores", "status", "error"]
        )
        for path, label in paths.items():
            touch(path)
            writer.writerow([path, label, "0.9", label, "0.9", "ok", ""])
    return Path("predictions.csv")


def _notes(predictions: Path, truth: Path) -> list[str]:
    result = run("evaluate", predictions, "--truth", truth, "--json", "-", "--quiet")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    return [note for note in metrics["notes"] if "matched" in note]


def test_predictions_paired_with_uploads_are_counted_apart_from_relative_paths() -> None:
    # A project of images uploaded through its web page and of one imported from local
    # storage (photos/c.png), labelled from a copy of the folder under copy/.
    predictions = _predictions(
        {"copy/photos/a.png": "cat", "copy/photos/b.png": "dog", "copy/photos/c.png": "dog"}
    )
    exported = _export(
        [
            (_upload(1, "a.png"), "cat"),
            (_upload(2, "b.png"), "dog"),
            ("/data/local-files/?d=photos/c.png", "dog"),
        ]
    )
    assert _notes(predictions, exported) == [
        "1 prediction matched the truth by its path relative to the truth root, not by "
        "absolute path",
        "2 predictions matched images uploaded through Label Studio's web page by their file "
        "name alone",
    ]


def test_predictions_paired_with_uploads_alone_say_nothing_of_a_truth_root() -> None:
    predictions = _predictions({"photos/a.png": "cat"})
    exported = _export([(_upload(1, "a.png"), "cat")])
    assert _notes(predictions, exported) == [
        "1 prediction matched an image uploaded through Label Studio's web page by its file "
        "name alone"
    ]
