"""The exact notes a refused predictions file gets: a ground truth's header (spelt as truth CSVs
are read), another tool's path,label table, a top_k item lacking its fields, and two Label
Studio tasks of one image whose ids are no ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions, read_predictions_and_run_info

COLUMNS = "path,label,score,top_k_labels,top_k_scores,status,error"
NOT_OURS = "is not a zsl predictions CSV: the header must hold the columns " + COLUMNS
TRUTH = (
    " (it has no score, ranking or status: ground truth? give that as --truth, and first the "
    "predictions 'zsl label' wrote)"
)


def _refusal(path: Path, text: str) -> str:
    path.write_text(text)
    with pytest.raises(ZslError) as caught:
        read_predictions(path)
    return str(caught.value)


@pytest.mark.parametrize(
    "header", ["filename,label", "File Name,Label", "IMAGE,class", "file-path,category"]
)
def test_a_truth_header_however_spelt_is_told_to_go_to_truth(tmp_path: Path, header: str) -> None:
    path = tmp_path / "p.csv"
    assert _refusal(path, f"{header}\na.png,cat\n") == f"'{path}' {NOT_OURS}{TRUTH}"


def test_a_single_column_of_paths_is_not_told_it_is_a_truth(tmp_path: Path) -> None:
    # A list of paths holds no labels: no truth.
    path = tmp_path / "p.csv"
    assert _refusal(path, "path\na.png\nb.png\n") == f"'{path}' {NOT_OURS}"


def test_a_path_and_class_table_is_a_truth_but_not_another_tools_predictions(
    tmp_path: Path,
) -> None:
    # Only a path,label table has the columns of zsl's that another tool's predictions would.
    path = tmp_path / "p.csv"
    assert _refusal(path, "path,class\na.png,cat\n") == f"'{path}' {NOT_OURS}{TRUTH}"


def test_a_top_k_item_lacking_both_fields_names_the_label_first(tmp_path: Path) -> None:
    record = {"path": "a.png", "label": "cat", "score": 0.5, "status": "ok", "top_k": [{}]}
    path = tmp_path / "p.jsonl"
    message = _refusal(path, json.dumps(record) + "\n")
    no_label = "(top_k item 1 has no 'label' field)"
    assert message == f"{path}: line 1: not a zsl prediction record {no_label}"


def test_tasks_of_one_image_whose_ids_are_true_or_false_are_named_by_place(
    tmp_path: Path,
) -> None:
    data = {"zsl_path": "a.png", "zsl_label": "cat", "zsl_score": 0.5, "zsl_status": "ok"}
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([{"id": True, "data": data}, {"id": True, "data": data}]))

    with pytest.raises(ZslError) as caught:
        read_predictions_and_run_info(path, one_per_image=True)

    assert str(caught.value) == (
        f"{path}: tasks 1 and 2 name the same image, 'a.png'; keep one of them (in Label "
        "Studio: delete the task imported twice)"
    )


def test_tasks_that_also_hold_a_path_key_are_named_as_tasks(tmp_path: Path) -> None:
    # Label Studio tasks (their data) with a "path" beside it, from a tool that added one.
    data = {"zsl_path": "a.png", "zsl_label": "cat", "zsl_score": 0.5, "zsl_status": "ok"}
    task = {"data": data, "path": "a.png"}
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task, task]))

    with pytest.raises(ZslError) as caught:
        read_predictions_and_run_info(path, one_per_image=True)

    assert str(caught.value).startswith(f"{path}: tasks 1 and 2 name the same image, 'a.png';")
