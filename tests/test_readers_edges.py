"""Predictions read at their edges: a byte order mark (Notepad's "UTF-8 with BOM") before a
JSON document or a CSV however the format is told (piped, under a name of no format or of another
format), records that carry a Label Studio task's keys, rankings read back in every format, and
an indented document broken inside, refused naming the line and column of the fault."""

from __future__ import annotations

import io
import json

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.formatting import quoted
from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.readers import read_predictions, read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS, Prediction, RankedScores
from zsl_cli.writers import open_writer

BOM = b"\xef\xbb\xbf"
RECORD = {"path": "a.png", "label": "cat", "score": 0.75, "top_k": [], "status": "ok"}
TASK_DATA = {"image": "/data/local-files/?d=a.png", "zsl_path": "a.png", "zsl_label": "cat"}
TASK = {"data": {**TASK_DATA, "zsl_score": 0.75, "zsl_status": "ok"}, "predictions": []}
DOCUMENTS = {
    "json": json.dumps({"run": {"model": "m"}, "predictions": [RECORD]}, indent=2),
    "records": json.dumps([RECORD]),
    "label-studio": json.dumps([TASK]),
}
CSV = ",".join(CSV_COLUMNS) + "\na.png,cat,0.75,cat,0.75,ok,\n"


def _read(predictions) -> list[tuple[str, str, float | None]]:
    return [(p.path, p.label, p.score) for p in predictions]


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_a_json_document_led_by_a_bom_reads_from_stdin(kind) -> None:
    stdin = io.BytesIO(BOM + DOCUMENTS[kind].encode())
    predictions, _ = read_predictions_and_run_info("-", stdin=stdin)
    assert _read(predictions) == [("a.png", "cat", 0.75)]


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_a_json_document_led_by_a_bom_reads_under_a_name_of_no_format(tmp_path, kind) -> None:
    output = tmp_path / "predictions.txt"
    output.write_bytes(BOM + b"\r\n" + DOCUMENTS[kind].encode())
    assert _read(read_predictions(output)) == [("a.png", "cat", 0.75)]


@pytest.mark.parametrize("name", ["p.json", "p.jsonl"])
def test_a_csv_led_by_a_bom_under_a_json_name_reads_as_the_csv(tmp_path, name) -> None:
    output = tmp_path / name  # `zsl label ... > p.json` re-saved by a Windows editor
    output.write_bytes(BOM + CSV.encode())
    assert _read(read_predictions(output)) == [("a.png", "cat", 0.75)]


def test_a_json_document_led_by_a_bom_under_a_csv_name_reads_as_json(tmp_path) -> None:
    output = tmp_path / "p.csv"
    output.write_bytes(BOM + DOCUMENTS["json"].encode())
    predictions, run_info = read_predictions_and_run_info(output)
    assert _read(predictions) == [("a.png", "cat", 0.75)]
    assert run_info == {"model": "m"}


def test_records_carrying_a_tasks_id_and_zsl_path_are_each_read(tmp_path) -> None:
    # A table of zsl records joined with the Label Studio task each image went to: records (they
    # have a path), not a JSON_MIN export's rows, of which only one per task is read.
    records = [
        {**RECORD, "path": path, "id": 7, "zsl_path": "a.png"} for path in ("a.png", "b.png")
    ]
    output = tmp_path / "p.json"
    output.write_text(json.dumps(records))
    assert _read(read_predictions(output)) == [("a.png", "cat", 0.75), ("b.png", "cat", 0.75)]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "label-studio"])
def test_every_format_reads_back_the_rankings_it_was_written_with(tmp_path, fmt) -> None:
    written = [
        Prediction("a.png", "cat", 0.75, RankedScores(("cat", "dog", "bird"), [0.75, 0.2, 0.05])),
        Prediction("b.png", "dog", 0.5, RankedScores(("dog", "cat"), [0.5, 0.25])),
        Prediction("c.png", "", None, (), "not_an_image", "cannot identify"),
    ]
    path = tmp_path / f"p.{fmt}"
    with open_writer(path, fmt, label_studio=LabelStudioOptions(url_prefix="http://i")) as writer:
        for prediction in written:
            writer.write(prediction)
    read = read_predictions(path)
    assert [(p.path, p.label, p.score, p.status, p.error) for p in read] == [
        (p.path, p.label, p.score, p.status, p.error) for p in written
    ]
    assert [[tuple(choice) for choice in p.top_k] for p in read] == [
        [tuple(choice) for choice in p.top_k] for p in written
    ]


BROKEN_DOCUMENT = (
    b'{\n  "run": {"model": "m"},\n  "predictions": [\n'
    b'    {"path": "a.png", "label": "cat" "score": 0.75, "status": "ok"}\n  ]\n}\n'
)
BROKEN_AT = "Expecting ',' delimiter: line 4 column 38 (char 83)"


def test_an_indented_document_broken_inside_is_told_where_on_stdin() -> None:
    # Not read as JSON Lines, whose first line '{' would be the error, far from the fault.
    with pytest.raises(ZslError) as error:
        read_predictions_and_run_info("-", stdin=io.BytesIO(BROKEN_DOCUMENT))
    assert str(error.value) == f"'stdin' is not valid JSON: {BROKEN_AT}"


@pytest.mark.parametrize("name", ["p.txt", "p.json"])
def test_an_indented_document_broken_inside_is_told_where_in_a_file(tmp_path, name) -> None:
    output = tmp_path / name
    output.write_bytes(BROKEN_DOCUMENT)
    with pytest.raises(ZslError) as error:
        read_predictions(output)
    assert str(error.value) == f"{quoted(str(output))} is not valid JSON: {BROKEN_AT}"


def test_json_lines_broken_on_a_later_line_are_told_that_line(tmp_path) -> None:
    output = tmp_path / "p.txt"
    output.write_bytes(json.dumps(RECORD).encode() + b'\n{"path": "b.png" "label": "dog"}\n')
    with pytest.raises(ZslError) as error:
        read_predictions(output)
    assert str(error.value).startswith(f"{output}: line 2: not valid JSON (Expecting ',' ")
