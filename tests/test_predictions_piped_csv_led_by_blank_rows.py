"""A CSV of predictions led by rows of blank cells (`,,,,,,`, as a spreadsheet saves rows it
once used, or cells of spaces) reads from a pipe, or from a file in UTF-16, as it reads from a
UTF-8 file, which skips such rows before the header: the check of a pipe's header, made before
the rest is copied, took the first such row for the header and refused the predictions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.helpers import EndlessPipe, Pipe
from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions, read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS

ROWS = "a.png,cat,0.75,cat|dog,0.75|0.25,ok,\r\nb.png,dog,0.6,dog|cat,0.6|0.4,ok,\r\n"
LEADS = [b",,,,,,\r\n", b" , ,\t,,,,\n", b"\n,,\r\n  \n", b'"","",,,,,\r\n', b"\xef\xbb\xbf,,,\n"]


def _content(lead: bytes) -> bytes:
    return lead + (",".join(CSV_COLUMNS) + "\r\n" + ROWS).encode()


def _piped(data: bytes) -> list[str]:
    read, _ = read_predictions_and_run_info("-", stdin=io.BufferedReader(Pipe(data, piece=7)))
    return [prediction.path for prediction in read]


@pytest.mark.parametrize("lead", LEADS)
def test_a_piped_csv_led_by_rows_of_blank_cells_reads_as_the_file_does(
    tmp_path: Path, lead: bytes
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(_content(lead))
    assert [prediction.path for prediction in read_predictions(path)] == ["a.png", "b.png"]
    assert _piped(_content(lead)) == ["a.png", "b.png"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_csv_in_utf16_or_utf32_led_by_a_row_of_blank_cells_reads_as_in_utf8(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(_content(b",,,,,,\r\n").decode().encode(encoding))
    assert [prediction.path for prediction in read_predictions(path)] == ["a.png", "b.png"]


@pytest.mark.parametrize("lead", [b",,,,,,\n,,,\n", b"path,label\n"])
def test_a_pipe_of_blank_rows_before_another_header_is_still_refused(lead: bytes) -> None:
    with pytest.raises(ZslError, match="^'stdin' is not a zsl predictions CSV: the header must"):
        _piped(lead + ROWS.encode())


def test_a_pipe_of_blank_rows_only_is_refused_as_the_file_is(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b",,,,,,\n , ,\n")
    with pytest.raises(ZslError) as from_file:
        read_predictions(path)
    with pytest.raises(ZslError) as from_pipe:
        _piped(path.read_bytes())
    assert str(from_pipe.value) == str(from_file.value).replace(f"'{path}'", "'stdin'")


def test_an_endless_pipe_of_blank_rows_is_refused_without_reading_on() -> None:
    # `yes ,,,, |`: no header ever comes, and the copy would fill the disk.
    pipe = EndlessPipe(b",,,,\n")
    with pytest.raises(ZslError, match="^'stdin' is not a zsl predictions CSV: the header must"):
        read_predictions_and_run_info("-", stdin=io.BufferedReader(pipe))
    assert pipe.given < 4 << 20
