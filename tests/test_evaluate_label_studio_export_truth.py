"""`zsl evaluate TASKS --truth EXPORT`: a Label Studio project's JSON or JSON_MIN export as the
ground truth, the class each task's annotators chose. The exports are written here in the shapes
label-studio 1.23.2 writes them (benchmarks/label_studio_check.py checks them against a real
server): JSON lists the predictions by id only, JSON_MIN leaves skipped tasks out."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.evaluation_helpers import touch
from tests.helpers import error_line, run
from zsl_cli import evaluation
from zsl_cli.cli import app
from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer

SKIP = "skip"  # an annotation cancelled: the labeller skipped the task

# Each image's prediction, then its annotations (each one's choices, or SKIP).
PROJECT: dict[str, tuple[str, list]] = {
    "a.png": ("cat", [("cat",)]),  # accepted
    "b.png": ("dog", [("cat",)]),  # corrected
    "c.png": ("cat", [SKIP]),  # skipped
    "d.png": ("dog", []),  # left unannotated
    "e.png": ("cat", [("cat",), ("dog",)]),  # two annotators disagree
    "f.png": ("dog", [("cat", "dog")]),  # one annotation choosing two classes
    "g.png": ("cat", [("cat",), ("cat",)]),  # two annotators agree
    "h.png": ("unknown", [("dog",)]),  # zsl abstained (a task without prediction)
}
# Scored: a, g right; b, h wrong.
RIGHT, SCORED = 2, 4


@pytest.fixture
def tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tasks file `zsl label -f label-studio` writes for PROJECT's images."""
    monkeypatch.chdir(tmp_path)
    return write_tasks(Path("tasks.json"), {name: label for name, (label, _) in PROJECT.items()})


def write_tasks(
    target: Path, labels: dict[str, str], options: LabelStudioOptions | None = None
) -> Path:
    options = options or LabelStudioOptions(document_root=Path.cwd(), model_version="zsl-test")
    with open_writer(str(target), "label-studio", label_studio=options) as writer:
        for name, label in labels.items():
            path = f"photos/{name}"
            touch(path)
            ranking = () if label == "unknown" else (LabelScore(label, 0.8),)
            writer.write(Prediction(path=path, label=label, score=0.8, top_k=ranking))
        writer.close({"model": "test"})
    return target


def _result(choices: tuple[str, ...], from_name: str = "choice") -> list[dict]:
    value = {"choices": list(choices)}
    return [{"from_name": from_name, "to_name": "image", "type": "choices", "value": value}]


def json_export(
    tasks_file: Path, annotations: list[list], *, ground_truth: Collection[tuple[int, int]] = ()
) -> list[dict]:
    """A JSON export of the tasks in `tasks_file` (ids from 1), the i-th annotated as
    `annotations[i]` says: `predictions` as their ids, each annotation with the prediction it
    started from. `ground_truth`: (task, annotation) indices starred as ground truth."""
    exported = []
    annotation_id = 0
    for number, (task, annotated) in enumerate(
        zip(json.loads(tasks_file.read_text()), annotations, strict=True)
    ):
        task_id = number + 1
        predictions = task.get("predictions", [])
        made = []
        for index, choices in enumerate(annotated):
            annotation_id += 1
            prediction = {**predictions[0], "id": task_id, "task": task_id} if predictions else {}
            made.append(
                {
                    "id": annotation_id,
                    "completed_by": 1,
                    "result": [] if choices == SKIP else _result(choices),
                    "was_cancelled": choices == SKIP,
                    "ground_truth": (number, index) in ground_truth,
                    "created_at": "2026-01-01T00:00:00.000000Z",
                    "lead_time": 3.5,
                    "prediction": prediction,
                    "result_count": 0 if choices == SKIP else 1,
                    "task": task_id,
                    "project": 1,
                    "parent_prediction": None,
                }
            )
        exported.append(
            {
                "id": task_id,
                "annotations": made,
                "drafts": [],
                "predictions": [task_id] if predictions else [],
                "data": task["data"],
                "meta": {},
                "total_annotations": sum(choices != SKIP for choices in annotated),
                "cancelled_annotations": sum(choices == SKIP for choices in annotated),
                "total_predictions": len(predictions),
                "project": 1,
            }
        )
    return exported


def json_min_export(tasks_file: Path, annotations: list[list], control: str = "choice") -> list:
    """A JSON_MIN export of the same (all tasks): a record per annotation, the task's data keys
    beside its id and the control's answer; a task never annotated once, with null annotation
    fields; a skipped annotation, and a task with only that, left out."""
    records = []
    annotation_id = 0
    for number, (task, annotated) in enumerate(
        zip(json.loads(tasks_file.read_text()), annotations, strict=True)
    ):
        meta = {"created_at": None, "updated_at": None, "lead_time": None}
        if not annotated:
            records.append(
                {**task["data"], "id": number + 1, "annotator": None, "annotation_id": None, **meta}
            )
        for choices in annotated:
            annotation_id += 1
            if choices == SKIP:
                continue
            answer = choices[0] if len(choices) == 1 else {"choices": list(choices)}
            record = {**task["data"], "id": number + 1, control: answer, "annotator": 1}
            records.append({**record, "annotation_id": annotation_id, **meta})
    return records


def annotations_of(project: dict[str, tuple[str, list]]) -> list[list]:
    return [annotated for _, annotated in project.values()]


def write_json(path: str, value: object) -> Path:
    Path(path).write_text(json.dumps(value, indent=2), encoding="utf-8")
    return Path(path)


def scored(*args: object) -> tuple[int, int, list[str]]:
    """`zsl evaluate` with these arguments: the images scored, those right, and its warnings."""
    result = run("evaluate", *args, "--json", "-", "--quiet")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    right = round(metrics["top_k"]["1"]["overall"] * metrics["n"])
    return metrics["n"], right, metrics["warnings"]


def test_a_json_export_is_the_truth_of_its_annotated_tasks(tasks: Path) -> None:
    export = write_json("export.json", json_export(tasks, annotations_of(PROJECT)))
    n, right, warnings = scored(tasks, "--truth", export)
    assert (n, right) == (SCORED, RIGHT)
    assert warnings[:3] == [
        "2 tasks of export.json have no annotation (e.g. task 4), 1 of them skipped (task 3): "
        "no ground truth, left out",
        "1 task of export.json has an annotation that chooses several classes (e.g. task 6: "
        "'cat', 'dog'): left out, as evaluate takes one class per image",
        "1 task of export.json has annotations that disagree (e.g. task 5: 'cat' and 'dog'): "
        "left out; settle them in Label Studio (keep one annotation, or in a JSON export star "
        "one as ground truth)",
    ]


def test_a_json_min_export_is_the_same_truth(tasks: Path) -> None:
    export = write_json("export.json", json_min_export(tasks, annotations_of(PROJECT)))
    n, right, warnings = scored(tasks, "--truth", export)
    assert (n, right) == (SCORED, RIGHT)
    # JSON_MIN holds no skipped task: c.png is only a prediction without truth.
    assert warnings[0] == (
        "1 task of export.json has no annotation (e.g. task 4): no ground truth, left out"
    )
    assert "(e.g. task 5: 'cat' and 'dog')" in warnings[2]


def test_the_left_out_tasks_are_predictions_without_truth(tasks: Path) -> None:
    export = write_json("export.json", json_export(tasks, annotations_of(PROJECT)))
    result = run("evaluate", tasks, "--truth", export, "--json", "-", "--quiet")
    unmatched = json.loads(result.stdout)["unmatched"]
    assert unmatched["predictions"] == {
        "count": 4,
        "examples": ["photos/c.png", "photos/d.png", "photos/e.png", "photos/f.png"],
    }
    assert unmatched["truth"]["count"] == 0


def test_the_warnings_go_to_stderr_before_the_table(tasks: Path) -> None:
    export = write_json("export.json", json_export(tasks, annotations_of(PROJECT)))
    result = run("evaluate", tasks, "--truth", export)
    assert result.exit_code == 0, result.output
    assert "warning: 2 tasks of export.json have no annotation" in result.stderr
    assert "Evaluated 4 images" in result.stdout


def test_an_annotation_starred_as_ground_truth_settles_a_disagreement(tasks: Path) -> None:
    # e.png's second annotation ('dog', prediction 'cat') starred: e counts, wrong.
    exported = json_export(tasks, annotations_of(PROJECT), ground_truth={(4, 1)})
    n, right, warnings = scored(tasks, "--truth", write_json("export.json", exported))
    assert (n, right) == (SCORED + 1, RIGHT)
    assert not any("disagree" in warning for warning in warnings)


def test_the_class_comes_from_the_control_zsls_predictions_fill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A project with a second Choices control (image quality): its answers are no class.
    monkeypatch.chdir(tmp_path)
    options = LabelStudioOptions(
        from_name="species", document_root=tmp_path, model_version="zsl-test"
    )
    tasks = write_tasks(Path("tasks.json"), {"a.png": "cat", "b.png": "dog"}, options)
    exported = json_export(tasks, [[("cat",)], [("cat",)]])
    for task in exported:
        (annotation,) = task["annotations"]
        annotation["result"] = _result(("sharp",), "quality") + _result(
            annotation["result"][0]["value"]["choices"], "species"
        )
    n, right, _ = scored(tasks, "--truth", write_json("export.json", exported))
    assert (n, right) == (2, 1)


def test_an_export_of_other_tasks_takes_the_image_url(tasks: Path) -> None:
    # Tasks Label Studio made itself (a storage synced): no zsl_path, only the image's URL.
    exported = json_export(tasks, annotations_of(PROJECT))
    for task in exported:
        task["data"] = {"image": task["data"]["image"]}
        assert task["data"]["image"].startswith("/data/local-files/?d=photos/")
    n, right, _ = scored(tasks, "--truth", write_json("export.json", exported))
    assert (n, right) == (SCORED, RIGHT)


def test_an_image_in_two_tasks_with_two_labels_is_refused(tasks: Path) -> None:
    exported = json_export(tasks, annotations_of(PROJECT))
    again = json.loads(json.dumps(exported[0]))
    again["id"] = 99
    again["annotations"][0]["result"] = _result(("dog",))
    result = run("evaluate", tasks, "--truth", write_json("export.json", [*exported, again]))
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == (
        "zsl: error: export.json: the tasks with ids 1 and 99 name the same image, "
        "'photos/a.png', labelled 'cat' and 'dog'; keep one of them (in Label Studio: delete "
        "the task imported twice)"
    )


def test_an_image_in_two_tasks_with_one_label_counts_once(tasks: Path) -> None:
    exported = json_export(tasks, annotations_of(PROJECT))
    again = {**exported[0], "id": 99}
    n, right, _ = scored(tasks, "--truth", write_json("export.json", [*exported, again]))
    assert (n, right) == (SCORED, RIGHT)


TEXT_ANSWER = [{"from_name": "note", "to_name": "image", "type": "textarea"}]


@pytest.mark.parametrize(
    ("export", "message"),
    [
        (
            [],
            "export.json holds an empty JSON list: no task to take the ground truth from (a "
            "Label Studio export made before any task was annotated?)",
        ),
        (
            [{"id": 1, "data": {"image": "/data/local-files/?d=photos/a.png"}, "predictions": []}],
            "export.json holds Label Studio tasks without annotations (the tasks file 'zsl label "
            "-f label-studio' wrote?): give the project's JSON or JSON_MIN export, made once its "
            "tasks are annotated",
        ),
        (
            [
                {
                    "id": 1,
                    "data": {"image": "/data/local-files/?d=photos/a.png"},
                    "annotations": [
                        {"id": 1, "result": [{**TEXT_ANSWER[0], "value": {"text": ["a cat"]}}]}
                    ],
                    "predictions": [],
                }
            ],
            "export.json: no annotation of this Label Studio export answers a Choices control "
            "(its labelling config has none?): evaluate takes one class per image, from a "
            "Choices tag",
        ),
        (
            [{"id": 1, "data": {"image": "x.png"}, "annotations": [{"id": 1, "result": []}]}],
            "export.json: no annotation of this Label Studio export answers a Choices control "
            "(its labelling config has none?): evaluate takes one class per image, from a "
            "Choices tag",
        ),
        (
            [{"id": 1, "data": {"image": "x.png"}, "annotations": []}],
            "export.json: none of its 1 task has an annotation (skipped ones do not count): "
            "annotate them in Label Studio, then export the project again",
        ),
        (
            [{"path": "photos/a.png", "label": "cat"}],
            "export.json holds JSON, not a ground-truth CSV: give a folder of class sub-folders, "
            "a CSV with columns path,label (from an annotation tool, export CSV or class "
            "folders) or a Label Studio project's JSON or JSON_MIN export",
        ),
    ],
)
def test_an_export_without_ground_truth_is_one_line(tasks: Path, export: list, message: str):
    result = run("evaluate", tasks, "--truth", write_json("export.json", export))
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == f"zsl: error: {message}"
    assert "Traceback" not in result.output


def test_an_export_whose_every_task_is_left_out_says_why(tasks: Path) -> None:
    annotated = [[SKIP], [], [("cat",), ("dog",)], [("cat", "dog")]] + [[]] * (len(PROJECT) - 4)
    result = run("evaluate", tasks, "--truth", write_json("e.json", json_export(tasks, annotated)))
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == (
        "zsl: error: e.json: no task gives one class to score against (6 without annotation, "
        "1 choosing several classes, 1 whose annotations disagree)"
    )


def test_a_json_min_text_answer_is_told_from_the_choice_by_the_predicted_classes(
    tasks: Path,
) -> None:
    # A one-line TextArea's answer is a string too: its answers are none of the classes.
    records = json_min_export(tasks, annotations_of(PROJECT))
    for record in records:
        if record["annotation_id"] is not None:
            record["note"] = "blurry"
    n, right, _ = scored(tasks, "--truth", write_json("export.json", records))
    assert (n, right) == (SCORED, RIGHT)


def test_a_json_min_export_reads_the_control_by_its_name(tasks: Path) -> None:
    records = json_min_export(tasks, annotations_of(PROJECT), control="my species")
    n, right, _ = scored(tasks, "--truth", write_json("export.json", records))
    assert (n, right) == (SCORED, RIGHT)


def test_a_reserved_choice_is_refused_naming_a_task_image(tasks: Path) -> None:
    annotated = annotations_of(PROJECT)
    annotated[0] = [("unknown",)]
    result = run("evaluate", tasks, "--truth", write_json("e.json", json_export(tasks, annotated)))
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == (
        "zsl: error: e.json: the choice 'unknown' is a reserved name in evaluation (abstentions "
        "and failed images): skip those tasks in Label Studio instead (e.g. that of "
        "'photos/a.png'), as skipped tasks are no ground truth"
    )


def test_evaluate_help_names_an_export_as_truth() -> None:
    result = run("evaluate", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Label Studio" in text and "JSON_MIN export" in text


@pytest.mark.parametrize("export", [json_export, json_min_export])
def test_the_export_itself_is_the_predictions_and_the_truth(tasks: Path, export) -> None:
    # Its zsl_* data is zsl's record of each task, its annotations the truth.
    exported = write_json("export.json", export(tasks, annotations_of(PROJECT)))
    n, right, _ = scored(exported, "--truth", exported)
    assert (n, right) == (SCORED, RIGHT)


def test_a_truth_csv_given_as_the_predictions_too_is_still_refused(tasks: Path) -> None:
    Path("truth.csv").write_text("path,label\nphotos/a.png,cat\n")
    result = run("evaluate", "truth.csv", "--truth", "truth.csv")
    assert result.exit_code == 2, result.output
    assert "is the predictions file itself" in error_line(result.stderr)


def _hand_copy(task: dict, task_id: int, label: str) -> dict:
    """A task added to the project by hand for the same image: its URL alone, no zsl_* keys."""
    copy = json.loads(json.dumps(task))
    copy["id"] = task_id
    copy["data"] = {"image": task["data"]["image"]}
    copy["predictions"] = []
    for annotation in copy["annotations"]:
        annotation["result"] = _result((label,))
        annotation["prediction"] = {}
    return copy


@pytest.fixture
def rooted_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PROJECT's tasks file for a document root below the current folder: the images' URLs
    (`?d=a.png`) are other paths than zsl's own (`photos/a.png`)."""
    monkeypatch.chdir(tmp_path)
    options = LabelStudioOptions(document_root=tmp_path / "photos", model_version="zsl-test")
    labels = {name: label for name, (label, _) in PROJECT.items()}
    return write_tasks(Path("tasks.json"), labels, options)


def test_an_image_imported_again_by_hand_with_another_label_is_refused(
    rooted_tasks: Path,
) -> None:
    tasks = rooted_tasks
    exported = json_export(tasks, annotations_of(PROJECT))
    again = _hand_copy(exported[0], 99, "dog")
    for order in ([*exported, again], [again, *exported]):
        result = run("evaluate", tasks, "--truth", write_json("export.json", order))
        assert result.exit_code == 2, result.output
        ids = "1 and 99" if order[0]["id"] == 1 else "99 and 1"
        assert f"the tasks with ids {ids} name the same image" in error_line(result.stderr)


def test_an_image_imported_again_by_hand_with_its_label_counts_once(rooted_tasks: Path) -> None:
    tasks = rooted_tasks
    exported = json_export(tasks, annotations_of(PROJECT))
    again = _hand_copy(exported[0], 99, "cat")
    result = run("evaluate", tasks, "--truth", write_json("e.json", [again, *exported]))
    assert result.exit_code == 0, result.output
    metrics = json.loads(run("evaluate", tasks, "--truth", "e.json", "--json", "-").stdout)
    assert metrics["n"] == SCORED
    assert metrics["unmatched"]["truth"]["count"] == 0


def test_a_json_min_export_of_tasks_with_another_data_field_takes_the_choice(tasks: Path) -> None:
    # A field imported with each task (a batch name) is beside the answers in every record.
    records = json_min_export(tasks, annotations_of(PROJECT))
    for record in records:
        record["batch"] = "2026-12"
    n, right, _ = scored(tasks, "--truth", write_json("export.json", records))
    assert (n, right) == (SCORED, RIGHT)


def _hand_tasks(tasks_file: Path, answers: list[dict[str, str]]) -> list[dict]:
    """A JSON export of tasks added by hand for the images of `tasks_file` (their URLs only, no
    prediction), the i-th annotated once with `answers[i]`: each control's one choice."""
    exported = []
    for number, (task, answered) in enumerate(
        zip(json.loads(tasks_file.read_text()), answers, strict=True), start=1
    ):
        result = [r for control, choice in answered.items() for r in _result((choice,), control)]
        annotation = {"id": number, "result": result, "was_cancelled": False, "prediction": {}}
        exported.append(
            {
                "id": number,
                "data": {"image": task["data"]["image"]},
                "annotations": [annotation],
                "predictions": [],
            }
        )
    return exported


def _as_json_min(exported: list[dict], **data: str) -> list[dict]:
    """The JSON_MIN export of the same tasks, with more `data` fields in each."""
    return [
        {
            **task["data"],
            **data,
            "id": task["id"],
            **{r["from_name"]: r["value"]["choices"][0] for r in task["annotations"][0]["result"]},
            "annotator": 1,
            "annotation_id": task["id"],
        }
        for task in exported
    ]


TWO_CONTROLS = [
    {"class": "cat", "quality": "good"},
    {"class": "cat", "quality": "blurry"},
    {"class": "dog", "quality": "good"},
]


@pytest.fixture
def three_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """zsl's tasks of three images, predicted cat, dog, dog."""
    monkeypatch.chdir(tmp_path)
    return write_tasks(Path("tasks.json"), {"a.png": "cat", "b.png": "dog", "c.png": "dog"})


def test_tasks_added_by_hand_with_two_choices_controls_take_the_predicted_classes_one(
    three_tasks: Path,
) -> None:
    # No prediction in the export names a control: the class one is that whose answers are
    # the classes the predictions name.
    exported = _hand_tasks(three_tasks, TWO_CONTROLS)
    for export in (exported, _as_json_min(exported), _as_json_min(exported, batch="2026-12")):
        n, right, _ = scored(three_tasks, "--truth", write_json("export.json", export))
        assert (n, right) == (3, 2)


def test_predictions_read_from_stdin_choose_the_control_too(three_tasks: Path) -> None:
    write_json("export.json", _as_json_min(_hand_tasks(three_tasks, TWO_CONTROLS)))
    result = CliRunner().invoke(
        app,
        ["evaluate", "-", "--truth", "export.json", "--json", "-", "--quiet"],
        input=three_tasks.read_bytes(),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 3


def test_the_predicted_control_is_the_class_one_though_only_another_is_answered(
    three_tasks: Path,
) -> None:
    # Annotators have so far answered only the quality control: no task has a class yet.
    exported = json_export(three_tasks, [[("cat",)], [("dog",)], [("dog",)]])
    for task in exported:
        task["annotations"][0]["result"] = _result(("good",), "quality")
    result = run("evaluate", three_tasks, "--truth", write_json("export.json", exported))
    assert result.exit_code == 2, result.output
    line = error_line(result.stderr)
    assert line.startswith("zsl: error: export.json: no task gives one class to score against")
    assert "good" not in line


def test_a_json_min_export_answering_only_another_control_is_refused_as_json_s_is(
    three_tasks: Path,
) -> None:
    # JSON_MIN names no predicted control: the one answered, whose answers are none of the
    # predicted classes, was scored as the classes (0% against good and bad), exit 0.
    exported = json_min_export(three_tasks, [[("good",)], [("bad",)], [("good",)]], "quality")
    result = run("evaluate", three_tasks, "--truth", write_json("export.json", exported))
    assert result.exit_code == 2, result.output
    line = error_line(result.stderr)
    assert line.startswith("zsl: error: export.json: no task gives one class to score against")
    assert "'quality' (bad, good)" in line


def test_two_controls_neither_of_the_predicted_classes_are_refused_in_one_line(
    three_tasks: Path,
) -> None:
    answers = [{"class": "tabby", "quality": "good"}] * 3
    for export in (
        _hand_tasks(three_tasks, answers),
        _as_json_min(_hand_tasks(three_tasks, answers)),
    ):
        result = run("evaluate", three_tasks, "--truth", write_json("export.json", export))
        assert result.exit_code == 2, result.output
        line = error_line(result.stderr)
        assert "'class', 'quality'" in line and "Traceback" not in result.output
        assert "export the project as JSON" not in line  # JSON would be refused the same
        assert "one Choices control" not in line  # no export gives that


def test_a_label_studio_csv_export_as_truth_is_sent_to_the_json_export(tasks: Path) -> None:
    Path("project-1.csv").write_text(
        "annotation_id,annotator,choice,created_at,id,image,lead_time,updated_at\n"
        "1,1,cat,2026-12-05,1,/data/local-files/?d=photos/a.png,3.5,2026-12-05\n"
        ",,,,2,/data/local-files/?d=photos/b.png,,\n"
    )
    result = run("evaluate", tasks, "--truth", "project-1.csv")
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr).endswith(
        "(a Label Studio CSV export: export the project as JSON or JSON_MIN and give that as "
        "--truth)"
    )


def test_tasks_annotated_only_in_another_control_are_told_from_tasks_without_annotation(
    tasks: Path,
) -> None:
    exported = json_export(tasks, annotations_of(PROJECT))
    # a.png's annotation answers only the image quality: it has no class, but an annotation.
    exported[0]["annotations"][0]["result"] = _result(("good",), "quality")
    n, _, warnings = scored(tasks, "--truth", write_json("export.json", exported))
    assert n == SCORED - 1
    assert warnings[:2] == [
        "2 tasks of export.json have no annotation (e.g. task 4), 1 of them skipped (task 3): "
        "no ground truth, left out",
        "1 task of export.json has annotations, but none choosing a class in 'choice' (e.g. "
        "task 1): no ground truth, left out",
    ]


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ("", "export.json, task 1: the choice is empty"),
        (
            "cat|dog",
            "export.json, task 1: the choice 'cat|dog' holds '|', which no class name holds "
            "(several labels? evaluate takes one class per image)",
        ),
    ],
)
def test_an_exported_choice_is_checked_as_a_truth_csv_label_is(
    tasks: Path, choice: str, message: str
) -> None:
    annotated = annotations_of(PROJECT)
    annotated[0] = [(choice,)]
    result = run(
        "evaluate", tasks, "--truth", write_json("export.json", json_export(tasks, annotated))
    )
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == f"zsl: error: {message}"


def test_a_truth_not_found_names_a_label_studio_export_among_what_to_give(tasks: Path) -> None:
    result = run("evaluate", tasks, "--truth", "project-1-export.json")
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == (
        "zsl: error: ground truth not found: project-1-export.json (give a class-folder tree, a "
        "CSV file or a Label Studio project's JSON or JSON_MIN export)"
    )


@pytest.mark.parametrize("json_min", [False, True])
def test_a_task_added_by_hand_in_the_export_as_predictions_is_named_by_its_id(
    tasks: Path, json_min: bool
) -> None:
    exported = json_export(tasks, annotations_of(PROJECT))
    if json_min:
        hand = {"image": exported[0]["data"]["image"], "id": 99, "choice": "cat"}
        exported = json_min_export(tasks, annotations_of(PROJECT))
        exported.insert(1, {**hand, "annotator": 1, "annotation_id": 99})
    else:
        exported.insert(1, _hand_copy(exported[0], 99, "cat"))
    write_json("export.json", exported)
    result = run("evaluate", "export.json", "--truth", "export.json")
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == (
        "zsl: error: export.json: task 99 (item 2): not a task written by zsl (its data has no "
        "zsl_path): give the tasks file 'zsl label -f label-studio' wrote as the predictions, "
        "and the export as --truth"
    )


def _url_tasks(urls_and_labels: list[tuple[str, str]], json_min: bool) -> list[dict]:
    """An export of tasks added by hand, each an image URL annotated once with one class."""
    exported = [
        {
            "id": number,
            "data": {"image": url},
            "annotations": [{"id": number, "result": _result((label,)), "was_cancelled": False}],
            "predictions": [],
        }
        for number, (url, label) in enumerate(urls_and_labels, start=1)
    ]
    return _as_json_min(exported) if json_min else exported


@pytest.mark.parametrize("json_min", [False, True])
@pytest.mark.parametrize(
    ("other", "label"),
    [
        ("https://h2.example/photos/a.png", "cat"),  # another host
        ("https://h1.example/photos/a.png?v=2", "dog"),  # another query (an S3 or Drive URL)
    ],
)
def test_tasks_whose_urls_differ_in_host_or_query_are_refused_as_in_a_truth_csv(
    tasks: Path, json_min: bool, other: str, label: str
) -> None:
    # Probably two files: read as one image, accuracy was over fewer images than the tasks.
    first = "https://h1.example/photos/a.png"
    export = _url_tasks(
        [(first, "cat"), (other, label), ("https://h1.example/photos/b.png", "cat")], json_min
    )
    result = run("evaluate", tasks, "--truth", write_json("export.json", export))
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == (
        f"zsl: error: export.json, task 2: {other} and {first} (task 1) both name photos/a.png "
        "(a URL's host and query are dropped): give the files' local paths, in a path,label "
        "CSV as the ground truth"
    )
    # The same rows as a truth CSV are refused by the same rule.
    Path("truth.csv").write_text(f"path,label\n{first},cat\n{other},{label}\n")
    csv_line = error_line(run("evaluate", tasks, "--truth", "truth.csv").stderr)
    assert "(a URL's host and query are dropped): give the files' local paths" in csv_line


def test_tasks_of_one_http_url_are_one_image(tasks: Path) -> None:
    # The same URL twice is the same file, imported twice.
    url = "https://h1.example/photos/a.png"
    export = _url_tasks(
        [(url, "cat"), (url, "cat"), ("https://h1.example/photos/b.png", "cat")], False
    )
    n, right, _ = scored(tasks, "--truth", write_json("export.json", export))
    assert (n, right) == (2, 1)
    export[1]["annotations"][0]["result"] = _result(("dog",))
    result = run("evaluate", tasks, "--truth", write_json("export.json", export))
    assert "delete the task imported twice" in error_line(result.stderr)


@pytest.mark.parametrize("export", [json_export, json_min_export])
def test_annotations_spelling_one_class_otherwise_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, export
) -> None:
    # A decomposed accent, a no-break space: one class, as two rows of a truth CSV are.
    monkeypatch.chdir(tmp_path)
    tasks = write_tasks(Path("tasks.json"), {"a.png": "café", "b.png": "grey cat"})
    annotated = [[("café",), ("cafe\u0301",)], [("grey cat",), ("grey\u00a0cat",), ("grey cat",)]]
    n, right, warnings = scored(
        tasks, "--truth", write_json("export.json", export(tasks, annotated))
    )
    assert (n, right) == (2, 2)
    assert not any("disagree" in warning for warning in warnings)


def test_annotations_that_disagree_are_named_by_two_classes(tasks: Path) -> None:
    # Two spellings of one class and another class: the warning names two classes.
    annotated = annotations_of(PROJECT)
    annotated[4] = [("cat",), ("cat\u00a0",), ("dog",)]
    _, _, warnings = scored(tasks, "--truth", write_json("e.json", json_export(tasks, annotated)))
    assert "(e.g. task 5: 'cat' and 'dog')" in warnings[2]


@pytest.mark.parametrize("export", [json_export, json_min_export])
def test_an_export_as_predictions_and_truth_says_its_own_error(tasks: Path, export) -> None:
    # It was "the ground truth export.json is the predictions file itself".
    exported = write_json("export.json", export(tasks, [[]] * len(PROJECT)))
    result = run("evaluate", exported, "--truth", exported)
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr) == (
        "zsl: error: export.json: none of its 8 tasks has an annotation (skipped ones do not "
        "count): annotate them in Label Studio, then export the project again"
    )


def test_the_tasks_file_as_predictions_and_truth_is_told_it_has_no_annotations(
    tasks: Path,
) -> None:
    result = run("evaluate", tasks, "--truth", tasks)
    assert result.exit_code == 2, result.output
    assert error_line(result.stderr).startswith(
        "zsl: error: tasks.json holds Label Studio tasks without annotations (the tasks file "
        "'zsl label -f label-studio' wrote?)"
    )


def test_an_export_as_predictions_and_truth_is_read_as_the_truth_once(
    tasks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = write_json("export.json", json_export(tasks, annotations_of(PROJECT)))
    read = []

    def reading(*args, **kwargs):
        read.append(args[1])
        return label_studio_export(*args, **kwargs)

    label_studio_export = evaluation.label_studio_export
    monkeypatch.setattr(evaluation, "label_studio_export", reading)
    result = evaluation.evaluate_files(exported, exported)
    assert result.n == SCORED
    assert read == ["export.json"]


def test_a_file_given_as_both_names_the_export_among_the_truths_to_give(tasks: Path) -> None:
    Path("truth.csv").write_text("path,label\nphotos/a.png,cat\n")
    result = run("evaluate", "truth.csv", "--truth", "truth.csv")
    assert error_line(result.stderr) == (
        "zsl: error: the ground truth truth.csv is the predictions file itself; give the true "
        "labels (a class-folder tree, a path,label CSV or a Label Studio project's JSON or "
        "JSON_MIN export)"
    )
