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


def test_hubness_measures_against_an_export_and_warns_of_the_tasks_left_out(tmp_path: Path):
    tasks = tmp_path / "tasks.json"
    labelled = run(
        "label", SAMPLES, "-c", SAMPLES / "classes.txt", "-m", "shapes-demo", "-q",
        "-f", "label-studio", "--ls-document-root", ROOT, "-o", tasks,
    )  # fmt: skip
    assert labelled.exit_code == 0, labelled.output
    exported = []
    for number, task in enumerate(json.loads(tasks.read_text()), start=1):
        # Every task annotated with its class folder's name, but the first, left unannotated.
        label = Path(task["data"]["zsl_path"]).parent.name
        value = {"choices": [label]}
        result = [{"from_name": "choice", "to_name": "image", "type": "choices", "value": value}]
        annotations = (
            [{"id": number, "was_cancelled": False, "result": result}] if number > 1 else []
        )
        exported.append({"id": number, "data": task["data"], "annotations": annotations})
    export = tmp_path / "export.json"
    export.write_text(json.dumps(exported))
    measured = run(
        "hubness", SAMPLES, "-c", SAMPLES / "classes.txt", "-m", "shapes-demo",
        "--truth", export, "--json", "-",
    )  # fmt: skip
    assert measured.exit_code == 0, measured.output
    assert f"1 task of {export} has no annotation (e.g. task 1)" in measured.stderr
    report = json.loads(measured.stdout)
    assert report["unmatched"]["images"]["count"] == 1
    assert report["methods"]["none"]["accuracy"] is not None


def test_hubness_takes_the_choices_tag_whose_answers_are_its_classes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # A project whose config has a second Choices tag (quality), answered on every task, of
    # tasks imported by hand (an image URL alone, under the document root, which is the current
    # folder): no prediction names the tag of the classes, the class list tells the tags apart.
    monkeypatch.chdir(ROOT)
    tasks = tmp_path / "tasks.json"
    labelled = run(
        "label", SAMPLES, "-c", SAMPLES / "classes.txt", "-m", "shapes-demo", "-q",
        "-f", "label-studio", "--ls-document-root", ROOT, "-o", tasks,
    )  # fmt: skip
    assert labelled.exit_code == 0, labelled.output
    exported = []
    for number, task in enumerate(json.loads(tasks.read_text()), start=1):
        label = Path(task["data"]["zsl_path"]).parent.name
        result = [
            {
                "from_name": name,
                "to_name": "image",
                "type": "choices",
                "value": {"choices": [chosen]},
            }
            for name, chosen in (("quality", "good"), ("choice", label))
        ]
        annotations = [{"id": number, "was_cancelled": False, "result": result}]
        exported.append(
            {"id": number, "data": {"image": task["data"]["image"]}, "annotations": annotations}
        )
    export = tmp_path / "export.json"
    export.write_text(json.dumps(exported))
    measured = run(
        "hubness", SAMPLES, "-c", SAMPLES / "classes.txt", "-m", "shapes-demo",
        "--truth", export, "--json", "-",
    )  # fmt: skip
    assert measured.exit_code == 0, measured.output
    report = json.loads(measured.stdout)
    assert report["unmatched"]["images"]["count"] == 0
    by_folders = run(
        "hubness", SAMPLES, "-c", SAMPLES / "classes.txt", "-m", "shapes-demo",
        "--truth", SAMPLES, "--json", "-",
    )  # fmt: skip
    assert by_folders.exit_code == 0, by_folders.output
    methods = json.loads(by_folders.stdout)["methods"]
    assert {name: method["accuracy"] for name, method in report["methods"].items()} == {
        name: method["accuracy"] for name, method in methods.items()
    }
