"""The formula-cell warning of a CSV output: the path and error cells a spreadsheet runs as
formulas, counted in the order written (the first named), and none for rows shown at a terminal,
which are read there, not opened in a spreadsheet."""

from __future__ import annotations

import io
from pathlib import Path

from zsl_cli.records import LabelScore, Prediction
from zsl_cli.writers import PredictionWriter, open_writer


class _Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


def _predictions() -> list[Prediction]:
    return [
        Prediction(path="photos/a.png", label="cat", score=0.5, top_k=(LabelScore("cat", 0.5),)),
        # A stored error text starting with '-' (as "-1 bytes left" would): a cell Excel runs.
        Prediction(
            path="photos/broken.png", label="", score=None, status="error", error="-1 bytes left"
        ),
        Prediction(path="@SUM(1+1).png", label="cat", score=0.25, top_k=()),
        Prediction(path="=A1.png", label="", score=None, status="error", error="+x"),
    ]


def _write(output: str | None, stdout: io.BytesIO | None = None) -> PredictionWriter:
    writer = open_writer(output, "csv", stdout=stdout)
    with writer:
        for prediction in _predictions():
            writer.write(prediction)
        writer.close({})
    return writer


def test_a_csv_file_counts_its_path_and_error_cells_and_names_the_first(tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    writer = _write(str(output))
    [warning] = writer.formula_warnings(str(output))
    # The error cell of the second row, the path of the third, the path and error of the fourth.
    assert warning.startswith(f"4 cells of {output} start with"), warning
    assert "(first: '-1 bytes left')" in warning, warning


def test_rows_shown_at_a_terminal_are_not_warned_of() -> None:
    terminal = _Terminal()
    writer = _write(None, terminal)
    assert b"=A1.png" in terminal.getvalue()  # the rows were written all the same
    assert writer.formula_warnings("stdout") == []


def test_the_same_rows_into_a_pipe_are_warned_of() -> None:
    pipe = io.BytesIO()
    writer = _write(None, pipe)
    [warning] = writer.formula_warnings("stdout")
    assert warning.startswith("4 cells of stdout start with"), warning


def test_json_formats_never_warn_of_formula_cells(tmp_path: Path) -> None:
    for fmt, name in (("jsonl", "out.jsonl"), ("json", "out.json")):
        writer = open_writer(str(tmp_path / name), fmt)
        with writer:
            for prediction in _predictions():
                writer.write(prediction)
            writer.close({})
        assert writer.formula_warnings(name) == []
