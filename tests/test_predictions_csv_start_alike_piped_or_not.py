"""The start of a predictions CSV (blank rows before the header, a quoted field of line ends,
CR line ends, a byte-order mark, a header read across the first MiB's end) gets one answer,
read from a file or piped (stdin, a named pipe), in UTF-8 or UTF-16: a pipe's header is checked
before the rest is copied, and that check answered otherwise than the read of a file did."""

from __future__ import annotations

import contextlib
import io
import os
import re
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.helpers import Pipe
from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions, read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS, Prediction

MIB = 1 << 20
HEADER = ",".join(CSV_COLUMNS) + "\r\n"
ROWS = "a.png,cat,0.75,cat|dog,0.75|0.25,ok,\r\nb.png,dog,0.6,dog|cat,0.6|0.4,ok,\r\n"
READ = ["a.png", "b.png"]
NO_HEADER = r"^NAME is not a zsl predictions CSV: the header must hold the columns "


@contextlib.contextmanager
def _fifo(tmp_path: Path, data: bytes) -> Iterator[Path]:
    """A named pipe that a thread writes `data` into."""
    path = tmp_path / "fifo.csv"
    os.mkfifo(path)

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), open(path, "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):  # the reader refused early: let the writer end
            os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
        writer.join()


def _outcome(read: Callable[[], list[Prediction]], name: str) -> list[str] | str:
    """The paths read, or the refusal with the input's name as NAME."""
    try:
        return [prediction.path for prediction in read()]
    except ZslError as error:
        return str(error).replace(f"'{name}'", "NAME").replace(name, "NAME")


def _outcomes(tmp_path: Path, text: str) -> dict[str, list[str] | str]:
    """What reading `text` gives from each kind of input."""
    outcomes = {}
    for encoding in ("utf-8", "utf-16"):
        data = text.encode(encoding)
        path = tmp_path / f"p-{encoding}.csv"
        path.write_bytes(data)
        outcomes[f"{encoding} file"] = _outcome(partial(read_predictions, path), str(path))
        piped = partial(read_predictions_and_run_info, "-", stdin=io.BufferedReader(Pipe(data)))
        outcomes[f"{encoding} stdin"] = _outcome(lambda: piped()[0], "stdin")  # noqa: B023
    with _fifo(tmp_path, text.encode()) as fifo:
        outcomes["named pipe"] = _outcome(lambda: read_predictions(fifo), str(fifo))
    return outcomes


def _blank_rows(size: int, row: str = "," + " " * 97 + "\r\n") -> str:
    """Rows of blank cells, as a spreadsheet saves rows it once used, `size` characters."""
    return row * (size // len(row)) + "," * (size % len(row))


CASES = {
    # The header starts before the first MiB's end and ends after it.
    "header across the first MiB's end": (_blank_rows(MIB - 20) + "\r\n" + HEADER + ROWS, READ),
    # A file read them, a pipe or UTF-16 refused them: now refused alike, as `yes , |` is.
    "more than a MiB of blank rows": (_blank_rows(MIB + 10) + "\r\n" + HEADER + ROWS, NO_HEADER),
    # No header runs that long: an endless line (`yes | tr -d '\n'`) is refused at its first MiB.
    "a header over a MiB long": (
        HEADER.replace("\r\n", ",notes" + "x" * MIB + "\r\n") + ROWS,
        NO_HEADER,
    ),
    "a quoted line end as a row": ('"\n"\r\n' + HEADER + ROWS, READ),
    "quoted line ends among blank cells": (',"\r\n\n",\r\n  ,\r\n' + HEADER + ROWS, READ),
    # Old Mac line ends: no LF in the first MiB, so its first line seemed to run past it.
    "CR line ends": (
        (HEADER + ROWS + _blank_rows(MIB + MIB // 50) + "\r\n").replace("\r\n", "\r"),
        READ,
    ),
    "CR line ends after blank rows": ((",,,\r" * 10 + HEADER + ROWS).replace("\r\n", "\r"), READ),
    "BOM, blank lines and blank rows": ("\ufeff\r\n \r\n\r\n,,,\r\n" + HEADER + ROWS, READ),
    # White space leads JSON too: not counted in the MiB the header must start in.
    "blank lines over a MiB": (
        _blank_rows(MIB + 10, " " * 98 + "\r\n") + "\r\n" + HEADER + ROWS,
        READ,
    ),
    # Counted from the start: it was "line 1" piped.
    "a comment after blank rows": (
        ",,,\r\n\r\n# reviewed\r\n" + HEADER + ROWS,
        r"^NAME: line 3 is a comment \('# reviewed'\)",
    ),
    "a header cell holding a line end": (HEADER.replace("label", '"label\nx"') + ROWS, NO_HEADER),
}


@pytest.mark.parametrize("case", CASES)
def test_a_csv_start_reads_alike_from_a_file_or_a_pipe_in_utf8_or_utf16(
    tmp_path: Path, case: str
) -> None:
    text, expected = CASES[case]
    outcomes = _outcomes(tmp_path, text)
    assert len(set(map(str, outcomes.values()))) == 1, outcomes
    outcome = outcomes["utf-8 file"]
    if isinstance(expected, str):
        assert isinstance(outcome, str) and re.match(expected, outcome), outcome
    else:
        assert outcome == expected


# Past the first MiB, which alone a file's read looked at, or across a pipe's two reads of it.
@pytest.mark.parametrize("at", [MIB + 1000, MIB - 4])
def test_nul_bytes_past_the_start_are_binary_from_a_file_or_a_pipe(tmp_path: Path, at: int) -> None:
    start = HEADER + ROWS
    text = start + _blank_rows(at - len(start)) + "\0" * 8 + "\r\n" + ROWS
    outcomes = _outcomes(tmp_path, text)
    assert set(outcomes.values()) == {"NAME is binary, not predictions written by 'zsl label'"}
