"""A Label Studio task list or JSON_MIN export holding a task that zsl did not write (no
zsl_path in its data) is refused as such, and an export's is told to go as --truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions


def _zsls_task(path: str) -> dict:
    return {"data": {"zsl_path": path, "zsl_label": "cat", "zsl_score": 0.9, "zsl_status": "ok"}}


def test_a_task_whose_data_has_no_zsl_path_is_refused_as_not_zsls(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([_zsls_task("a.png"), {"data": {"image": "b.png"}}]))
    with pytest.raises(ZslError, match="task 2: not a task written by zsl"):
        read_predictions(path)


def test_a_json_min_record_of_a_task_added_by_hand_says_to_give_the_export_as_truth(
    tmp_path: Path,
) -> None:
    record = {"id": 2, "image": "b.png", "choice": "dog", "annotation_id": 5}
    path = tmp_path / "export.json"
    path.write_text(json.dumps([record]))
    with pytest.raises(ZslError, match="not a task written by zsl.*the export as --truth"):
        read_predictions(path)
