"""`zsl hubness --truth EXPORT`: a Label Studio project's export is ground truth for hubness's
accuracy column as it is for `zsl evaluate`, and the tasks it leaves out are warned of. The
bundled sample images and model; the tasks file written by `zsl label`, the export in the shape
label-studio writes (benchmarks/label_studio_check.py checks it against a real server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_images"
HUBNESS = ("hubness", SAMPLES, "-c", SAMPLES / "classes.txt", "-m", "shapes-demo", "--json", "-")


@pytest.fixture(scope="module")
def tasks(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The tasks `zsl label -f label-studio` writes for the sample images."""
    written = tmp_path_factory.mktemp("tasks") / "tasks.json"
    labelled = run(
        "label", SAMPLES, "-c", SAMPLES / "classes.txt", "-m", "shapes-demo", "-q",
        "-f", "label-studio", "--ls-document-root", ROOT, "-o", written,
    )  # fmt: skip
    assert labelled.exit_code == 0, labelled.output
    return json.loads(written.read_text())


def annotation(number: int, *tags: tuple[str, str]) -> dict:
    """An annotation choosing, in each (Choices tag, choice), that choice."""
    result = [
        {"from_name": tag, "to_name": "image", "type": "choices", "value": {"choices": [choice]}}
        for tag, choice in tags
    ]
    return {"id": number, "was_cancelled": False, "result": result}


def class_folder(task: dict) -> str:
    return Path(task["data"]["zsl_path"]).parent.name


def measured(export: list[dict], folder: Path) -> tuple[dict, str]:
    """hubness's JSON report and its stderr with `export` as the truth."""
    path = folder / "export.json"
    path.write_text(json.dumps(export))
    result = run(*HUBNESS, "--truth", path)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr.replace(str(path), "export.json")


def test_hubness_measures_against_an_export_and_warns_of_the_tasks_left_out(tmp_path, tasks):
    # Every task annotated with its class folder's name, but the first, left unannotated.
    export = []
    for number, task in enumerate(tasks, start=1):
        annotated = [annotation(number, ("choice", class_folder(task)))] if number > 1 else []
        export.append({"id": number, "data": task["data"], "annotations": annotated})
    report, stderr = measured(export, tmp_path)
    assert "1 task of export.json has no annotation (e.g. task 1)" in stderr
    assert report["unmatched"]["images"]["count"] == 1
    assert report["methods"]["none"]["accuracy"] is not None


def test_hubness_takes_the_choices_tag_whose_answers_are_its_classes(tmp_path, tasks, monkeypatch):
    # A project whose config has a second Choices tag (quality), answered on every task, of
    # tasks imported by hand (an image URL alone, under the document root, which is the current
    # folder): no prediction names the tag of the classes, the class list tells the tags apart.
    monkeypatch.chdir(ROOT)
    export = [
        {
            "id": number,
            "data": {"image": task["data"]["image"]},
            "annotations": [
                annotation(number, ("quality", "good"), ("choice", class_folder(task)))
            ],
        }
        for number, task in enumerate(tasks, start=1)
    ]
    report, _ = measured(export, tmp_path)
    assert report["unmatched"]["images"]["count"] == 0
    by_folders = run(*HUBNESS, "--truth", SAMPLES)
    assert by_folders.exit_code == 0, by_folders.output
    methods = json.loads(by_folders.stdout)["methods"]
    assert {name: method["accuracy"] for name, method in report["methods"].items()} == {
        name: method["accuracy"] for name, method in methods.items()
    }
