"""`zsl evaluate - --truth EXPORT.json`: predictions piped in wait for their writer (a `zsl label`
still running, a terminal's Ctrl-D). Everything that does not need them (the export's format and
tasks, the --seen list) is checked before that wait; only the choice of the Choices control that
the predicted classes tell waits for them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from zsl_cli import api
from zsl_cli.errors import ZslError


class NotToBeRead(io.RawIOBase):
    """A stdin that fails the test where it is read: the error was due before it."""

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        raise OSError("no descriptor")

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        raise AssertionError("stdin was read before the error")


def task(number: int, data: dict, answers: dict[str, str]) -> dict:
    """A task of a hand-made project's JSON export, without zsl's pre-annotations: annotated
    with one choice per control in `answers`."""
    result = [
        {"from_name": control, "to_name": "image", "type": "choices", "value": {"choices": [c]}}
        for control, c in answers.items()
    ]
    return {
        "id": number,
        "data": data,
        "annotations": [{"id": number, "result": result, "was_cancelled": False}],
        "predictions": [],
    }


def write_export(tmp_path: Path, tasks: list[dict]) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks))
    return path


def good_tasks(controls: tuple[str, ...] = ("choice",)) -> list[dict]:
    return [
        task(n, {"img": f"photos/{name}.png"}, {control: name for control in controls})
        for n, name in enumerate(["cat", "dog", "bird"], start=1)
    ]


def evaluate_piped(export: Path, seen: str | None = None) -> None:
    api.evaluate(
        api.EvaluateRequest("-", str(export), seen, stdin=io.BufferedReader(NotToBeRead()))
    )


@pytest.mark.parametrize("controls", [("choice",), ("choice", "quality")])
def test_a_missing_seen_list_is_said_before_piped_predictions_are_read(
    tmp_path: Path, controls: tuple[str, ...]
) -> None:
    export = write_export(tmp_path, good_tasks(controls))
    with pytest.raises(ZslError, match="seen-class list not found"):
        evaluate_piped(export, str(tmp_path / "nope.txt"))


@pytest.mark.parametrize("controls", [("choice",), ("choice", "quality")])
def test_a_task_with_two_image_urls_is_refused_before_piped_predictions_are_read(
    tmp_path: Path, controls: tuple[str, ...]
) -> None:
    tasks = good_tasks(controls)
    for each in tasks:  # no key is the one most tasks hold their image under: every task has both
        each["data"]["thumb"] = each["data"]["img"].replace("photos/", "thumbs/")
        each["annotations"][0]["result"][0]["to_name"] = "picture"  # names neither key
    with pytest.raises(ZslError, match="task 1: its data keys 'img' and 'thumb' could each"):
        evaluate_piped(write_export(tmp_path, tasks))


def test_a_task_without_image_is_refused_before_piped_predictions_are_read(
    tmp_path: Path,
) -> None:
    tasks = good_tasks(("choice", "quality"))
    tasks[2]["data"] = {"text": "a caption"}
    with pytest.raises(ZslError, match="task 3: its data has no image"):
        evaluate_piped(write_export(tmp_path, tasks))


def test_an_image_in_two_tasks_with_two_classes_is_refused_before_piped_predictions_are_read(
    tmp_path: Path,
) -> None:
    tasks = good_tasks()
    tasks.append(task(4, {"img": "photos/cat.png"}, {"choice": "dog"}))
    with pytest.raises(ZslError, match="the tasks with ids 1 and 4 name the same image"):
        evaluate_piped(write_export(tmp_path, tasks))


def test_an_error_of_one_control_only_waits_for_the_predictions(tmp_path: Path) -> None:
    # The two controls' answers are the same classes; only 'quality' has a task that names one
    # image twice with two of them: which control holds the classes, the predictions must tell.
    tasks = good_tasks(("choice", "quality"))
    tasks.append(task(4, {"img": "photos/cat.png"}, {"choice": "cat", "quality": "dog"}))
    export = write_export(tmp_path, tasks)
    with pytest.raises(AssertionError, match="stdin was read"):
        evaluate_piped(export)


def test_a_pipe_kept_open_does_not_delay_the_seen_list_s_error(tmp_path: Path) -> None:
    export = write_export(tmp_path, good_tasks())
    command = [sys.executable, "-m", "zsl_cli", "evaluate", "-", "--truth", str(export)]
    command += ["--seen", str(tmp_path / "nope.txt")]
    # stdin: a pipe no one writes to nor closes (a `zsl label` still running).
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail("the error waited for the predictions' pipe to end")
    finally:
        assert process.stdin is not None and process.stderr is not None
        process.stdin.close()
        stderr = process.stderr.read()
        process.stderr.close()
    assert process.returncode == 2, stderr
    assert b"seen-class list not found" in stderr, stderr
