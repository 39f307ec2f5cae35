"""A one-hot truth table (a path column and a 0/1 column per class) beside a column that is no
class's: a row-number index (pandas' `Unnamed: 0`, an `id` column) is left unread; another
column (`split`, an index of another name) is refused, named, with a `cut` line that drops it."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import error_line, run
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth
from zsl_cli.records import CSV_COLUMNS

ROWS = [("a.jpg", "cat"), ("b.jpg", "dog"), ("c.jpg", "cat"), ("d.jpg", "bird")]
CLASSES = ["cat", "dog", "bird"]


def _one_hot(path: Path, before: list[str], cells: list[list[str]], delimiter: str = ",") -> Path:
    """A one-hot table of ROWS, the columns `before` (named) and their `cells` before the path."""
    lines = [delimiter.join([*before, "filename", *CLASSES])]
    for extra, (name, label) in zip(cells, ROWS, strict=True):
        marks = ["1" if label == name_ else "0" for name_ in CLASSES]
        lines.append(delimiter.join([*extra, name, *marks]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _labels(path: Path) -> list[tuple[str, str]]:
    return [(item.shown, item.label) for item in load_truth(path).items]


@pytest.mark.parametrize(
    ("before", "cells"),
    [
        # pandas' read_csv then to_csv: the old index is 'Unnamed: 0', the new one unnamed.
        (["", "Unnamed: 0"], [[str(i), str(i)] for i in range(4)]),
        (["Unnamed: 0"], [[str(i)] for i in range(4)]),
        (["id"], [[str(i + 1)] for i in range(4)]),
        (["id"], [[str(i + 1000)] for i in range(4)]),
        (["Index"], [[str(i)] for i in range(4)]),
    ],
)
def test_a_row_number_column_is_no_class(tmp_path, before, cells):
    truth = _one_hot(tmp_path / "t.csv", before, cells)
    assert _labels(truth) == ROWS
    assert load_truth(truth).classes == ("bird", "cat", "dog")


def test_an_id_column_on_a_semicolon_table_is_no_class(tmp_path):
    truth = _one_hot(tmp_path / "t.csv", ["id"], [[str(i)] for i in range(4)], ";")
    assert _labels(truth) == ROWS


def _refusal(truth: Path) -> str:
    with pytest.raises(ZslError) as caught:
        load_truth(truth)
    return str(caught.value)


def _command(message: str) -> str:
    return message.split("`")[1]


def test_a_text_column_beside_the_class_columns_is_named_with_a_cut_line(tmp_path):
    truth = _one_hot(tmp_path / "t.csv", [], [[] for _ in ROWS])
    text = truth.read_text().splitlines()
    # filename,split,cat,dog,bird: the split column after the path one.
    rows = [text[0].replace("filename,", "filename,split,")]
    rows += [line.replace(".jpg,", ".jpg,train,") for line in text[1:]]
    truth.write_text("\n".join(rows) + "\n")
    message = _refusal(truth)
    assert "'split'" in message and "train" in message and "multi-label" not in message
    command = _command(message)
    assert command == f"cut -d, -f1,3- {shlex.quote(str(truth))} > truth.csv"
    subprocess.run(command, shell=True, check=True, cwd=tmp_path)
    assert _labels(tmp_path / "truth.csv") == ROWS


def test_an_index_of_another_name_is_named_not_called_multi_label(tmp_path):
    # Its first cells are 0 and 1, as a class's are: read as one, until its 2.
    truth = _one_hot(tmp_path / "t.csv", ["n"], [[str(i)] for i in range(4)])
    message = _refusal(truth)
    assert "multi-label" not in message
    assert "'n'" in message and "'2'" in message and "line 4" in message
    command = _command(message)
    subprocess.run(command, shell=True, check=True, cwd=tmp_path)
    assert _labels(tmp_path / "truth.csv") == ROWS


def test_a_table_that_is_multi_label_is_still_called_so(tmp_path):
    truth = _one_hot(tmp_path / "t.csv", [], [[] for _ in ROWS])
    truth.write_text(truth.read_text().replace("b.jpg,0,1,0", "b.jpg,1,1,0"))
    assert "multi-label" in _refusal(truth)


def test_the_cli_reads_an_id_column_beside_one_hot_cells(tmp_path):
    truth = _one_hot(tmp_path / "t.csv", ["id"], [[str(i + 1)] for i in range(4)])
    predictions = tmp_path / "p.csv"
    predictions.write_text(
        ",".join(CSV_COLUMNS)
        + "\n"
        + "".join(f"{name},{label},0.9,{label},0.9,ok,\n" for name, label in ROWS),
        encoding="utf-8",
    )
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 0, error_line(result.stderr)
    assert "4 images" in result.stdout
    assert shutil.which("cut")  # the lines above ran it


def test_a_multi_label_table_joined_with_cat_is_still_called_so(tmp_path):
    # The header again below: its class names are no cells of another kind in those columns.
    truth = _one_hot(tmp_path / "t.csv", [], [[] for _ in ROWS])
    text = truth.read_text()
    truth.write_text(text + text.replace("b.jpg,0,1,0", "b2.jpg,1,1,0").replace(".jpg", "_2.jpg"))
    assert "multi-label" in _refusal(truth)
