"""The values read back from predictions files, checked against what the csv and json modules
make of the same text: scores kept exactly, a score of 0 kept as 0, a record's own top_k list
preferred over CSV columns beside it, a Label Studio task's exact path, run info that is no
object, and rows a header does not fit."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.files import sidecar_path
from zsl_cli.readers import read_predictions, read_predictions_and_run_info, unread_run_info

HEADER = "path,label,score,top_k_labels,top_k_scores,status,error"


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_scores_read_as_the_exact_floats_their_digits_write(tmp_path: Path) -> None:
    # Digits that float32 would round: 0.1 is 0.10000000149011612 there.
    text = f"{HEADER}\na.png,cat,0.1,cat|dog|fox,0.7|0.2|0.1,ok,\n"
    path = tmp_path / "p.csv"
    path.write_text(text)
    [row] = _csv_rows(text)

    [prediction] = read_predictions(path)

    assert prediction.score == float(row["score"]) == 0.1
    assert prediction.top_k.labels == tuple(row["top_k_labels"].split("|"))
    assert prediction.top_k.scores.tolist() == [float(s) for s in row["top_k_scores"].split("|")]
    assert prediction.top_k.scores.tolist() == [0.7, 0.2, 0.1]


def test_a_csv_row_with_a_cell_more_than_its_header_is_refused_naming_its_line(
    tmp_path: Path,
) -> None:
    # An error text with an unquoted comma, as a hand edit leaves it.
    text = f"{HEADER}\na.png,cat,0.5,cat,0.5,ok,\nb.png,,,,,not_an_image,cannot read, truncated\n"
    path = tmp_path / "p.csv"
    path.write_text(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert (len(rows[0]), len(rows[2])) == (7, 8)

    with pytest.raises(ZslError) as caught:
        read_predictions(path)

    assert str(caught.value) == f"{path}: line 3: expected 7 columns, found 8"


@pytest.mark.parametrize("score", [0, 0.0])
def test_a_json_record_scored_zero_reads_as_zero_not_as_no_score(
    tmp_path: Path, score: float
) -> None:
    record = {"path": "a.png", "label": "cat", "score": score, "top_k": [], "status": "ok"}
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(record) + "\n")

    [prediction] = read_predictions(path)

    assert prediction.score == 0.0
    assert prediction.score is not None


def test_a_records_own_top_k_list_is_read_before_csv_columns_beside_it(tmp_path: Path) -> None:
    # A table that kept both forms of the ranking: its top_k list is the record's own.
    record = {
        "path": "a.png",
        "label": "cat",
        "score": 0.75,
        "top_k": [{"label": "cat", "score": 0.75}, {"label": "dog", "score": 0.25}],
        "top_k_labels": "",
        "top_k_scores": "",
        "status": "ok",
    }
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(record) + "\n")

    [prediction] = read_predictions(path)

    assert prediction.top_k.labels == ("cat", "dog")
    assert prediction.top_k.scores.tolist() == [0.75, 0.25]


def test_a_label_studio_task_reads_the_exact_path_its_quoted_form_keeps(tmp_path: Path) -> None:
    # A file name that is not UTF-8 (Latin-1 é): the task shows it as U+FFFD, and keeps the
    # bytes percent-encoded.
    raw = b"imgs/caf\xe9 1.png"
    task = {
        "data": {
            "image": "/data/local-files/?d=imgs/caf%EF%BF%BD%201.png",
            "zsl_path": raw.decode("utf-8", "replace"),
            "zsl_path_quoted": "imgs/caf%E9%201.png",
            "zsl_label": "cat",
            "zsl_score": 0.5,
            "zsl_status": "ok",
            "zsl_top_k": [{"label": "cat", "score": 0.5}],
        }
    }
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task]))

    [prediction] = read_predictions(path)

    assert prediction.path == os.fsdecode(raw)
    assert prediction.label == "cat"


@pytest.mark.parametrize("run", [None, "r1", 3, ["a"]])
def test_a_json_documents_run_that_is_no_object_is_no_run_info(tmp_path: Path, run: object) -> None:
    record = {"path": "a.png", "label": "cat", "score": 0.5, "top_k": [], "status": "ok"}
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"run": run, "predictions": [record]}))

    predictions, run_info = read_predictions_and_run_info(path)

    assert [p.path for p in predictions] == ["a.png"]
    assert run_info is None


def test_a_document_whose_predictions_json_keeps_last_reads_as_json_loads_does(
    tmp_path: Path,
) -> None:
    # A key given twice: json.loads keeps the last, a list; the run, a string, is no run info.
    record = {"path": "a.png", "label": "cat", "score": 0.5, "top_k": [], "status": "ok"}
    text = '{"predictions": 1, "run": "r1", "predictions": [' + json.dumps(record) + "]}"
    assert json.loads(text)["predictions"] == [record]
    path = tmp_path / "p.json"
    path.write_text(text)

    predictions, run_info = read_predictions_and_run_info(path)

    assert [(p.path, p.label, p.score) for p in predictions] == [("a.png", "cat", 0.5)]
    assert run_info is None


def test_a_single_json_line_cut_short_on_stdin_is_left_out_with_a_warning() -> None:
    # Stdin: the content tells the format. One JSON Lines record, cut by a stopped run.
    cut = b'{"path": "a.png", "label": "cat", "score": 0.5'
    told: list[str] = []

    predictions, run_info = read_predictions_and_run_info(
        "-", warn=told.append, stdin=io.BytesIO(cut)
    )

    assert predictions == []
    assert run_info is None
    assert len(told) == 1
    assert told[0].startswith("stdin: line 1: the last line is cut short")


def _ranking_csv(path: Path, rankings: list[tuple[str, str]]) -> None:
    rows = [HEADER] + [
        f"{n}.png,{labels.split('|')[0]},{scores.split('|')[0]},{labels},{scores},ok,"
        for n, (labels, scores) in enumerate(rankings)
    ]
    path.write_text("\n".join(rows) + "\n")


def test_a_ranking_summing_to_a_little_under_one_is_no_whole_ranking(tmp_path: Path) -> None:
    # 0.995: a top-2 of three classes, not every class of a run; a later row ranking three
    # classes, whose scores sum to 1, is then of the same run.
    path = tmp_path / "p.csv"
    _ranking_csv(path, [("a|b", "0.6|0.395"), ("a|b|c", "0.5|0.3|0.2")])

    predictions = read_predictions(path)

    assert [len(p.top_k) for p in predictions] == [2, 3]


def test_a_ranking_summing_to_one_within_its_rounding_is_whole(tmp_path: Path) -> None:
    # 0.9999 sums to 1 within the 1e-4 that float32 and 7 digits may lose: a run's every class,
    # two, after a row ranking three.
    path = tmp_path / "p.csv"
    _ranking_csv(path, [("a|b|c", "0.5|0.3|0.2"), ("a|b", "0.9999|0")])
    assert sum([0.9999, 0.0]) == 1 - 1e-4

    with pytest.raises(ZslError) as caught:
        read_predictions(path)

    assert str(caught.value).startswith(
        f"{path}: line 3: ranks 2 classes where line 2 ranks 3 (outputs of runs"
    )


def test_unknown_in_a_ranking_counts_as_no_class(tmp_path: Path) -> None:
    # Line 2 ranks two classes and 'unknown', which no class list holds: as many classes as
    # line 3's whole ranking, so both read as one run's.
    path = tmp_path / "p.csv"
    _ranking_csv(path, [("a|b|unknown", "0.5|0.3|0.1"), ("a|b", "0.6|0.4")])

    predictions = read_predictions(path)

    assert [p.top_k.labels for p in predictions] == [("a", "b", "unknown"), ("a", "b")]


def test_a_failed_images_task_keeps_its_status_and_error(tmp_path: Path) -> None:
    task = {
        "data": {
            "zsl_path": "b.png",
            "zsl_label": "",
            "zsl_score": None,
            "zsl_status": "not_an_image",
            "zsl_error": "cannot identify image file",
            "zsl_top_k": [],
        }
    }
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task]))

    [prediction] = read_predictions(path)

    assert (prediction.path, prediction.label, prediction.score) == ("b.png", "", None)
    assert (prediction.status, prediction.error) == ("not_an_image", "cannot identify image file")


def test_a_score_too_large_for_a_float_is_refused_naming_its_line(tmp_path: Path) -> None:
    huge = "1" + "0" * 400  # an integer json reads whole, that no float holds
    record = '{"path": "a.png", "label": "cat", "score": ' + huge + ', "status": "ok"}'
    assert json.loads(record)["score"] == 10**400
    path = tmp_path / "p.jsonl"
    path.write_text(f"{record}\n")

    with pytest.raises(ZslError) as caught:
        read_predictions(path)

    assert str(caught.value) == (
        f"{path}: line 1: not a zsl prediction record (int too large to convert to float)"
    )


@pytest.mark.parametrize("info", ["[1, 2]", '"r1"', "null"])
def test_a_sidecar_holding_no_json_object_is_no_run_info(tmp_path: Path, info: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\na.png,cat,0.5,cat,0.5,ok,\n")
    sidecar = sidecar_path(path)
    sidecar.write_text(info)

    predictions, run_info = read_predictions_and_run_info(path)

    assert [p.path for p in predictions] == ["a.png"]
    assert run_info is None
    assert unread_run_info(path, predictions) == (sidecar, "it holds no JSON object")


def test_an_older_sidecar_counting_fewer_images_than_the_rows_is_left_unread(
    tmp_path: Path,
) -> None:
    # Written by a zsl that recorded no output size: its count tells it is another output's.
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\na.png,cat,0.5,cat,0.5,ok,\nb.png,cat,0.5,cat,0.5,ok,\n")
    sidecar = sidecar_path(path)
    sidecar.write_text(json.dumps({"summary": {"total": 1}}))

    predictions, run_info = read_predictions_and_run_info(path)

    assert [p.path for p in predictions] == ["a.png", "b.png"]
    assert run_info is None
    assert unread_run_info(path, predictions) == (
        sidecar,
        "written by an older zsl without the output's size, its image count (1) is not the "
        "predictions' (2), so it describes another output (written over since)",
    )
