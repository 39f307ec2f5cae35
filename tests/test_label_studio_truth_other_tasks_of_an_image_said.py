"""`zsl evaluate PREDICTIONS --truth EXPORT` where a Label Studio project holds an image in two
tasks, zsl's own and another (an upload through the web page, a task added with its URL): a zsl
task that gives no class (its annotators disagree, or one chose several classes) is left out as
a task, and its image takes the class the other task gives, as where the zsl task has no
annotation; the warning about the zsl task says so, naming the other task and the class. Where
the two tasks give two classes, the refusal says what the other task is and what to do about it
in Label Studio (neither was imported twice). Label Studio's TSV export is called so when it is
refused. The exports are written by hand as label-studio 1.23.2 writes them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.evaluation_helpers import touch
from tests.helpers import error_line, run

CHOICE = "choice"
PATHS = ["photos/cats/a.png", "photos/dogs/b.png", "photos/dogs/c.png"]


def _annotation(choices: list[str], number: int) -> dict:
    result = {"from_name": CHOICE, "to_name": "image", "type": "choices"}
    return {
        "id": number,
        "was_cancelled": False,
        "ground_truth": False,
        "result": [{**result, "value": {"choices": choices}}],
    }


def _json(tasks: list[tuple[dict, list[list[str]]]]) -> list:
    """A JSON export: each task's data and each of its annotations' choices."""
    return [
        {
            "id": number,
            "data": data,
            "annotations": [_annotation(c, number * 10 + k) for k, c in enumerate(choices)],
            "predictions": [],
        }
        for number, (data, choices) in enumerate(tasks, start=1)
    ]


def _json_min(tasks: list[tuple[dict, list[list[str]]]]) -> list:
    """The JSON_MIN export of the same tasks: a record per annotation."""
    records = []
    for number, (data, choices) in enumerate(tasks, start=1):
        for k, chosen in enumerate(choices, start=1):
            answer = chosen[0] if len(chosen) == 1 else {"choices": chosen}
            records.append(
                {
                    **data,
                    "id": number,
                    CHOICE: answer,
                    "annotator": k,
                    "annotation_id": number * 10 + k,
                }
            )
    return records


EXPORTS = [_json, _json_min]


def zsl_task(path: str) -> dict:
    return {"img": f"/data/local-files/?d={path}", "zsl_path": path, "zsl_label": "cat"}


def uploaded(name: str) -> dict:
    return {"img": f"/data/upload/1/8ea3bce3-{name}"}


def by_url(path: str) -> dict:
    """A task added by hand for an image, with the URL zsl's task of it has."""
    return {"img": f"/data/local-files/?d={path}"}


def predictions(paths: list[str]) -> Path:
    with open("predictions.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["path", "label", "score", "top_k_labels", "top_k_scores", "status", "error"]
        )
        for path in paths:
            touch(path)
            writer.writerow([path, "cat", "0.9", "cat", "0.9", "ok", ""])
    return Path("predictions.csv")


def write_json(value: object) -> Path:
    Path("export.json").write_text(json.dumps(value), encoding="utf-8")
    return Path("export.json")


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _tasks(first: list[list[str]]) -> list[tuple[dict, list[list[str]]]]:
    """zsl's tasks of PATHS, the first annotated with `first`, the others with their class."""
    tasks = [(zsl_task(path), [[path.split("/")[1][:-1]]]) for path in PATHS]
    tasks[0] = (tasks[0][0], first)
    return tasks


def _evaluated(export: list) -> tuple[dict, list[str]]:
    result = run("evaluate", predictions(PATHS), "--truth", write_json(export), "--json", "-")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr.splitlines()


def _warning(lines: list[str], word: str) -> str:
    found = [line for line in lines if word in line]
    assert len(found) == 1, lines
    return found[0]


# 1. A zsl task that gives no class beside another task of its image that gives one.


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("upload_class", ["cat", "dog"])
def test_a_disputed_task_whose_upload_gives_a_class_says_its_image_is_scored(
    export, upload_class
) -> None:
    tasks = [*_tasks([["cat"], ["dog"]]), (uploaded("a.png"), [[upload_class]])]
    metrics, stderr = _evaluated(export(tasks))
    # The image is scored once, with the upload's class: a.png is predicted cat.
    assert metrics["n"] == 3
    assert metrics["unmatched"]["truth"]["count"] == 0
    assert metrics["unmatched"]["predictions"]["count"] == 0
    # b.png and c.png are dogs.
    assert metrics["per_class"][upload_class]["support"] == (1 if upload_class == "cat" else 3)
    warning = _warning(stderr, "disagree")
    assert "task 1" in warning
    # What the warning says of the image is what was done with it.
    assert "scored" in warning, warning
    assert f"'{upload_class}'" in warning.split("scored", 1)[1], warning
    assert "task 4" in warning and "upload" in warning, warning


@pytest.mark.parametrize("export", EXPORTS)
def test_a_disputed_task_beside_a_task_of_its_url_says_its_image_is_scored(export) -> None:
    tasks = [*_tasks([["cat"], ["dog"]]), (by_url(PATHS[0]), [["cat"]])]
    metrics, stderr = _evaluated(export(tasks))
    assert metrics["n"] == 3
    warning = _warning(stderr, "disagree")
    assert "scored" in warning and "task 4" in warning, warning


@pytest.mark.parametrize("export", EXPORTS)
def test_several_classes_in_a_task_whose_upload_gives_one_say_its_image_is_scored(
    export,
) -> None:
    tasks = [*_tasks([["cat", "dog"]]), (uploaded("a.png"), [["cat"]])]
    metrics, stderr = _evaluated(export(tasks))
    assert metrics["n"] == 3
    warning = _warning(stderr, "several classes")
    assert "scored" in warning and "task 4" in warning, warning


@pytest.mark.parametrize("export", EXPORTS)
def test_a_disputed_task_no_other_task_of_which_gives_a_class_is_left_out(export) -> None:
    # Its upload has no annotation either: the image is left out, and the warning says no
    # more than that.
    tasks = [*_tasks([["cat"], ["dog"]]), (uploaded("a.png"), [])]
    if export is _json_min:
        tasks[-1] = (tasks[-1][0], [])
    exported = export(tasks)
    if export is _json_min:
        exported.append({**uploaded("a.png"), "id": 4, "annotator": None, "annotation_id": None})
    metrics, stderr = _evaluated(exported)
    assert metrics["n"] == 2
    assert metrics["unmatched"]["predictions"]["count"] == 1
    warning = _warning(stderr, "disagree")
    assert "scored" not in warning, warning


def test_only_the_disputed_tasks_whose_image_another_task_gives_a_class_are_said_scored() -> None:
    tasks = _tasks([["cat"], ["dog"]])
    tasks[1] = (tasks[1][0], [["dog"], ["cat"]])
    tasks.append((uploaded("b.png"), [["dog"]]))
    metrics, stderr = _evaluated(_json_min(tasks))
    assert metrics["n"] == 2  # a.png left out, b.png scored as its upload says
    warning = _warning(stderr, "disagree")
    assert "2 tasks of export.json have annotations" in warning, warning
    assert "1 of them" in warning and "task 2" in warning and "task 4" in warning, warning


@pytest.mark.parametrize("export", EXPORTS)
def test_a_task_of_the_url_of_a_zsl_task_without_annotation_is_its_image(export) -> None:
    # Two predictions end like the URL's path: only zsl's task tells which the image is.
    tasks = [*_tasks([]), (by_url(PATHS[0]), [["cat"]])]
    exported = export(tasks)
    if export is _json_min:
        exported.append({**zsl_task(PATHS[0]), "id": 1, "annotator": None, "annotation_id": None})
    paths = [*PATHS, f"elsewhere/{PATHS[0]}"]
    result = run("evaluate", predictions(paths), "--truth", write_json(exported), "--json", "-")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["n"] == 3
    assert metrics["unmatched"]["predictions"]["examples"] == [f"elsewhere/{PATHS[0]}"]
    warning = _warning(result.stderr.splitlines(), "no annotation")
    assert "scored all the same" in warning and "task 4" in warning, warning


# 2. The refusal of two tasks of one image with two classes.


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("upload_first", [False, True])
def test_an_upload_with_another_class_is_refused_with_the_real_fix(export, upload_first) -> None:
    tasks = _tasks([["cat"]])
    upload = (uploaded("a.png"), [["dog"]])
    tasks = [upload, *tasks] if upload_first else [*tasks, upload]
    result = run("evaluate", predictions(PATHS), "--truth", write_json(export(tasks)))
    assert result.exit_code == 2, result.output
    line = error_line(result.output)
    ids = "1 and 2" if upload_first else "1 and 4"
    assert f"the tasks with ids {ids} name the same image" in line, line
    assert "imported twice" not in line, line
    upload_id = 1 if upload_first else 4
    assert f"task {upload_id} is an upload of the image" in line, line
    assert "correct" in line and "export the project again" in line, line


def test_a_task_of_a_zsl_tasks_url_with_another_class_is_not_said_imported_twice() -> None:
    tasks = [*_tasks([["cat"]]), (by_url(PATHS[0]), [["dog"]])]
    result = run("evaluate", predictions(PATHS), "--truth", write_json(_json(tasks)))
    assert result.exit_code == 2, result.output
    line = error_line(result.output)
    assert "imported twice" not in line, line
    assert "task 4" in line and "correct" in line, line


def test_a_zsl_task_imported_twice_with_another_class_still_says_so() -> None:
    tasks = [*_tasks([["cat"]]), (zsl_task(PATHS[0]), [["dog"]])]
    result = run("evaluate", predictions(PATHS), "--truth", write_json(_json(tasks)))
    assert result.exit_code == 2, result.output
    assert "delete the task imported twice" in error_line(result.output)


# 3. Label Studio's CSV and TSV exports, each called by its name.


@pytest.mark.parametrize(
    ("delimiter", "kind", "other"), [("\t", "TSV", "CSV"), (",", "CSV", "TSV")]
)
def test_a_label_studio_table_export_is_called_what_it_is(delimiter, kind, other) -> None:
    columns = ["annotation_id", "annotator", "choice", "id", "img", "zsl_path"]
    row = ["1", "1", "cat", "1", "/data/local-files/?d=photos/cats/a.png", "photos/cats/a.png"]
    with open("export.txt", "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(columns)
        writer.writerow(row)
    result = run("evaluate", predictions(PATHS), "--truth", "export.txt")
    assert result.exit_code == 2, result.output
    line = error_line(result.output)
    assert f"a Label Studio {kind} export: export the project as JSON or JSON_MIN" in line, line
    assert f"{other} export" not in line, line
