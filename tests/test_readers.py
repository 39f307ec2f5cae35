"""Reading predictions back: what the messages about a file that is no predictions file say."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

import pytest

from tests.helpers import EndlessPipe
from zsl_cli.errors import ZslError
from zsl_cli.label_studio import LabelStudioOptions
from zsl_cli.readers import read_predictions, read_predictions_and_run_info
from zsl_cli.records import CSV_COLUMNS, Prediction, RankedScores
from zsl_cli.writers import open_writer

HEADER = b"path,label,score,top_k_labels,top_k_scores,status,error\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"^'caf\\xe9\.csv' not found"),
        (b"x", r"^'caf\\xe9\.csv' is not a zsl predictions CSV"),
        (HEADER + b"a.png,cat,0.\xe95,cat,0.5,ok,\n", r": line 2: '0\.\\xe95' is not a number$"),
    ],
)
def test_bytes_that_are_not_utf8_show_as_in_every_other_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, message: str
) -> None:
    # repr() showed them as Python's '\udce9' ('caf\udce9.csv' not found), where the README
    # promises \xNN on stderr.
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"caf\xe9.csv")
    if content is not None:
        try:
            Path(name).write_bytes(content)
        except OSError:
            pytest.skip("file system refuses names that are not UTF-8")
    with pytest.raises(ZslError, match=message):
        read_predictions(name)


@pytest.mark.parametrize("line", [b"y\n", b"path;label;score\n", b"x" * 100])
def test_an_endless_pipe_that_is_no_predictions_csv_ends_at_its_first_line(
    monkeypatch: pytest.MonkeyPatch, line: bytes
) -> None:
    pipe = EndlessPipe(line)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(pipe)))
    with pytest.raises(ZslError, match="^'stdin' is not a zsl predictions CSV: the header must"):
        read_predictions("-")
    assert pipe.given < 4 << 20


class _Pipe(io.RawIOBase):
    """A pipe that gives `data`, then ends."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        return self.data.readinto(buffer)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\n\n", "^'stdin' is empty"), (b"\r\n" + HEADER.replace(b"\n", b"\r\n"), None)],
)
def test_a_pipe_that_is_empty_or_only_a_header_reads_as_before(
    monkeypatch: pytest.MonkeyPatch, content: bytes, message: str | None
) -> None:
    stdin = io.TextIOWrapper(io.BufferedReader(_Pipe(content)))
    monkeypatch.setattr(sys, "stdin", stdin)
    if message is None:
        assert read_predictions("-") == []
    else:
        with pytest.raises(ZslError, match=message):
            read_predictions("-")


@pytest.mark.parametrize("suffix", [".csv", ".json"])
@pytest.mark.parametrize("content", [b"", b"\n\r\n"])
def test_an_empty_predictions_csv_or_json_file_is_said_to_be_empty(
    tmp_path: Path, suffix: str, content: bytes
) -> None:
    # `zsl label ... > p.csv` that failed leaves p.csv empty: it was said to lack zsl's header,
    # or (p.json) to be JSON cut short by a stopped run, as a .txt or a pipe is not. (An empty
    # .jsonl is zsl's output of a run of no predictions: read as such.)
    path = tmp_path / f"p{suffix}"
    path.write_bytes(content)
    with pytest.raises(
        ZslError, match="^" + re.escape(f"'{path}' is empty: no predictions to read") + "$"
    ):
        read_predictions(path)
    jsonl = path.with_suffix(".jsonl")
    jsonl.write_bytes(content)
    assert read_predictions(jsonl) == []


ENDLESS_JSON = [
    (b"", b'{"a":1}\n', r"^stdin: line 1: not a zsl prediction record \(no 'score' field\)$"),
    (b"", b"\n\n{a\n", r"^stdin: line 3: not valid JSON \(Expecting property name .*\(char 1\)\)$"),
    (b"", b"[1]\n", r"^'stdin' is not valid JSON: Extra data: line 2 column 1 \(char 4\)$"),
    # Nesting deeper than json decodes, as the whole content's read refuses it: `yes '[' |`.
    (b"", b"[\n", r"^'stdin' is not valid JSON: maximum recursion depth exceeded while decoding"),
    (b"", b'{"a": [\n', r"^stdin: line 1: not valid JSON \(Expecting value: .*\(char 7\)\)$"),
    # Valid JSON so far, but its first record is none: no continuation makes it predictions.
    (b"[1,", b"1,", r"^stdin: task 1: not a task written by zsl \(its data has no zsl_path\)$"),
    (b'{"predictions": [', b'{"a": 1},', r"^stdin: prediction 1: not a zsl prediction record"),
]


@pytest.mark.parametrize(("start", "line", "message"), ENDLESS_JSON)
def test_an_endless_pipe_of_json_that_zsl_cannot_read_ends_at_its_first_refused_line(
    monkeypatch: pytest.MonkeyPatch, start: bytes, line: bytes, message: str
) -> None:
    # `yes '{"a":1}' | zsl evaluate -` was copied whole to a temporary file before any of it was
    # read. The message is the one the whole content gets (the same lines from a file), the
    # line it names counted from the stream's start, blank lines too.
    pipe = EndlessPipe(line, start)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(pipe)))
    with pytest.raises(ZslError, match=message):
        read_predictions("-")
    assert pipe.given < 4 << 20


def test_an_endless_pipe_of_json_lines_is_refused_by_the_command_with_one_line(
    tmp_path: Path,
) -> None:
    # Through a real pipe: the command stops on its own, exit code 2, before the writer does.
    # 256 MB stand for the endless stream (one that the command read whole fails the test).
    (tmp_path / "truth" / "cat").mkdir(parents=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "zsl_cli", "evaluate", "-", "--truth", "truth"]
    fed = [0]

    def feed(stdin: IO[bytes]) -> None:
        block = b'{"a":1}\n' * 8192
        # The reader went away: closing flushes into the broken pipe, and closes the file still.
        with contextlib.suppress(BrokenPipeError, ValueError), stdin:
            while fed[0] < 256 << 20:
                stdin.write(block)
                fed[0] += len(block)

    with subprocess.Popen(
        command, cwd=tmp_path, env=env, stdin=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdin is not None and process.stderr is not None
        feeder = threading.Thread(target=feed, args=(process.stdin,), daemon=True)
        feeder.start()
        try:
            error = process.stderr.read().decode()
            code = process.wait(timeout=120)
        finally:
            process.kill()
            feeder.join(timeout=120)
    assert code == 2, error[-2000:]
    assert error == "zsl: error: stdin: line 1: not a zsl prediction record (no 'score' field)\n"
    assert fed[0] < 64 << 20


def _written(fmt: str, count: int) -> bytes:
    """`count` predictions written in `fmt`, 20 classes ranked each (over a read's 1 MiB)."""
    buffer = io.BytesIO()
    studio = LabelStudioOptions(url_prefix="http://images")
    with open_writer("-", fmt, stdout=buffer, label_studio=studio) as writer:
        for index in range(count):
            ranked = RankedScores(tuple(f"class {c}" for c in range(20)), [0.05] * 20)
            writer.write(Prediction(f"{index}.png", "class 0", 0.05, ranked))
        writer.close({})
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["jsonl", "json", "label-studio"])
def test_piped_json_longer_than_a_read_reads_as_the_same_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    data = _written(fmt, 4000)
    assert len(data) > 2 << 20
    saved = tmp_path / ("p.jsonl" if fmt == "jsonl" else "p.json")
    saved.write_bytes(data)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Pipe(data))))
    piped = read_predictions("-")
    assert len(piped) == 4000
    assert piped == read_predictions(saved)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("p.jsonl", r"^p\.jsonl: line 1: not valid JSON \(Expecting value: line 1 column 1"),
        ("p.json", r"^'p\.json' is not valid JSON: Expecting value: line 1 column 1"),
    ],
)
def test_a_named_pipe_is_read_as_its_name_says_as_a_file_of_that_name_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, message: str
) -> None:
    # A pipe's first line was checked as a CSV header whatever its name: p.jsonl holding lines
    # that are no JSON was refused as 'not a zsl predictions CSV', as no file p.jsonl is.
    monkeypatch.chdir(tmp_path)
    os.mkfifo(name)
    content = b"y\n" * (1 << 20)  # more than a read, as `yes` gives

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), open(name, "wb") as pipe:
            pipe.write(content)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    with pytest.raises(ZslError, match=message):
        read_predictions(name)
    writer.join(timeout=60)
    Path("file_" + name).write_bytes(content)
    with pytest.raises(ZslError, match=message.replace("p\\.", "file_p\\.")):
        read_predictions("file_" + name)


@pytest.mark.parametrize("token", [b"-Infinity", b"NaN"])
def test_piped_json_whose_first_read_ends_inside_infinity_or_nan_reads_on(
    monkeypatch: pytest.MonkeyPatch, token: bytes
) -> None:
    # json reads NaN and -Infinity: a first read of a pipe cut inside one ("-Inf") was taken
    # for JSON that cannot go on, and the list refused as not valid JSON.
    item = token + b", "
    lead = b"[" + b" " * (((1 << 20) - 3) % len(item))  # the first read ends 2 into a token
    content = lead + item * ((1 << 20) // len(item) + 1) + b"0]"
    assert content[(1 << 20) - 2 : 1 << 20] == token[:2]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Pipe(content))))
    with pytest.raises(ZslError, match=r"^stdin: task 1: not a task written by zsl"):
        read_predictions("-")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "label-studio"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-be"])
def test_predictions_in_utf16_or_utf32_read_as_the_same_in_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, encoding: str
) -> None:
    # Windows PowerShell's `zsl label ... > p.csv` writes UTF-16 with a BOM. Only a json
    # document (read by json, which takes UTF-16 and 32) read back; a CSV was said to lack
    # zsl's columns, and JSON Lines failed at its second line. A BOM or not (UTF-32-BE has
    # none), as json reads.
    data = _written(fmt, 2000)  # more than a read of a pipe once wider than UTF-8
    utf8 = tmp_path / f"p.{'json' if fmt == 'label-studio' else fmt}"
    utf8.write_bytes(data)
    expected = read_predictions(utf8)
    assert len(expected) == 2000
    wide = tmp_path / "wide" / utf8.name
    wide.parent.mkdir()
    wide.write_bytes(data.decode().encode(encoding))
    assert wide.stat().st_size > 1 << 20
    assert read_predictions(wide) == expected
    pipe = _Pipe(wide.read_bytes())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(pipe)))
    assert read_predictions("-") == expected


def test_predictions_in_utf16_that_is_not_valid_are_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("\ufeffpath".encode("utf-16-le") + b"\x00\xd8a\x00")  # a lone surrogate
    with pytest.raises(ZslError, match=r"^'.*p\.csv' is not valid UTF-16 text \(illegal UTF-16 "):
        read_predictions(path)


def test_a_non_blocking_stdin_with_nothing_yet_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # A read of such a descriptor gives None: json.detect_encoding(None) was a traceback.
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    try:
        stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(read_end, closefd=False)))
        monkeypatch.setattr(sys, "stdin", stdin)
        with pytest.raises(ZslError, match="^'stdin' is in non-blocking mode with nothing to read"):
            read_predictions("-")
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_predictions_csv_joined_with_another_says_where_the_second_header_is(
    tmp_path: Path,
) -> None:
    # `cat a.csv b.csv > p.csv` puts b's header among the rows: said as such, not as its
    # top_k_scores cell being no number.
    one = tmp_path / "a.csv"
    with open_writer(one, "csv") as writer:
        writer.write(Prediction(path="a.jpg", label="cat", score=0.9))
    joined = tmp_path / "p.csv"
    joined.write_bytes(one.read_bytes() * 2)
    with pytest.raises(ZslError, match="line 3: the header again") as refused:
        read_predictions(joined)
    assert "not a number" not in str(refused.value)


def test_a_text_stdin_without_bytes_under_it_is_read_as_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A notebook's or a test runner's stdin, or an io.StringIO a program put there: `-` read
    # it for a path list, but predictions read from it failed with an AttributeError (.buffer).
    rows = HEADER + "café.png,cat,0.75,cat|dog,0.75|0.25,ok,\n".encode()
    monkeypatch.setattr(sys, "stdin", io.StringIO(rows.decode()))
    [prediction] = read_predictions("-")
    assert (prediction.path, prediction.label, prediction.score) == ("café.png", "cat", 0.75)


@pytest.mark.parametrize(
    ("fmt", "path", "said"),
    [
        ("csv", "", r"line 3: the path is empty$"),
        ("jsonl", "", r"line 2: the path is empty$"),
        ("csv", "a\0.png", r"line 3: the path 'a\\x00\.png' holds a character that no file name "),
        ("csv", "a\0.png", r"line 3: .* no file name holds \('\\x00'\)$"),
        ("jsonl", "a\ud800.png", r"line 2: the path 'a\\ud800\.png' .*\('\\ud800'\)$"),
        ("json", "a\udfff.png", r"prediction 2: the path 'a\\udfff\.png' holds a character"),
    ],
)
def test_a_prediction_of_a_path_that_names_no_file_is_refused_naming_its_line(
    tmp_path: Path, fmt: str, path: str, said: str
) -> None:
    # A path emptied in a spreadsheet was a prediction of no image, shown as nothing among
    # those without truth; NUL (a CSV cell) or half a surrogate pair (JSON's "\ud800") failed
    # in evaluate's matching with a traceback (ValueError: embedded null byte).
    file = tmp_path / f"p.{fmt}"
    with open_writer(file, fmt) as writer:
        for name in ("a.png", path):
            writer.write(Prediction(name, "cat", 0.5, RankedScores(("cat",), [0.5])))
    with pytest.raises(ZslError, match=said):
        read_predictions(file)


def _last_line_cut(data: bytes, keep: int | None) -> bytes:
    """`data` with its last line cut after `keep` of its bytes (None: only its line end)."""
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    return data.rstrip(b"\n") if keep is None else data[: last + keep]


@pytest.mark.parametrize("source", ["file", "stdin"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_last_line_cut_short_is_left_out_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, source: str
) -> None:
    # `zsl label ... > p.csv` killed mid-write, or `| head -c N`: the whole file was refused
    # ("line 4: expected 7 columns, found 2"), the complete rows before it unread.
    data = _written(fmt, 3)
    path = tmp_path / f"p.{fmt}"
    path.write_bytes(data)
    whole = read_predictions(path)
    told: list[str] = []

    def read(content: bytes) -> list[Prediction]:
        path.write_bytes(content)
        if source == "file":
            return read_predictions_and_run_info(path, warn=told.append)[0]
        stdin = io.TextIOWrapper(io.BufferedReader(_Pipe(content)))
        monkeypatch.setattr(sys, "stdin", stdin)
        return read_predictions_and_run_info("-", warn=told.append)[0]

    shown = str(path) if source == "file" else "stdin"
    for keep in (2, 40, 100):
        told.clear()
        assert read(_last_line_cut(data, keep)) == whole[:2], keep
        assert told == [
            f"{shown}: line {4 if fmt == 'csv' else 3}: the last line is cut short (the file "
            "ends inside it: a labelling run stopped while writing, or a copy cut off); that "
            "prediction is left out"
        ], keep
    # A last line that lacks only its line end is whole: an editor may save it so.
    told.clear()
    assert read(_last_line_cut(data, None)) == whole and told == []
    if fmt == "csv":  # written with \r\n line ends, as Excel saves them
        assert read(data.replace(b"\n", b"\r\n").removesuffix(b"\r\n")) == whole and not told
    # Without a warning to give, the cut line is an error, as before.
    path.write_bytes(_last_line_cut(data, 40))
    with pytest.raises(ZslError, match=r": line [34]: (expected 7 columns|not valid JSON)"):
        read_predictions(path)


@pytest.mark.parametrize("fmt", ["json", "label-studio"])
@pytest.mark.parametrize("name", ["p.json", "p.txt", "-"])
def test_a_json_document_cut_short_says_that_the_file_ends_inside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, name: str
) -> None:
    # `zsl label -f json > p.json` stopped while writing: the error named only a place ("line 23
    # column 198 (char 5000)"), and piped, or under a name that is no format's, its first line
    # was said to be a JSON Lines record that is no JSON ("stdin: line 1: not valid JSON").
    data = _written(fmt, 3)
    data = data[: len(data) // 2]
    path = tmp_path / name
    path.write_bytes(data)
    if name == "-":
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Pipe(data))))
    told: list[str] = []
    with pytest.raises(ZslError) as refused:
        read_predictions_and_run_info("-" if name == "-" else path, warn=told.append)
    assert not told
    shown = "stdin" if name == "-" else str(path)
    assert refused.value.message.startswith(f"'{shown}' is not valid JSON: ")
    assert refused.value.message.endswith(
        f"(char {len(data)}) (the file ends there: cut short by a run stopped while writing?)"
    )


_REORDERED = b"path,label,score,status,error,top_k_labels,top_k_scores\n"
_SCORE_LAST = b"path,label,top_k_labels,top_k_scores,status,error,score\n"
_LABEL_LAST = b"path,score,top_k_labels,top_k_scores,status,error,label\n"
_STATUS_LAST = b"path,label,score,top_k_labels,top_k_scores,error,status\n"


@pytest.mark.parametrize(
    ("header", "cut", "rest"),
    [
        # zsl's order: an image that failed last, its error in quotes (it holds a comma).
        (HEADER, b'b.png,,,,,not_an_image,"cannot read, it', b' is no image"'),
        # Columns a spreadsheet moved, the ranking last: cut inside its scores.
        (_REORDERED, b"b.png,b,0.5,ok,,b|c,0.5|", b"0.25"),
        (_REORDERED, b"b.png,b,0.5,ok,,b|c,0.5", b"|0.25"),
        # Cut inside a score's digits, the cells still pairing up: a ranking upwards (1.5e-0
        # of 1.5e-05), a top-1 ranking (k = 1) or a score that is the other cut short.
        (_REORDERED, b"b.png,b,0.5,ok,,b|c,0.5|1.5e-0", b"5"),
        (_REORDERED, b"b.png,b,0.25,ok,,b,0.2", b"5"),
        (_SCORE_LAST, b"b.png,b,b|c,0.25|0.125,ok,,0.2", b"5"),
        # Or inside the label, moved to the end: 'bi' was counted as a wrong label.
        (_LABEL_LAST, b"b.png,0.5,bird|c,0.5|0.25,ok,,bi", b"rd"),
        # Or inside the status: 'o' counted the image as failed.
        (_STATUS_LAST, b"b.png,b,0.5,b|c,0.5|0.25,,o", b"k"),
    ],
)
def test_a_last_line_cut_in_its_last_cell_is_left_out_where_the_cell_shows_it(
    tmp_path: Path, header: bytes, cut: bytes, rest: bytes
) -> None:
    # A quote left open was read as closed at the end of the file, and a ranking cut short
    # refused the whole file ("line 3: top_k_labels and top_k_scores differ in length").
    cells = dict(zip(CSV_COLUMNS, ["a.png", "a", "0.5", "a|b", "0.5|0.25", "ok", ""], strict=True))
    first = ",".join(cells[name] for name in header.decode().strip().split(","))
    path = tmp_path / "p.csv"
    path.write_bytes(header + first.encode() + b"\n" + cut)
    told: list[str] = []
    [prediction] = read_predictions_and_run_info(path, warn=told.append)[0]
    assert prediction.path == "a.png"
    assert told == [
        f"{path}: line 3: the last line is cut short (the file ends inside it: a labelling run "
        "stopped while writing, or a copy cut off); that prediction is left out"
    ]
    # Whole, the same line without its line end reads as the others do.
    path.write_bytes(header + first.encode() + b"\n" + cut + rest)
    told.clear()
    assert len(read_predictions_and_run_info(path, warn=told.append)[0]) == 2 and not told


@pytest.mark.parametrize(
    ("fmt", "damage", "message"),
    [
        ("csv", lambda rows: rows[:2] + [rows[2][:30]] + rows[3:], r": line 3: expected 7 columns"),
        ("jsonl", lambda rows: rows[:1] + [rows[1][:30]] + rows[2:], r": line 2: not valid JSON"),
        # A quote left open runs to the end of a file without a last line end: not a cut line.
        ("csv", lambda rows: rows[:2] + [b'"' + rows[2]] + rows[3:], r"starts on line 3: is a q"),
    ],
)
def test_a_damaged_line_before_the_last_is_still_an_error(
    tmp_path: Path, fmt: str, damage: Any, message: str
) -> None:
    rows = _written(fmt, 3).splitlines()
    path = tmp_path / f"p.{fmt}"
    path.write_bytes(b"\n".join(damage(rows)))  # and no line end after the last line
    told: list[str] = []
    with pytest.raises(ZslError, match=message):
        read_predictions_and_run_info(path, warn=told.append)
    assert told == []


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        ("a.png,café,0.9,café|tea,0.9|0.1,ok,", r"caf\\xe9"),
        ("a.png,tea,0.9,tea|crème_brûlée,0.9|0.1,ok,", r"cr\\xe8me_br\\xfbl\\xe9e"),
    ],
)
def test_class_names_in_a_legacy_code_page_are_refused_in_one_line(
    tmp_path: Path, row: str, shown: str
) -> None:
    # Opened and saved in Excel on Windows ("CSV (Comma delimited)": cp1252): caf\xe9 was read
    # as a label that never matched the truth's café, without a word.
    path = tmp_path / "p.csv"
    path.write_bytes(
        (HEADER.decode() + "b.png,tea,0.9,tea,0.9,ok,\n" + row + "\n").encode("cp1252")
    )
    expected = (
        rf": line 3: the class '{shown}' is not UTF-8 text: the file was saved in another "
        r'encoding since; save it as UTF-8 \(in Excel: "CSV UTF-8"\)$'
    )
    with pytest.raises(ZslError, match=expected):
        read_predictions(path)
    # A path's bytes need not be UTF-8 (a file's name is bytes): zsl writes them as they are.
    path.write_bytes(HEADER + b"caf\xe9.png,tea,0.9,tea,0.9,ok,\n")
    assert read_predictions(path)[0].label == "tea"


def _as_pandas_writes(record: dict) -> bytes:
    """A record as `df.to_json(orient="records", lines=True)` writes it: compact, '/' escaped."""
    return json.dumps(record, separators=(",", ":")).replace("/", "\\/").encode() + b"\n"


@pytest.mark.parametrize("missing", [None, float("nan")])  # pandas' null; json.dumps of a row: NaN
def test_missing_values_in_json_records_read_as_zsl_writes_them(
    tmp_path: Path, missing: float | None
) -> None:
    # Predictions edited in pandas: a cleared label, error or top-k list was refused
    # ("label is NoneType, not a string"), the whole file unread.
    ok = {"path": "a/b.png", "label": "cat", "score": 0.912345678901, "status": "ok", "error": ""}
    ok["top_k"] = [{"label": "cat", "score": 0.912345678901}, {"label": "dog", "score": 0.08}]
    failed = {"path": "c.png", "label": "", "score": None, "top_k": [], "status": "empty"}
    path = tmp_path / "p.jsonl"
    path.write_bytes(
        _as_pandas_writes({**ok, "label": missing})
        + _as_pandas_writes({**ok, "top_k": missing, "error": missing})
        + _as_pandas_writes({**failed, "label": missing, "error": missing, "top_k": missing})
    )
    cleared, unranked, failed_read = read_predictions(path)
    assert (cleared.path, cleared.label, cleared.score) == ("a/b.png", "", 0.912345678901)
    assert [choice.label for choice in cleared.top_k] == ["cat", "dog"]
    assert (unranked.label, unranked.top_k, unranked.error) == ("cat", (), "")
    assert (failed_read.label, failed_read.top_k, failed_read.status) == ("", (), "empty")


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [("status", None, "null"), ("path", None, "null"), ("label", 3, "a number")],
)
def test_a_record_without_a_path_or_status_says_which_in_json_terms(
    tmp_path: Path, field: str, value: Any, kind: str
) -> None:
    record = {"path": "a.png", "label": "cat", "score": 0.9, "top_k": [], "status": "ok"}
    path = tmp_path / "p.jsonl"
    path.write_bytes(_as_pandas_writes({**record, field: value}))
    with pytest.raises(
        ZslError, match=rf"line 1: not a zsl prediction record \({field} is {kind}, "
    ):
        read_predictions(path)


@pytest.mark.parametrize(
    ("top_k", "said"),
    [
        ("cat|dog", "top_k is a string, not a list of objects with a label and a score"),
        ({"cat": 0.9}, "top_k is an object, not a list of objects with a label and a score"),
        (["cat", "dog"], "top_k item 1 is a string, not an object with a label and a score"),
        ([{"label": "cat", "score": 0.9}, {"label": "dog"}], "top_k item 2 has no 'score' field"),
        ([{"label": "cat", "score": None}], "top_k item 1's score is null, not a number"),
        ([{"label": 3, "score": 0.9}], "top_k label is a number, not a string"),
    ],
)
def test_a_record_whose_top_k_is_no_list_of_labels_and_scores_says_what_it_is(
    tmp_path: Path, top_k: Any, said: str
) -> None:
    # Rankings another tool wrote its own way: a string's characters and an object's keys were
    # read as its items ('string indices must be integers, not 'str''), and a ranked class
    # without a score was the record's own ("no 'score' field", where the record has one).
    record = {"path": "a.png", "label": "cat", "score": 0.9, "top_k": top_k, "status": "ok"}
    path = tmp_path / "p.jsonl"
    path.write_bytes(_as_pandas_writes(record))
    with pytest.raises(ZslError) as refused:
        read_predictions(path)
    assert str(refused.value) == f"{path}: line 1: not a zsl prediction record ({said})"


def _written_records(tmp_path: Path, fmt: str) -> Path:
    """Predictions written by zsl in `fmt`: two ranked, one failed."""
    path = tmp_path / f"p.{fmt}"
    studio = LabelStudioOptions(url_prefix="http://images")
    with open_writer(path, fmt, label_studio=studio) as writer:
        for name, ranked in (("a/b.png", ("cat", "dog")), ("1.png", ("dog",))):
            scores = RankedScores(ranked, [0.75, 0.25][: len(ranked)])
            writer.write(Prediction(name, ranked[0], 0.75, scores))
        writer.write(Prediction("c.png", "", None, (), "not_an_image", "cannot identify"))
    return path


def test_a_predictions_csv_turned_into_json_by_pandas_reads_as_the_csv(tmp_path: Path) -> None:
    # pd.read_csv("p.csv").to_json("p.jsonl", orient="records", lines=True): empty cells become
    # null, scores numbers (top_k_scores too, with top-k 1). Its rankings, in top_k_labels and
    # top_k_scores, were refused with the nulls, and left unread without them.
    source = _written_records(tmp_path, "csv")
    path = tmp_path / "p.jsonl"
    with source.open(newline="") as rows:
        records = [
            {
                key: _number_or_text(cell) if "score" in key else cell or None
                for key, cell in row.items()
            }
            for row in csv.DictReader(rows)
        ]
    assert records[1]["top_k_scores"] == 0.75 and records[2]["top_k_labels"] is None
    path.write_bytes(b"".join(map(_as_pandas_writes, records)))
    assert read_predictions(path) == read_predictions(source)


def _number_or_text(cell: str) -> float | str | None:
    try:
        return float(cell) if cell else None
    except ValueError:
        return cell


def test_a_json_list_of_zsl_records_reads_as_their_json_lines(tmp_path: Path) -> None:
    # df.to_json("p.json", orient="records") writes a list of records: it was taken for Label
    # Studio tasks ("task 1: not a task written by zsl (its data has no zsl_path)").
    source = _written_records(tmp_path, "jsonl")
    records = [json.loads(line) for line in source.read_bytes().splitlines()]
    path = tmp_path / "p.json"
    path.write_bytes(b"[" + b",".join(_as_pandas_writes(r).rstrip() for r in records) + b"]")
    assert read_predictions(path) == read_predictions(source)
    path.write_bytes(b'[{"path": "a.png", "label": "cat", "score": 0.5}]')
    with pytest.raises(ZslError, match=r"p\.json: record 1: not a zsl prediction record \(no 'st"):
        read_predictions(path)
    # pandas' other layouts: what to write instead. By columns, df.to_json's default, the
    # message was "path is an object, not a string".
    path.write_bytes(b'{"path": {"0": "a.png"}, "label": {"0": "cat"}}')
    with pytest.raises(
        ZslError, match=r"by columns; write df\.to_json\(path, orient=\"records\"\)\)$"
    ):
        read_predictions(path)
    path.write_bytes(b'{"columns": ["path", "label"], "index": [0], "data": [["a.png", "cat"]]}')
    with pytest.raises(ZslError, match=r"zsl records or Label Studio tasks \(from pandas, write "):
        read_predictions(path)


def test_a_json_lines_table_saved_as_csv_says_how_to_save_it(tmp_path: Path) -> None:
    # pd.read_json("p.jsonl", lines=True).to_csv("p.csv"): the rankings become Python lists in
    # a top_k column, and the file was refused with only the columns it lacked.
    path = tmp_path / "p.csv"
    path.write_text(
        ",path,label,score,top_k,status,error\n"
        "0,a.png,cat,0.9,\"[{'label': 'cat', 'score': 0.9}]\",ok,\n"
    )
    with pytest.raises(ZslError, match=r"is not a zsl predictions CSV: .* \(its top_k column is "):
        read_predictions(path)


def test_a_label_studio_json_min_export_reads_as_the_tasks_zsl_wrote(tmp_path: Path) -> None:
    # A project pre-annotated by zsl, exported as JSON_MIN: each task's data keys flattened into
    # its record, beside the task's id and the annotators' choices. It was refused ('task 1: not
    # a task written by zsl (its data has no zsl_path)'), though every zsl_* key is there.
    tasks_file = _written_records(tmp_path, "label-studio")
    tasks = json.loads(tasks_file.read_bytes())
    exported = [
        {**task["data"], "id": number, "annotator": 1, "annotation_id": number, "choice": "dog"}
        for number, task in enumerate(tasks, start=1)
    ]
    # A task annotated twice is a record per annotation: one prediction still, where evaluate
    # refused the file ("the predictions list 'a/b.png' twice (predictions 1 and 2)").
    exported.insert(1, {**exported[0], "annotator": 2, "annotation_id": 4, "choice": "cat"})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported, indent=2))
    read = read_predictions(path)
    assert read == read_predictions(tasks_file)
    # zsl's own record is read, not the annotators' choice.
    assert [p.label for p in read] == ["cat", "dog", ""]
    path.write_text(json.dumps([{"image": "a.png", "id": 1, "choice": "dog"}]))
    with pytest.raises(ZslError, match=r"export\.json: task 1: not a task written by zsl"):
        read_predictions(path)
