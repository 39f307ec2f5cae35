"""`zsl evaluate PREDICTIONS --truth EXPORT` where a Label Studio project holds an image twice:
as zsl's own task and as an upload through the web page (a teammate who did not know it was
there), both annotated. The upload is that image's second task, as a task added by hand with its
URL is: counted once where the classes agree, refused naming both tasks where they differ, alike
in JSON and JSON_MIN. Also: a `$img` project whose tasks carry another link beside the image, the
TSV export of such a project, and the example of a skipped task. The exports are written by hand
as label-studio 1.23.2 writes them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.evaluation_helpers import touch
from tests.helpers import error_line, run

CHOICE = "choice"


def _annotation(choice: str | None, *, cancelled: bool = False) -> dict:
    result = [
        {
            "from_name": CHOICE,
            "to_name": "image",
            "type": "choices",
            "value": {"choices": [choice]},
        }
    ]
    return {
        "id": 1,
        "was_cancelled": cancelled,
        "ground_truth": False,
        "result": [] if choice is None else result,
    }


def _json(tasks: list[tuple[dict, list[str]]], skipped: frozenset[int] = frozenset()) -> list:
    """A JSON export: each task's data and its annotations' choices (none: not annotated;
    a task whose number is in `skipped` has one cancelled annotation)."""
    return [
        {
            "id": number,
            "data": data,
            "annotations": [_annotation(None, cancelled=True)]
            if number in skipped
            else [_annotation(choice) for choice in choices],
            "predictions": [],
        }
        for number, (data, choices) in enumerate(tasks, start=1)
    ]


def _json_min(tasks: list[tuple[dict, list[str]]]) -> list:
    """The JSON_MIN export of the same tasks: a record per annotation (one with a null
    annotation_id for a task without)."""
    records = []
    for number, (data, choices) in enumerate(tasks, start=1):
        for k, choice in enumerate(choices or [None], start=1):
            answer = {CHOICE: choice} if choice is not None else {}
            annotation = number * 10 + k if choice is not None else None
            records.append(
                {**data, "id": number, **answer, "annotator": 1, "annotation_id": annotation}
            )
    return records


EXPORTS = [_json, _json_min]


def zsl_task(path: str, key: str = "img") -> dict:
    """The data of a task zsl wrote for this image (`--ls-data-key key`)."""
    return {key: f"/data/local-files/?d={path}", "zsl_path": path, "zsl_label": "cat"}


def uploaded(name: str, prefix: str = "8ea3bce3", key: str = "img") -> dict:
    return {key: f"/data/upload/1/{prefix}-{name}"}


def predictions(paths: list[str], name: str = "predictions.csv") -> Path:
    with open(name, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["path", "label", "score", "top_k_labels", "top_k_scores", "status", "error"]
        )
        for path in paths:
            touch(path)
            writer.writerow([path, "cat", "0.9", "cat", "0.9", "ok", ""])
    return Path(name)


def write_json(value: object, name: str = "export.json") -> Path:
    Path(name).write_text(json.dumps(value), encoding="utf-8")
    return Path(name)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


PATHS = ["photos/cats/a.png", "photos/dogs/b.png", "photos/dogs/c.png"]


def _evaluated(*args: object) -> tuple[dict, str]:
    result = run("evaluate", *args, "--json", "-")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


@pytest.mark.parametrize("export", EXPORTS)
def test_an_upload_of_a_tasked_image_that_agrees_is_that_image_once(export) -> None:
    tasks = [(zsl_task(path), [path.split("/")[1][:-1]]) for path in PATHS]
    tasks.append((uploaded("a.png"), ["cat"]))
    metrics, stderr = _evaluated(predictions(PATHS), "--truth", write_json(export(tasks)))
    assert metrics["n"] == 3
    assert metrics["unmatched"]["truth"]["count"] == 0
    assert "paired with no prediction" not in stderr


@pytest.mark.parametrize("export", EXPORTS)
def test_an_upload_of_a_tasked_image_with_another_class_is_refused(export) -> None:
    tasks = [(zsl_task(path), [path.split("/")[1][:-1]]) for path in PATHS]
    tasks.append((uploaded("a.png"), ["dog"]))
    result = run("evaluate", predictions(PATHS), "--truth", write_json(export(tasks)))
    assert result.exit_code == 2, result.output
    line = error_line(result.output)
    assert "tasks with ids 1 and 4" in line
    assert "'photos/cats/a.png'" in line
    assert "'cat' and 'dog'" in line


@pytest.mark.parametrize("export", EXPORTS)
def test_an_upload_of_a_tasked_image_pairs_with_no_other_runs_file(export) -> None:
    # The export's own task shows whose image the upload is: another folder's file of that name
    # is not it, though it is the only prediction named so.
    tasks = [(zsl_task("photos/cats/a.png"), []), (uploaded("a.png"), ["cat"])]
    tasks.append((zsl_task("photos/dogs/b.png"), ["dog"]))
    metrics, _ = _evaluated(
        predictions(["other/cats/a.png", "photos/dogs/b.png"]), "--truth", write_json(export(tasks))
    )
    assert metrics["n"] == 1
    assert metrics["unmatched"]["truth"]["examples"] == ["photos/cats/a.png"]


def test_an_upload_is_one_with_its_image_whatever_task_gives_that_image_truth() -> None:
    # Task 1's annotations disagree, one starred (JSON), none starred (JSON_MIN): the upload of
    # its image gives the image its class in both, as one image.
    tasks = [(zsl_task(path), [path.split("/")[1][:-1]]) for path in PATHS]
    tasks[0] = (tasks[0][0], ["cat", "dog"])
    tasks.append((uploaded("a.png"), ["cat"]))
    exported = _json(tasks)
    exported[0]["annotations"][0]["ground_truth"] = True
    paths = predictions(PATHS)
    from_json, _ = _evaluated(paths, "--truth", write_json(exported))
    from_min, _ = _evaluated(paths, "--truth", write_json(_json_min(tasks), "min.json"))
    for metrics in (from_json, from_min):
        assert metrics["n"] == 3
        assert metrics["unmatched"]["truth"]["count"] == 0


def test_an_unpaired_upload_whose_name_a_paired_prediction_has_is_told_so() -> None:
    # Two zsl tasks of files named a.png (the upload's is either): the one prediction named so
    # is paired with its own task; the warning must not say no prediction names the file.
    tasks = [
        (zsl_task("photos/cats/a.png"), ["cat"]),
        (zsl_task("photos/dogs/a.png"), []),
        (uploaded("a.png"), ["cat"]),
    ]
    _, stderr = _evaluated(predictions(["photos/cats/a.png"]), "--truth", write_json(_json(tasks)))
    assert "no prediction names a file so" not in stderr
    assert "photos/cats/a.png" in stderr


# 2. A `$img` project whose tasks carry another link.


@pytest.mark.parametrize("export", EXPORTS)
def test_a_page_link_beside_the_image_is_not_its_image(export) -> None:
    tasks = [({"img": f"/data/local-files/?d={path}"}, ["cat"]) for path in PATHS]
    tasks[0][0]["page"] = "https://shop.example.com/item/1"
    metrics, _ = _evaluated(predictions(PATHS), "--truth", write_json(export(tasks)))
    assert metrics["n"] == 3


@pytest.mark.parametrize("export", EXPORTS)
def test_the_key_most_tasks_use_settles_two_links_without_extension(export) -> None:
    urls = ["https://cdn.example.com/i/1", "https://cdn.example.com/i/2", "https://x.example/i/3"]
    tasks = [({"img": url}, ["cat"]) for url in urls]
    tasks[0][0]["page"] = "https://shop.example.com/item/1"
    paths = predictions(["i/1", "i/2", "i/3"])
    metrics, _ = _evaluated(paths, "--truth", write_json(export(tasks)))
    assert metrics["n"] == 3


@pytest.mark.parametrize("export", EXPORTS)
def test_two_image_keys_no_task_settles_are_refused_naming_them(export) -> None:
    tasks = [
        ({"img": "https://cdn.example.com/i/1", "page": "https://shop.example.com/item/1"}, ["cat"])
    ]
    result = run("evaluate", predictions(["i/1"]), "--truth", write_json(export(tasks)))
    assert result.exit_code == 2, result.output
    assert "'img' and 'page'" in error_line(result.output)


# 3. The TSV export of a `$img` project.


def test_the_tsv_export_of_an_img_project_gets_the_json_hint() -> None:
    columns = ["annotation_id", "annotator", "choice", "id", "img", "zsl_path"]
    rows = [["1", "1", "cat", "1", "/data/local-files/?d=photos/cats/a.png", "photos/cats/a.png"]]
    with open("export.tsv", "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t")
        writer.writerow(columns)
        writer.writerows(rows)
    result = run("evaluate", predictions(PATHS), "--truth", "export.tsv")
    assert result.exit_code == 2, result.output
    line = error_line(result.output)
    assert "export the project as JSON or JSON_MIN" in line
    assert "found: annotation_id,annotator,choice,id,img,zsl_path)" in line
    assert "name them as above" not in line


# 4. The example of a skipped task.


def test_the_skipped_tasks_example_is_a_skipped_one() -> None:
    tasks = [(zsl_task(path), []) for path in PATHS] + [(uploaded("d.png"), ["cat"])]
    tasks.append((zsl_task("photos/cats/e.png"), []))
    _, stderr = _evaluated(
        predictions([*PATHS, "photos/cats/d.png"]),
        "--truth",
        write_json(_json(tasks, skipped=frozenset({3}))),
    )
    warning = next(line for line in stderr.splitlines() if "no annotation" in line)
    assert "1 of them skipped (task 3)" in warning, warning
