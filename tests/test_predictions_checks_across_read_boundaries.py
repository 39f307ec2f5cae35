"""The checks a predictions file or pipe gets before it is read whole, where what they look for
runs across the end of one read of a MiB: eight NUL bytes split anywhere between two reads are
binary content, from a file or a pipe; a CSV of old Mac line ends (CR alone) over two MiB has its
header found in the first read; content of byte-order marks alone is refused as any other file
that is no predictions, not a crash."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.helpers import Pipe
from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions, read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS

MIB = 1 << 20
HEADER = ",".join(CSV_COLUMNS) + "\r\n"
ROWS = "a.png,cat,0.75,cat|dog,0.75|0.25,ok,\r\nb.png,dog,0.6,dog|cat,0.6|0.4,ok,\r\n"


def _read_file(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    return [prediction.path for prediction in read_predictions(path)]


def _read_stdin(data: bytes) -> list[str]:
    predictions, _ = read_predictions_and_run_info("-", stdin=io.BufferedReader(Pipe(data)))
    return [prediction.path for prediction in predictions]


# A file is read a MiB at a time from its start; a pipe, after the 4 bytes that tell its
# encoding, a MiB at a time: the run of NULs split 7 + 1, 1 + 7 and 4 + 4 across either.
@pytest.mark.parametrize("at", [MIB - 7, MIB - 1, MIB - 3, MIB + 3, MIB + 1])
def test_nul_bytes_split_between_two_reads_are_binary(tmp_path: Path, at: int) -> None:
    start = HEADER + ROWS
    filler = ("x" * 98 + "\r\n") * MIB
    data = (start + filler[: at - len(start)]).encode() + b"\0" * 8 + ROWS.encode()
    assert data.index(b"\0" * 8) == at
    binary = r"is binary, not predictions written by 'zsl label'$"
    with pytest.raises(ZslError, match=binary):
        _read_file(tmp_path, data)
    with pytest.raises(ZslError, match=binary):
        _read_stdin(data)


def test_a_csv_of_cr_line_ends_over_two_mib_is_read_from_a_file_or_a_pipe(
    tmp_path: Path,
) -> None:
    # The rows, then blank rows (as a spreadsheet saves rows it once used) past 2 MiB.
    blank = ("," + " " * 97 + "\r") * (2 * MIB // 99 + 10)
    data = ((HEADER + ROWS).replace("\r\n", "\r") + blank).encode()
    assert len(data) > 2 * MIB and b"\n" not in data
    assert _read_file(tmp_path, data) == ["a.png", "b.png"]
    assert _read_stdin(data) == ["a.png", "b.png"]


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf" * 2, b"\xef\xbb\xbf \xef\xbb\xbf\r\n"])
def test_byte_order_marks_alone_are_refused_not_a_crash(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ZslError) as from_file:
        _read_file(tmp_path, data)
    with pytest.raises(ZslError) as from_stdin:
        _read_stdin(data)
    path = str(tmp_path / "p.csv")
    said = str(from_file.value).replace(f"'{path}'", "NAME").replace(path, "NAME")
    assert said == str(from_stdin.value).replace("'stdin'", "NAME").replace("stdin", "NAME")


# Rows of 100 bytes of blank cells: spaces, or ideographic spaces of 3 bytes each.
@pytest.mark.parametrize(
    "row", ["," + " " * 97 + "\r\n", "," + "\u3000" * 32 + " \r\n"], ids=["ascii", "wide"]
)
def test_a_comment_across_the_first_read_s_end_after_a_bom_is_named_at_its_line(
    tmp_path: Path, row: str
) -> None:
    # The comment starts 4 bytes before the first MiB's end, where the blank rows before it are
    # counted, the byte-order mark's 3 bytes with them.
    assert len(row.encode()) == 100
    blank = row * ((MIB - 9) // 100) + "," * ((MIB - 9) % 100) + "\r\n"
    data = ("\ufeff" + blank + "# reviewed\r\n" + HEADER + ROWS).encode()
    assert data.index(b"# reviewed") == MIB - 4
    line = blank.count("\n") + 1
    said = rf": line {line} is a comment \('# reviewed'\)"
    with pytest.raises(ZslError, match=said):
        _read_file(tmp_path, data)
    with pytest.raises(ZslError, match=said):
        _read_stdin(data)


def test_a_header_a_mib_past_the_start_is_read_and_one_byte_further_is_none(
    tmp_path: Path,
) -> None:
    blank = ("," + " " * 97 + "\r\n") * (MIB // 100) + "," * (MIB % 100 - 2) + "\r\n"
    assert len(blank) == MIB
    data = (blank + HEADER + ROWS).encode()
    assert _read_file(tmp_path, data) == ["a.png", "b.png"]
    assert _read_stdin(data) == ["a.png", "b.png"]
    further = ("," + blank + HEADER + ROWS).encode()
    no_header = "is not a zsl predictions CSV: the header must hold the columns"
    with pytest.raises(ZslError, match=no_header):
        _read_file(tmp_path, further)
    with pytest.raises(ZslError, match=no_header):
        _read_stdin(further)
