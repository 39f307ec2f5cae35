"""Label Studio tasks from text holding a lone surrogate that is no file name's undecodable byte
(half of an emoji, as a JSON class file's "\\ud83d" escape reads): shown as U+FFFD, as the
undecodable bytes of a name are, and never as a surrogate, which Label Studio cannot store."""

from __future__ import annotations

import json
from pathlib import Path

from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import open_writer


def tasks_of(tmp_path: Path, predictions: list[Prediction]) -> list[dict]:
    (tmp_path / "root" / "photos").mkdir(parents=True)
    options = LabelStudioOptions(
        document_root=tmp_path / "root", url_prefix="http://127.0.0.1:8081/"
    )
    output = tmp_path / "tasks.json"
    with open_writer(str(output), "label-studio", label_studio=options) as writer:
        for prediction in predictions:
            writer.write(prediction)
        writer.close({})
    raw = output.read_bytes()
    raw.decode("utf-8")
    assert b"\\ud" not in raw
    tasks = json.loads(raw)
    assert isinstance(tasks, list)
    return tasks


def test_a_label_holding_half_an_emoji_shows_replacement_characters(tmp_path: Path) -> None:
    label = "cat \ud83d"
    photo = str(tmp_path / "root" / "photos" / "a.jpg")
    ranked = (LabelScore(label, 0.75), LabelScore("dog", 0.25))
    (task,) = tasks_of(tmp_path, [Prediction(photo, label, 0.75, ranked)])
    shown = task["data"]["zsl_label"]
    assert shown.startswith("cat \ufffd") and set(shown[4:]) == {"\ufffd"}
    assert task["data"]["zsl_top_k"][0]["label"] == shown
    assert task["predictions"][0]["result"][0]["value"]["choices"] == [shown]


def test_an_error_holding_a_lone_surrogate_beside_an_undecodable_name_shows_no_question_mark(
    tmp_path: Path,
) -> None:
    photo = str(tmp_path / "root" / "photos") + "/caf\udce9.jpg"
    failed = Prediction(photo, "", None, (), "unreadable", "bad \udfff marker in caf\udce9.jpg")
    (task,) = tasks_of(tmp_path, [failed])
    error = task["data"]["zsl_error"]
    assert error.startswith("bad \ufffd") and error.endswith(".jpg")
    assert "?" not in error and "\ufffd" in error[error.index("caf") :]
    assert task["data"]["zsl_path"].startswith(str(tmp_path))
