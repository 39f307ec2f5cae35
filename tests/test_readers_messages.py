"""What reading predictions says of a file that is nearly zsl's: a column missing or repeated,
another tool's or Label Studio's CSV, a header repeated after a byte-order mark, a JSON Lines
line that is no object or a comment, blank lines of spaces, an image listed twice."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.evaluation_helpers import predicted, touch
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import evaluate, load_truth
from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.readers import read_predictions, read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS, Prediction, RankedScores
from zsl_cli.writers import open_writer

ROWS = [
    ("a.png", "cat", ("cat", "dog"), (0.75, 0.25)),
    ("b.png", "dog", ("dog", "cat"), (0.75, 0.25)),
    ("c.png", "cat", ("cat", "dog"), (0.75, 0.25)),
]


def _written(tmp_path: Path, fmt: str, rows: list = ROWS) -> Path:
    path = tmp_path / f"p.{fmt}"
    studio = LabelStudioOptions(url_prefix="http://images")
    with open_writer(path, fmt, label_studio=studio) as writer:
        for name, label, labels, scores in rows:
            writer.write(Prediction(name, label, scores[0], RankedScores(labels, list(scores))))
    return path


def _refusal(path: Path | str, stdin: io.BytesIO | None = None) -> str:
    """What reading `path` for evaluation says."""
    with pytest.raises(ZslError) as refused:
        read_predictions_and_run_info(path, stdin=stdin, one_per_image=True)
    return refused.value.message


def _with_header(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path = tmp_path / "edited.csv"
    path.write_text("\n".join(",".join(cells) for cells in [header, *rows]) + "\n")
    return path


def test_a_column_deleted_or_repeated_in_a_spreadsheet_is_named(tmp_path: Path) -> None:
    row = ["a.png", "cat", "0.75", "cat|dog", "0.75|0.25", "ok", ""]
    without_error = _with_header(tmp_path, list(CSV_COLUMNS[:-1]), [row[:-1]])
    assert _refusal(without_error).endswith(" (it lacks the column error)")
    two_labels = _with_header(tmp_path, [*CSV_COLUMNS, "label"], [[*row, "dog"]])
    assert _refusal(two_labels).endswith(" (the column label appears twice)")
    both = _with_header(tmp_path, [*CSV_COLUMNS[:5], "label", "label"], [row[:7]])
    assert _refusal(both).endswith(
        " (it lacks the columns status, error; the column label appears 3 times)"
    )
    # A header lacking more is no zsl output edited: the columns it must hold are listed.
    assert _refusal(_with_header(tmp_path, ["path", "label", "score"], [row[:3]])).endswith(
        f"the header must hold the columns {','.join(CSV_COLUMNS)}"
    )


def test_another_tools_path_and_label_csv_is_told_how_to_make_it_evaluable(
    tmp_path: Path,
) -> None:
    other = _with_header(tmp_path, ["path", "label"], [["a.png", "cat"], ["b.png", "dog"]])
    message = _refusal(other)
    assert message.endswith(
        "another tool's predictions? add the columns score,top_k_labels,top_k_scores,status,"
        "error, empty but for status 'ok' on each row)"
    )
    assert "lacks the columns" not in message  # the note says which, once
    # What it says to do reads the file as those predictions.
    added = _with_header(tmp_path, list(CSV_COLUMNS), [["a.png", "cat", "", "", "", "ok", ""]] * 1)
    assert read_predictions(added) == [Prediction("a.png", "cat", None, RankedScores((), []))]


def test_a_label_studio_csv_export_is_told_to_export_json_instead(tmp_path: Path) -> None:
    header = ["image", "id", "zsl_path", "zsl_label", "zsl_score", "zsl_top_k", "zsl_status"]
    row = ["http://x/a.png", "1", "a.png", "cat", "0.75", '"[{""label"":""cat""}]"', "ok"]
    message = _refusal(_with_header(tmp_path, [*header, "zsl_error", "choice"], [row]))
    assert message.endswith(
        " (a Label Studio CSV export: export the project as JSON or JSON_MIN instead, or give "
        "the tasks file 'zsl label -f label-studio' wrote)"
    )
    assert "ground truth?" not in message and "lacks" not in message


def test_a_header_repeated_after_a_byte_order_mark_is_the_header_again(tmp_path: Path) -> None:
    # Two Windows-saved CSVs joined with cat: the second's BOM sits before its header.
    data = _written(tmp_path, "csv").read_bytes()
    joined = tmp_path / "joined.csv"
    joined.write_bytes(b"\xef\xbb\xbf" + data + b"\xef\xbb\xbf" + data)
    assert _refusal(joined).startswith(f"{joined}: line 5: the header again (outputs joined")


@pytest.mark.parametrize(
    ("line", "kind"), [("null", "null"), ("[]", "a list"), ('"x"', "a string"), ("3", "a number")]
)
def test_a_json_lines_line_that_is_no_object_says_what_it_is(
    tmp_path: Path, line: str, kind: str
) -> None:
    path = _written(tmp_path, "jsonl")
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:2], line + "\n", *lines[2:]]))
    assert _refusal(path) == (
        f"{path}: line 3: not a zsl prediction record (it is {kind}, not an object)"
    )


def test_one_record_without_a_score_among_good_ones_gets_no_whole_file_hint(
    tmp_path: Path,
) -> None:
    path = _written(tmp_path, "jsonl")
    lines = path.read_text().splitlines(keepends=True)
    bad = json.dumps({"path": "zz.png", "label": "cat"}) + "\n"
    path.write_text("".join([*lines[:2], bad, *lines[2:]]))
    assert _refusal(path) == f"{path}: line 3: not a zsl prediction record (no 'score' field)"
    # The same record first: maybe the whole file is the ground truth.
    path.write_text("".join([bad, *lines]))
    assert "ground truth?" in _refusal(path)


class _Pipe(io.BytesIO):
    def seekable(self) -> bool:
        return False


@pytest.mark.parametrize("stream", [io.BytesIO, _Pipe])
def test_json_lines_after_a_comment_line_on_stdin_are_refused_for_the_comment(
    tmp_path: Path, stream: type[io.BytesIO]
) -> None:
    # Read as a CSV (its first line is no JSON), it was "not a zsl predictions CSV: the header
    # must hold the columns ...".
    data = b"# reviewed 2026-12-01\n" + _written(tmp_path, "jsonl").read_bytes()
    assert _refusal("-", stdin=stream(data)) == (
        "stdin: line 1 is a comment ('# reviewed 2026-12-01'), which neither zsl's CSV nor "
        "JSON Lines holds: remove it"
    )
    named = tmp_path / "c.jsonl"
    named.write_bytes(data)
    assert _refusal(named).endswith(" (JSON Lines hold no comments: remove it)")


@pytest.mark.parametrize("blank", [b"  \n", b"\t\n", b" ", b"   \r\n"])
def test_a_line_of_only_white_space_in_a_csv_is_skipped_as_an_empty_one_is(
    tmp_path: Path, blank: bytes
) -> None:
    path = _written(tmp_path, "csv")
    data = path.read_bytes()
    first_row_end = data.index(b"\n", data.index(b"\n") + 1) + 1
    path.write_bytes(
        data[:first_row_end] + blank.rstrip(b" ") + b"\n" + data[first_row_end:] + blank
    )
    told: list[str] = []
    read, _ = read_predictions_and_run_info(path, warn=told.append)
    assert [p.path for p in read] == ["a.png", "b.png", "c.png"]
    assert told == []  # a last line of spaces is no line cut short


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_image_listed_twice_names_the_file_and_both_lines(tmp_path: Path, fmt: str) -> None:
    path = _written(tmp_path, fmt, [*ROWS, ROWS[1]])
    assert _refusal(path) == (
        f"{path}: lines {3 if fmt == 'csv' else 2} and {5 if fmt == 'csv' else 4} name the same "
        "image, 'b.png'; outputs joined with cat? evaluate the output of a single run"
    )
    # Read back as written, for what else reads them.
    assert [p.path for p in read_predictions(path)] == ["a.png", "b.png", "c.png", "b.png"]


def test_an_image_listed_twice_in_a_json_document_names_both_predictions(tmp_path: Path) -> None:
    path = _written(tmp_path, "json", [*ROWS, ROWS[0]])
    assert _refusal(path) == (
        f"{path}: predictions 1 and 4 name the same image, 'a.png'; keep one of them"
    )


def test_an_image_imported_into_label_studio_twice_names_both_task_ids(tmp_path: Path) -> None:
    tasks = json.loads(_written(tmp_path, "label-studio").read_bytes())
    exported = [{**task, "id": number} for number, task in enumerate(tasks, start=1)]
    exported.append({**exported[0], "id": 77})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported))
    assert _refusal(path) == (
        f"{path}: the tasks with ids 1 and 77 name the same image, 'a.png'; keep one of them "
        "(in Label Studio: delete the task imported twice)"
    )
    # The tasks file zsl wrote has no ids: their places in it.
    path.write_text(json.dumps([*tasks, tasks[2]]))
    assert _refusal(path).startswith(f"{path}: tasks 3 and 4 name the same image, 'c.png';")


def test_an_image_listed_twice_in_two_spellings_names_the_predictions_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path / "truth" / "cat" / "a.jpg")
    twice = [predicted("truth/cat/a.jpg", "cat"), predicted("./truth/cat/a.jpg", "cat")]
    with pytest.raises(ZslError) as refused:
        evaluate(twice, load_truth(tmp_path / "truth"), predictions_source="p.csv")
    assert refused.value.message.startswith(
        "p.csv: 'truth/cat/a.jpg' is listed twice (predictions 1 and 2, the second as "
    )
