"""Prediction writers and readers: round trips, formats, streaming, atomic files, Label Studio."""

from __future__ import annotations

import csv
import dataclasses
import errno
import io
import json
import os
import pickle
import re
import select
import signal
import stat
import sys
import tempfile
import threading
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import IO
from urllib.parse import unquote_to_bytes
from xml.etree import ElementTree

import numpy as np
import pytest

from tests.helpers import flock_noting_blocked
from zsl_cli import readers
from zsl_cli.errors import ZslError
from zsl_cli.files import CsvLines
from zsl_cli.formatting import path_to_text
from zsl_cli.label_studio import (
    LABEL_STUDIO_CHOICES_WITHOUT_FILTER,
    LabelStudioOptions,
    check_label_studio_paths,
    label_studio_config,
    label_studio_config_warnings,
    label_studio_image_url,
)
from zsl_cli.readers import read_predictions, read_predictions_and_run_info
from zsl_cli.records import LabelScore, Prediction, RankedScores
from zsl_cli.writers import FORMATS, format_from_path, open_writer, output_format, write_json_file

HEADER = b"path,label,score,top_k_labels,top_k_scores,status,error\n"
NON_UTF8_NAME = b"caf\xe9 \xff.jpg"  # Latin-1 bytes: not valid UTF-8
EXTENSIONS = {"csv": ".csv", "jsonl": ".jsonl", "json": ".json", "label-studio": ".json"}


def sample_predictions(folder: Path) -> list[Prediction]:
    """Every kind of record: ok with top-k, abstained, failed, awkward names and labels."""
    return [
        Prediction(
            path=str(folder / "red circle 1.png"),
            label="red circle",
            score=0.8712345678,
            top_k=(LabelScore("red circle", 0.8712345678), LabelScore("red square", 0.1)),
        ),
        Prediction(
            path=str(folder / "фото" / "猫\r.jpg"),  # a bare CR must be quoted in CSV
            label='big, "odd" label',
            score=np.float32(0.123456789),  # scoring hands out numpy scalars
            top_k=(LabelScore('big, "odd" label', np.float32(0.123456789)),),
        ),
        Prediction(
            path=os.fsdecode(os.fsencode(folder) + b"/" + NON_UTF8_NAME),
            label="unknown",
            score=1.5e-7,
            top_k=(LabelScore("blue star", 1.5e-7), LabelScore("red circle", 1.2e-7)),
        ),
        Prediction(
            path=str(folder / "broken.jpg"),
            label="",
            score=None,
            status="truncated",
            error='image file is truncated, "2 bytes" left\nsecond line, with comma',
        ),
    ]


def rounded(prediction: Prediction) -> Prediction:
    """The record as every format stores it: scores to 7 significant digits."""

    def r(x: float | None) -> float | None:
        return None if x is None else float(f"{float(x):.7g}")

    return Prediction(
        path=prediction.path,
        label=prediction.label,
        score=r(prediction.score),
        top_k=tuple(LabelScore(s.label, r(s.score)) for s in prediction.top_k),
        status=prediction.status,
        error=prediction.error,
    )


def written_run_info(path: Path) -> dict | None:
    """The run info `zsl evaluate` reads with an output's predictions."""
    return read_predictions_and_run_info(path)[1]


def write_all(path: Path, fmt: str, predictions: list[Prediction], **kwargs) -> None:
    with open_writer(str(path), fmt, **kwargs) as writer:
        for prediction in predictions:
            writer.write(prediction)
        writer.close({"model": "shapes-demo", "classes": 3})


def local_files(root: Path, **kwargs) -> LabelStudioOptions:
    """Images referenced as Label Studio local files under the document root."""
    return LabelStudioOptions(document_root=root, **kwargs)


def ls_options(root: Path) -> LabelStudioOptions:
    """Images served over HTTP: the sample has a non-UTF-8 name, which local files refuse."""
    return LabelStudioOptions(document_root=root, url_prefix="http://127.0.0.1:8081/")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A Label Studio document root with the images in a sub-folder, as Label Studio requires."""
    (tmp_path / "root" / "photos").mkdir(parents=True)
    return tmp_path / "root"


# ---------------------------------------------------------------------------------------------
# Formats by name


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        (None, "csv"),
        ("-", "csv"),
        ("out.csv", "csv"),
        ("OUT.CSV", "csv"),
        ("a/b.jsonl", "jsonl"),
        ("b.ndjson", "jsonl"),
        ("c.json", "json"),
    ],
)
def test_format_from_path(name: str | None, fmt: str) -> None:
    assert format_from_path(name) == fmt


@pytest.mark.parametrize("name", ["out.txt", "out", "out.parquet"])
def test_format_from_unknown_extension_asks_for_format(name: str) -> None:
    with pytest.raises(ZslError, match="--format"):
        format_from_path(name)


def test_streams_without_an_extension_get_csv_as_stdout_does(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    assert format_from_path(os.devnull) == format_from_path(tmp_path / "fifo") == "csv"
    with pytest.raises(ZslError, match="is a directory: give a file name"):
        format_from_path(tmp_path)  # a folder is no stream


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="needs /dev/fd")
def test_a_stream_name_whose_descriptor_is_not_open_says_so() -> None:
    # `-o /dev/stdout >&-` was asked for --format ("cannot tell the output format"), and with
    # it said "cannot write '/proc/<pid>/fd/1': No such file or directory".
    descriptor = os.open(os.devnull, os.O_RDONLY)
    os.close(descriptor)  # a number no stream holds now
    name = f"/dev/fd/{descriptor}"
    assert format_from_path(name) == "csv"
    with pytest.raises(ZslError, match=f"cannot write '{name}': no such stream is open"):
        open_writer(name, "csv")


@pytest.mark.parametrize("name", ["fifo.jsonl", "fifo.ndjson", "fifo.json", "fifo.csv"])
def test_a_stream_with_an_extension_gets_that_format(tmp_path: Path, name: str) -> None:
    # `mkfifo p.jsonl; jq . p.jsonl & zsl label ... -o p.jsonl` got CSV, where `-f csv` was
    # refused for contradicting the name.
    os.mkfifo(tmp_path / name)
    assert format_from_path(tmp_path / name) == format_from_path(name)


def test_a_folder_named_as_the_output_is_refused_as_one(tmp_path: Path) -> None:
    # `-o results` (a folder) was told its name gave no format, and `-f csv` then led to the
    # folder's refusal: say what is wrong at once, for a folder that does not exist yet too.
    (tmp_path / "results").mkdir()
    with pytest.raises(ZslError, match=r"^output '.*results' is a directory: give a file name$"):
        output_format(tmp_path / "results", None)
    with pytest.raises(ZslError, match=r"^output '.*new/' names a folder: give a file name$"):
        output_format(f"{tmp_path}/new/", None)
    assert output_format(tmp_path / "results.csv", None) == "csv"


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ZslError, match="unknown output format"):
        open_writer(str(tmp_path / "x.csv"), "xml")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_every_format(tmp_path: Path, root: Path, fmt: str) -> None:
    predictions = sample_predictions(root / "photos")
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    write_all(output, fmt, predictions, label_studio=ls_options(root))

    back = read_predictions(output)

    assert back == [rounded(p) for p in predictions]
    # Undecodable names come back as the same surrogate-escaped string, hence the same bytes.
    assert os.fsencode(back[2].path).endswith(b"/" + NON_UTF8_NAME)
    for original, read in zip(predictions, back, strict=True):
        if original.score is not None:
            assert abs(read.score - float(original.score)) <= 1e-6 * abs(float(original.score))
    assert written_run_info(output) == {"model": "shapes-demo", "classes": 3, "complete": True}


def test_csv_with_every_class_of_many_reads_back(tmp_path: Path, root: Path) -> None:
    # With top-k 0 a row's top_k_labels holds every class name: 20,000 classes are some 250,000
    # characters, over csv's default limit on a field (131,072), which is put back afterwards.
    ranked = tuple(LabelScore(f"class number {i}", 1.0 / (i + 2)) for i in range(20_000))
    prediction = Prediction(str(root / "a.png"), ranked[0].label, ranked[0].score, ranked)
    output = tmp_path / "out.csv"
    write_all(output, "csv", [prediction])
    limit = csv.field_size_limit()

    (back,) = read_predictions(output)

    assert [choice.label for choice in back.top_k] == [choice.label for choice in ranked]
    assert csv.field_size_limit() == limit


@pytest.mark.parametrize("fmt", FORMATS)
def test_reading_keeps_one_string_per_class_name(tmp_path: Path, root: Path, fmt: str) -> None:
    # With every class's score (--top-k 0) each record names every class: a string per record
    # and class would take 3 GB for 50,000 images and 1,000 classes.
    ranked = (LabelScore("red circle", 0.75), LabelScore("blue star", 0.25))
    predictions = [Prediction(str(root / f"{i}.png"), "red circle", 0.75, ranked) for i in range(2)]
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    write_all(output, fmt, predictions, label_studio=ls_options(root))

    first, second = read_predictions(output)

    assert first == rounded(predictions[0])
    assert all(a.label is b.label for a, b in zip(first.top_k, second.top_k, strict=True))


@pytest.mark.parametrize("fmt", FORMATS)
def test_rankings_read_back_behave_as_the_tuples_written(
    tmp_path: Path, root: Path, fmt: str
) -> None:
    # Readers hold a ranking compactly (records.RankedScores), as it must behave: the tuple of
    # LabelScore written, each score exactly the float its text is (float32 would not keep
    # 0.7654321, nor 1.401298e-45 to 7 digits).
    ranked = (
        LabelScore("red circle", 0.7654321),
        LabelScore('big, "odd" label', 0.2345679),
        LabelScore("blue star", 1.401298e-45),
        LabelScore("green square", 0.0),
    )
    prediction = Prediction(str(root / "a.png"), "red circle", 0.7654321, ranked)
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    write_all(output, fmt, [prediction], label_studio=ls_options(root))

    (back,) = read_predictions(output)

    top_k = back.top_k
    assert top_k == ranked and ranked == top_k and hash(top_k) == hash(ranked)
    assert len(top_k) == 4 and list(top_k) == list(ranked)
    assert [top_k[i] for i in range(-4, 4)] == [ranked[i] for i in range(-4, 4)]
    assert top_k[1:3] == ranked[1:3] and top_k[::-1] == ranked[::-1] and top_k[:0] == ()
    assert all(type(choice.score) is float for choice in (*top_k, top_k[0]))
    assert top_k != ranked[:3] and top_k != (*ranked[:3], LabelScore("green square", 5e-324))
    assert back == prediction and back.top_k[0].label is back.top_k[:1][0].label
    extra = (LabelScore("extra", 0.5),)
    assert top_k + extra == ranked + extra and extra + top_k == extra + ranked
    assert top_k + top_k == ranked + ranked and type(top_k + top_k) is tuple


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_rankings_read_back_with_nan_scores_hash_alike(
    tmp_path: Path, root: Path, fmt: str
) -> None:
    # A model that overflowed (fp16) writes nan scores. NaN floats hash by identity and a
    # RankedScores makes new floats each time it is iterated: its hash must not follow them, or
    # a prediction is lost in the set or dict it was put in. A tuple equals itself, NaN or not.
    ranked = (LabelScore("red circle", float("nan")), LabelScore("blue star", 0.5))
    prediction = Prediction(str(root / "a.png"), "red circle", float("nan"), ranked)
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    write_all(output, fmt, [prediction], label_studio=ls_options(root))

    (back,) = read_predictions(output)

    hashes = set()
    for size in range(50):  # other floats made in between take the freed addresses
        hashes.add(hash(back.top_k))
        _ = [float(i) for i in range(size)]
    assert len(hashes) == 1
    assert back.top_k == back.top_k and back in {back}


def test_rankings_read_back_stay_read_only_when_pickled(tmp_path: Path, root: Path) -> None:
    # Predictions cross to other processes pickled: the copy must be as immutable (and so keep
    # its hash) as the ranking it copies, whatever the pickle protocol.
    ranked = (LabelScore("red circle", 0.75), LabelScore("blue star", 0.25))
    output = tmp_path / "out.csv"
    write_all(output, "csv", [Prediction(str(root / "a.png"), "red circle", 0.75, ranked)])
    (back,) = read_predictions(output)

    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(back, protocol))
        assert copy == back and copy.top_k == ranked, protocol
        with pytest.raises(ValueError, match="read-only"):
            copy.top_k.scores[0] = 1.0


def test_a_csv_reviewed_in_a_spreadsheet_reads_back(tmp_path: Path, root: Path) -> None:
    # A labelling team reorders the columns and adds its own (a reviewer's notes); zsl's
    # columns, each once, are what is read, as a truth CSV's path and label are.
    predictions = sample_predictions(root / "photos")
    output = tmp_path / "out.csv"
    write_all(output, "csv", predictions)
    text = output.read_bytes().decode("utf-8", "surrogateescape")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    reviewed = [["reviewed", *reversed(row), "notes"] for row in rows]
    reviewed[1][0], reviewed[1][-1] = "yes", "looks, fine"
    edited = io.StringIO(newline="")
    csv.writer(edited).writerows(reviewed)  # with CRLF line ends, as spreadsheets write
    output.write_bytes(edited.getvalue().encode("utf-8", "surrogateescape"))
    assert read_predictions(output) == [rounded(p) for p in predictions]
    for header in ([*rows[0], "path"], [c for c in rows[0] if c != "status"]):  # twice, missing
        output.write_text(",".join(header) + "\n")
        with pytest.raises(ZslError, match="the header must hold the columns path,label,"):
            read_predictions(output)


def test_csv_bytes_header_and_columns(tmp_path: Path, root: Path) -> None:
    predictions = sample_predictions(root / "photos")
    output = tmp_path / "out.csv"
    write_all(output, "csv", predictions)
    raw = output.read_bytes()

    assert raw.startswith(HEADER)
    assert b"/" + NON_UTF8_NAME in raw  # the file name's own bytes, not an escape
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8", "surrogateescape"), newline="")))
    assert [r["label"] for r in rows] == ["red circle", 'big, "odd" label', "unknown", ""]
    assert rows[0]["score"] == "0.8712346"
    assert rows[0]["top_k_labels"] == "red circle|red square"
    assert rows[0]["top_k_scores"] == "0.8712346|0.1"
    assert rows[2]["top_k_scores"] == "1.5e-07|1.2e-07"
    assert (
        rows[3]["score"] == ""
        and rows[3]["top_k_labels"] == ""
        and rows[3]["status"] == "truncated"
    )
    assert rows[3]["error"] == predictions[3].error  # newline and comma survive quoting
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "truncated"]


def test_jsonl_lines_and_escapes(tmp_path: Path, root: Path) -> None:
    predictions = sample_predictions(root / "photos")
    output = tmp_path / "out.jsonl"
    write_all(output, "jsonl", predictions)
    raw = output.read_bytes()

    raw.decode("utf-8")  # valid UTF-8 throughout
    assert b"\r" not in raw
    lines = raw.split(b"\n")
    assert lines[-1] == b"" and len(lines) == 5
    assert "猫".encode() in lines[1]  # readable, not \u-escaped
    assert b"caf\\udce9 \\udcff.jpg" in lines[2]  # the JSON escape of the undecodable bytes
    first = json.loads(lines[0])
    assert list(first) == ["path", "label", "score", "top_k", "status", "error"]
    assert first["top_k"] == [
        {"label": "red circle", "score": 0.8712346},
        {"label": "red square", "score": 0.1},
    ]
    assert json.loads(lines[3])["score"] is None


def many_class_predictions(folder: Path) -> list[Prediction]:
    """Rows with every class kept (as --top-k 0 writes them), rankings of both kinds (RankedScores,
    as scoring makes them; tuples, as a library user may), odd scores and odd labels."""
    rng = np.random.default_rng(7)
    names = [f"class {i}" for i in range(200)] + [
        'quote " and \\ backslash',
        "line\u2028sep, next\x85line and para\u2029",
        "ctrl \x00\x1f\t",
        "ünïcødé 猫 ★",
        "lone \udce9 surrogate",
    ]
    scores = rng.random(len(names))
    scores[:9] = [1.0, 0.0, -0.0, 1e-5, 1e-4, 9999999.0, -0.25, 1e-299, 0.1]
    ranked = RankedScores(tuple(names), scores)
    magnitudes = 10.0 ** rng.uniform(-30, 6.99, 500) * rng.choice([-1, 1], 500)
    wide = RankedScores(tuple(f"m{i}" for i in range(500)), magnitudes)
    # One value each that JSON writes otherwise than as its 7 digits, beside an ordinary one.
    odd = [float("nan"), float("inf"), -float("inf"), 123456789.5, 1e20, 5e-324]
    odd_rankings = [RankedScores(("odd", "ordinary"), [value, 0.5]) for value in odd]
    odd_rankings += [(LabelScore("x", value), LabelScore("y", 0.5)) for value in [*odd, None]]
    odd_rankings += [(LabelScore("numpy", np.float32(0.123456789)), LabelScore("int", 2))]
    return [
        Prediction(str(folder / "m.jpg"), "m0", float(magnitudes[0]), wide),
        Prediction(str(folder / "a.jpg"), names[0], float(scores[0]), ranked),
        *(Prediction(str(folder / f"{i}.jpg"), "x", 0.5, r) for i, r in enumerate(odd_rankings)),
        Prediction(str(folder / "c.jpg"), "", None, (), "truncated", "line\nbreak, \u2028"),
        Prediction(str(folder / "d.jpg"), names[3], float("nan"), ranked[3:9]),
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_records_are_the_bytes_the_format_writes_for_them(
    tmp_path: Path, root: Path, fmt: str
) -> None:
    # What json.dumps and the csv module write for the record, whatever shortcut the writer
    # takes for long rankings.
    def score(value: float | None) -> float | None:
        return None if value is None else float(format(float(value), ".7g"))

    def json_line(p: Prediction) -> bytes:
        top_k = [{"label": s.label, "score": score(s.score)} for s in p.top_k]
        record = {"path": path_to_text(p.path), "label": p.label, "score": score(p.score)}
        record |= {"top_k": top_k, "status": p.status, "error": p.error}
        text = json.dumps(record, ensure_ascii=False)
        for line_break in "\x85\u2028\u2029":
            text = text.replace(line_break, f"\\u{ord(line_break):04x}")
        return text.encode("utf-8", "backslashreplace")

    def csv_line(p: Prediction) -> bytes:
        def text(value: float | None) -> str:
            if value is None:
                return ""
            digits = format(float(value), ".7g")  # a whole number as a float: "1.0"
            return digits if any(c in digits for c in ".en") else digits + ".0"

        top_k = ["|".join(s.label for s in p.top_k), "|".join(text(s.score) for s in p.top_k)]
        fields = [path_to_text(p.path), p.label, text(p.score), *top_k, p.status, p.error]
        line = CsvLines().line(fields)
        return line.encode("utf-8", "surrogateescape")

    predictions = many_class_predictions(root / "photos")
    output = tmp_path / f"out.{fmt}"
    write_all(output, fmt, predictions)
    raw = output.read_bytes()
    if fmt == "json":
        records = raw.removeprefix(b'{"predictions": [\n').split(b"\n]")[0].split(b",\n")
        assert records == [json_line(p) for p in predictions]
    elif fmt == "jsonl":
        assert raw.split(b"\n") == [json_line(p) for p in predictions] + [b""]
    else:
        assert raw == HEADER + b"".join(csv_line(p) for p in predictions)


def test_label_studio_tasks_hold_the_rankings_json_lines_do(tmp_path: Path, root: Path) -> None:
    predictions = many_class_predictions(root / "photos")
    write_all(tmp_path / "out.jsonl", "jsonl", predictions)
    write_all(tmp_path / "out.json", "label-studio", predictions, label_studio=ls_options(root))
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    tasks = json.loads((tmp_path / "out.json").read_text())

    def shown(ranking: list) -> str:  # Label Studio's tasks show lone surrogates as U+FFFD
        return re.sub(r"\\ud[89a-f][0-9a-f]{2}", r"\\ufffd", json.dumps(ranking))

    assert [shown(t["data"]["zsl_top_k"]) for t in tasks] == [shown(r["top_k"]) for r in records]
    assert sum(len(r["top_k"]) for r in records) > 700


def test_json_document_puts_run_last(tmp_path: Path, root: Path) -> None:
    output = tmp_path / "out.json"
    write_all(output, "json", sample_predictions(root / "photos"))
    document = json.loads(output.read_bytes())
    assert list(document) == ["predictions", "run"]
    assert len(document["predictions"]) == 4
    assert document["run"]["complete"] is True
    assert not (tmp_path / "out.json.run.json").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_run_is_a_valid_document(tmp_path: Path, root: Path, fmt: str) -> None:
    output = tmp_path / f"empty{EXTENSIONS[fmt]}"
    write_all(output, fmt, [], label_studio=ls_options(root))
    assert read_predictions(output) == []
    if fmt == "csv":
        assert output.read_bytes() == HEADER


@pytest.mark.parametrize("fmt", FORMATS)
def test_files_end_with_a_line_break(tmp_path: Path, root: Path, fmt: str) -> None:
    # As text files do: `cat` and `wc -l` count the last line, a shell prompt starts on its own.
    for number, predictions in enumerate(([], sample_predictions(root / "photos"))):
        output = tmp_path / f"out-{number}{EXTENSIONS[fmt]}"
        write_all(output, fmt, predictions, label_studio=ls_options(root))
        data = output.read_bytes()
        assert data.endswith(b"\n") or (data == b"" and fmt == "jsonl"), number


def test_run_info_and_json_files_are_indented_for_people(tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    with open_writer(str(output), "csv") as writer:
        writer.close({"model": "m", "classes": ["a", "b"]})
    sidecar = (tmp_path / "out.csv.run.json").read_text(encoding="utf-8")
    info = {"model": "m", "classes": ["a", "b"], "complete": True, "output_bytes": 56}
    assert output.stat().st_size == 56
    assert sidecar == json.dumps(info, indent=2) + "\n"
    write_json_file(tmp_path / "result.json", {"accuracy": 0.5, "classes": ["a"]})
    written = (tmp_path / "result.json").read_text(encoding="utf-8")
    assert written == '{\n  "accuracy": 0.5,\n  "classes": [\n    "a"\n  ]\n}\n'


def test_a_sidecar_left_by_an_earlier_run_is_not_read_as_the_run_info(tmp_path: Path) -> None:
    # `zsl label ... -o out.csv`, then `zsl label ... > out.csv` with other classes: the
    # sidecar describes the first output, and evaluate took its class list for the second's.
    output = tmp_path / "out.csv"
    with open_writer(str(output), "csv") as writer:
        writer.write(Prediction("a.png", "cat", 0.9, (LabelScore("cat", 0.9),)))
        writer.close({"classes": {"n": 30}})
    assert read_predictions_and_run_info(output)[1] == {"classes": {"n": 30}, "complete": True}
    output.write_bytes(output.read_bytes().replace(b"cat", b"dog"))  # same size: still read
    assert written_run_info(output) == {"classes": {"n": 30}, "complete": True}
    output.write_bytes(output.read_bytes() + b"b.png,dog,0.8,dog,0.8,ok,\n")
    assert read_predictions_and_run_info(output)[1] is None
    assert written_run_info(output) is None


# ---------------------------------------------------------------------------------------------
# Stdout


class PipeEnd:
    """The reading end of a real OS pipe whose writing end is a buffered binary stream."""

    def __init__(self) -> None:
        read_fd, write_fd = os.pipe()
        self.read_fd = read_fd
        self.stream = open(write_fd, "wb")  # noqa: SIM115 - closed in close()

    def available(self) -> bytes:
        ready, _, _ = select.select([self.read_fd], [], [], 0.5)
        return os.read(self.read_fd, 65536) if ready else b""

    def close(self) -> None:
        self.stream.close()
        os.close(self.read_fd)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_stdout_is_flushed_after_every_prediction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    pipe = PipeEnd()
    try:
        first, second = sample_predictions(tmp_path)[:2]
        writer = open_writer("-", fmt, stdout=pipe.stream)
        writer.write(first)
        got = pipe.available()
        assert got.endswith(b"\n") and b"red circle 1.png" in got
        writer.write(second)
        got = pipe.available()
        assert got.count(b"\n") == 1 and "猫".encode() in got
        writer.close({"model": "m"})
        assert not pipe.stream.closed  # stdout belongs to the caller
        assert list(tmp_path.iterdir()) == []  # no sidecar, no temp file for stdout
    finally:
        pipe.close()


class ShortWrites(io.RawIOBase):
    """An unbuffered stdout (`python -u`, PYTHONUNBUFFERED=1) is a raw stream, whose write()
    may take only part of the data: a signal that interrupts a write into a full pipe does."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        taken = bytes(data[:1000])
        self.data += taken
        return len(taken)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_raw_stdout_that_takes_part_of_a_write_gets_the_rest(
    tmp_path: Path, root: Path, fmt: str
) -> None:
    # A row of every class's score (-k 0) is tens of kilobytes: all but its start was lost.
    folder = root / "photos"
    long_row = dataclasses.replace(
        sample_predictions(folder)[0],
        top_k=tuple(LabelScore(f"class {i}", 1e-4) for i in range(2000)),
    )
    raw, whole = ShortWrites(), io.BytesIO()
    for stdout in (raw, whole):
        with open_writer(None, fmt, stdout=stdout, label_studio=ls_options(root)) as writer:
            for prediction in [*sample_predictions(folder), long_row]:
                writer.write(prediction)
            writer.close({"model": "m"})
    assert len(whole.getvalue()) > 30_000
    assert bytes(raw.data) == whole.getvalue()


def test_json_to_stdout_includes_run(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with open_writer(None, "json", stdout=buffer) as writer:
        writer.write(sample_predictions(tmp_path)[0])
        writer.close({"model": "m"})
    document = json.loads(buffer.getvalue())
    assert document["run"] == {"model": "m", "complete": True}


@pytest.mark.parametrize("spooled", [False, True], ids=["bytes-under-it", "no-bytes-under-it"])
def test_a_text_stdout_that_is_no_text_io_base_gets_text(tmp_path: Path, spooled: bool) -> None:
    # A text stream need not derive from io.TextIOBase (tempfile's wrap one): it got bytes.
    if spooled:
        with tempfile.SpooledTemporaryFile(mode="w+", encoding="utf-8") as text:
            lines = csv_written_to(text, tmp_path)
    else:
        with tempfile.NamedTemporaryFile("w+", encoding="utf-8", dir=tmp_path) as text:
            lines = csv_written_to(text, tmp_path)
    assert lines[0] + "\n" == HEADER.decode() and "red circle 1.png" in lines[1]


def csv_written_to(text: IO[str], folder: Path) -> list[str]:
    with open_writer(None, "csv", stdout=text) as writer:
        writer.write(sample_predictions(folder)[0])
        writer.close({"model": "m"})
    text.seek(0)
    return text.read().splitlines()


@pytest.mark.parametrize("fmt", FORMATS)
def test_stdout_gets_nothing_from_a_run_that_fails_before_its_first_prediction(
    tmp_path: Path, root: Path, fmt: str
) -> None:
    # stdout cannot be taken back: a header without a body would be a half document.
    buffer = io.BytesIO()
    with (
        pytest.raises(RuntimeError),
        open_writer(None, fmt, stdout=buffer, label_studio=ls_options(root)),
    ):
        raise RuntimeError("no readable image")
    assert buffer.getvalue() == b""
    with open_writer(None, fmt, stdout=buffer, label_studio=ls_options(root)) as writer:
        writer.close({"model": "m"})  # a run with no predictions still writes a whole document
    assert read_predictions_bytes(buffer.getvalue(), fmt, tmp_path) == []


def read_predictions_bytes(data: bytes, fmt: str, folder: Path) -> list:
    path = folder / f"saved{EXTENSIONS[fmt]}"
    path.write_bytes(data)
    return read_predictions(path)


# ---------------------------------------------------------------------------------------------
# Atomic files


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".zsl-tmp")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_old_file_stays_until_close(tmp_path: Path, root: Path, fmt: str) -> None:
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    output.write_bytes(b"old results")
    predictions = sample_predictions(root / "photos")
    with open_writer(str(output), fmt, label_studio=ls_options(root)) as writer:
        for prediction in predictions:
            writer.write(prediction)
        assert output.read_bytes() == b"old results"
        assert len(temp_files(tmp_path)) == 1
        writer.close({"n": 4})
    assert read_predictions(output) == [rounded(p) for p in predictions]
    assert temp_files(tmp_path) == []


def test_long_output_names_that_fit_are_written_and_others_refused_before_a_run(
    tmp_path: Path,
) -> None:
    predictions = sample_predictions(tmp_path / "photos")
    # 255 bytes with the run info's ".run.json": the temporary file's name is cut short.
    fits = tmp_path / ("é" * 119 + "aaaa.csv")
    with open_writer(str(fits), "csv") as writer:
        writer.write(predictions[0])
        writer.close({"n": 1})
    assert read_predictions(fits) == [rounded(predictions[0])] and written_run_info(fits)["n"] == 1
    # Renamed to a name that leaves no room for run info: read without it, not refused.
    renamed = fits.rename(tmp_path / ("e" * 250 + ".csv"))
    assert read_predictions(renamed) == [rounded(predictions[0])]
    assert written_run_info(renamed) is None
    # JSON holds its run info: the name alone may take 255 bytes.
    inside = tmp_path / ("b" * 250 + ".json")
    with open_writer(str(inside), "json") as writer:
        writer.close({})
    assert read_predictions(inside) == []
    for name, fmt, excess in (("c" * 243 + ".csv", "csv", 1), ("d" * 251 + ".json", "json", 1)):
        with pytest.raises(ZslError, match=f"is {excess} bytes too long for a file name"):
            open_writer(str(tmp_path / "new" / name), fmt)
        assert not (tmp_path / "new").exists()
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_exception_discards_temp_file(tmp_path: Path, root: Path, fmt: str) -> None:
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    output.write_bytes(b"old results")
    with (
        pytest.raises(RuntimeError),
        open_writer(str(output), fmt, label_studio=ls_options(root)) as w,
    ):
        w.write(sample_predictions(root / "photos")[0])
        raise RuntimeError("model crashed")
    assert output.read_bytes() == b"old results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out" + EXTENSIONS[fmt], "root"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_interrupted_run_keeps_finished_work(tmp_path: Path, root: Path, fmt: str) -> None:
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    predictions = sample_predictions(root / "photos")
    with open_writer(str(output), fmt, label_studio=ls_options(root)) as writer:
        try:
            for number, prediction in enumerate(predictions):
                if number == 2:
                    raise KeyboardInterrupt
                writer.write(prediction)
        except KeyboardInterrupt:
            writer.close({"model": "m"}, complete=False)
    assert read_predictions(output) == [rounded(p) for p in predictions[:2]]
    assert written_run_info(output) == {"model": "m", "complete": False}
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("at_sync", [1, 2])  # the output's, then the sidecar's
def test_ctrl_c_while_publishing_waits_for_output_and_sidecar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at_sync: int, ctrl_c_interrupts: None
) -> None:
    # A Ctrl-C (or SIGTERM) while the file was flushed left its temporary file behind; one
    # between the output's rename and its sidecar's left the new output with the old run info.
    from zsl_cli import files

    output = tmp_path / "out.csv"
    write_all(output, "csv", [])
    output.with_name("out.csv.run.json").write_text('{"model": "old", "complete": true}')
    syncs = []
    finish = files._finish

    def finish_then_ctrl_c(file):
        finish(file)
        syncs.append(file)
        if len(syncs) == at_sync:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(files, "_finish", finish_then_ctrl_c)
    predictions = sample_predictions(tmp_path / "photos")
    with pytest.raises(KeyboardInterrupt), open_writer(str(output), "csv") as writer:
        writer.write(predictions[0])
        writer.close({"model": "new"})
    assert read_predictions(output) == [rounded(predictions[0])]
    assert written_run_info(output) == {"model": "new", "complete": True}
    assert temp_files(tmp_path) == []


def test_runs_publishing_one_output_at_once_leave_one_runs_output_and_run_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two runs writing one -o at once (a script's `&`, overlapping cron jobs): run B published
    # while run A was between its output's rename and its run info's, which left B's
    # predictions next to A's run info. B now waits for A to move both into place.
    from zsl_cli import files

    output = tmp_path / "out.csv"
    predictions = sample_predictions(tmp_path / "photos")
    writer_a, writer_b = open_writer(str(output), "csv"), open_writer(str(output), "csv")
    writer_a.write(predictions[0])
    writer_b.write(predictions[1])
    replace = os.replace
    run_b = threading.Thread(target=writer_b.close, args=({"run": "b"},))
    b_blocked, waited = threading.Event(), []
    monkeypatch.setattr(files.fcntl, "flock", flock_noting_blocked(run_b, b_blocked))

    def replace_then_let_b_publish(source, target):
        replace(source, target)
        if Path(target) == output and not run_b.is_alive() and run_b.ident is None:
            run_b.start()
            # B's whole publish runs here, unless it waits for A: B is blocked, and not done.
            waited.append((b_blocked.wait(60), run_b.is_alive()))

    monkeypatch.setattr(files.os, "replace", replace_then_let_b_publish)
    writer_a.close({"run": "a"})
    run_b.join()
    assert waited == [(True, True)]
    assert written_run_info(output) == {"run": "b", "complete": True}
    assert read_predictions(output) == [rounded(predictions[1])]
    assert temp_files(tmp_path) == []


def test_run_info_that_cannot_be_written_leaves_the_old_output_and_run_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A full disk while the run info was written left the new output next to the old run info
    # (and an error saying the output could not be written).
    from zsl_cli import files

    output = tmp_path / "out.csv"
    predictions = sample_predictions(tmp_path / "photos")
    write_all(output, "csv", predictions[:1])
    finish = files._finish
    synced = []

    def full_disk_at_the_run_info(file):
        synced.append(file)
        if len(synced) == 2:  # the output's, then the run info's
            raise OSError(errno.ENOSPC, "No space left on device")
        finish(file)

    monkeypatch.setattr(files, "_finish", full_disk_at_the_run_info)
    with pytest.raises(ZslError, match="No space left"), open_writer(str(output), "csv") as w:
        w.write(predictions[1])
        w.close({"model": "new"})
    assert read_predictions(output) == [rounded(predictions[0])]
    assert written_run_info(output) == {"model": "shapes-demo", "classes": 3, "complete": True}
    assert temp_files(tmp_path) == []


class FullDiskFile(io.RawIOBase):
    """A file on a full disk: every write fails, so the bytes stay in the buffer above it and
    closing that buffer, which flushes it, fails too, as a real file's close does."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._file.fileno()

    def write(self, data) -> int:  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self) -> None:
        self._file.close()
        super().close()


def on_a_full_disk(monkeypatch: pytest.MonkeyPatch, suffix: str = "") -> None:
    """Temporary files (of targets whose name ends with `suffix`) are written to a full disk."""
    from zsl_cli import files

    create = files._create_temp

    def create_on_a_full_disk(target: Path) -> tuple[Path, IO[bytes]]:
        temp, file = create(target)
        if not target.name.endswith(suffix):
            return temp, file
        return temp, io.BufferedWriter(FullDiskFile(file))

    monkeypatch.setattr(files, "_create_temp", create_on_a_full_disk)


# The disk full while rows are written (once a buffer's worth is due), when the output is
# flushed at the end, or at its run info.
@pytest.mark.parametrize(("rows", "suffix"), [(200, ""), (1, ""), (1, ".run.json")])
def test_a_full_disk_leaves_the_old_output_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int, suffix: str
) -> None:
    # Closing the discarded file flushed it again, and that second failure escaped as an
    # OSError (a traceback, exit 1) and left the temporary file behind.
    output = tmp_path / "out.csv"
    predictions = sample_predictions(tmp_path / "photos")
    write_all(output, "csv", predictions[:1])
    on_a_full_disk(monkeypatch, suffix)
    full = pytest.raises(ZslError, match="No space left on device")
    with full, open_writer(str(output), "csv") as writer:
        for _ in range(rows):
            writer.write(predictions[1])
        writer.close({"model": "new"})
    assert read_predictions(output) == [rounded(predictions[0])]
    assert written_run_info(output) == {"model": "shapes-demo", "classes": 3, "complete": True}
    assert temp_files(tmp_path) == []


def test_files_published_together_leave_no_temporary_file_on_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zsl_cli.files import atomic_files

    first, second = tmp_path / "vectors.npy", tmp_path / "vectors.npy.paths.csv"
    on_a_full_disk(monkeypatch)
    full = pytest.raises(OSError, match="No space left on device")
    with full, atomic_files(first, second) as (first_file, second_file):
        first_file.write(b"matrix")
        second_file.write(b"index")
    assert list(tmp_path.iterdir()) == []


def test_leaving_block_without_close_publishes(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    with open_writer(str(output), "jsonl") as writer:
        writer.write(sample_predictions(tmp_path)[0])
    assert len(read_predictions(output)) == 1
    assert written_run_info(output) == {"complete": True}


def test_writer_counts_its_predictions_and_refuses_them_once_closed(tmp_path: Path) -> None:
    prediction = sample_predictions(tmp_path)[0]
    for discarded in (False, True):
        output = tmp_path / f"out-{discarded}.csv"
        output.write_bytes(b"old results")
        with open_writer(str(output), "csv") as writer:
            writer.write(prediction)
            writer.write(prediction)
            assert writer.count == 2
            if discarded:
                writer.discard()
            else:
                writer.close({})
            with pytest.raises(ValueError, match="after close"):
                writer.write(prediction)
        # Discarded, the block's normal end publishes nothing: the old file stays.
        published = read_predictions(output) if not discarded else None
        assert published == (None if discarded else [rounded(prediction)] * 2)
        assert discarded == (output.read_bytes() == b"old results")
    assert temp_files(tmp_path) == []


def test_the_complete_flag_is_the_one_close_is_given(tmp_path: Path) -> None:
    # The run info a caller hands over may say "complete" already: close's own flag counts.
    for fmt in ("csv", "json"):
        output = tmp_path / f"out{EXTENSIONS[fmt]}"
        with open_writer(str(output), fmt) as writer:
            writer.close({"model": "m", "complete": True}, complete=False)
        assert written_run_info(output) == {"model": "m", "complete": False}, fmt


class Interrupting:
    """A run info value whose encoding is interrupted, as by a Ctrl-C at that moment."""

    def __str__(self) -> str:
        raise KeyboardInterrupt


@pytest.mark.parametrize("fmt", FORMATS)
def test_ctrl_c_while_run_info_is_encoded_leaves_the_old_output_and_no_temporary_file(
    tmp_path: Path, root: Path, fmt: str
) -> None:
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    output.write_bytes(b"old results")
    with (
        pytest.raises(KeyboardInterrupt),
        open_writer(str(output), fmt, label_studio=ls_options(root)) as writer,
    ):
        writer.write(sample_predictions(root / "photos")[0])
        writer.close({"model": Interrupting()})
    assert output.read_bytes() == b"old results"
    assert temp_files(tmp_path) == []


def test_published_file_has_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    output = tmp_path / "out.csv"
    write_all(output, "csv", [])
    assert stat.S_IMODE(output.stat().st_mode) == 0o666 & ~umask


def test_missing_parent_folders_are_created(tmp_path: Path) -> None:
    output = tmp_path / "new" / "deeper" / "out.csv"
    write_all(output, "csv", sample_predictions(tmp_path)[:1])
    assert output.read_bytes().startswith(HEADER)
    assert (tmp_path / "new" / "deeper" / "out.csv.run.json").is_file()


def test_outputs_are_written_like_a_shell_redirection(tmp_path: Path) -> None:
    # Through a symbolic link to its file; a replaced file keeps its permissions.
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(real.name)
    write_all(link, "csv", [])
    assert link.is_symlink() and real.read_bytes() == HEADER
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert (tmp_path / "real.csv.run.json").is_file()
    assert written_run_info(link) == written_run_info(real) is not None  # found through the link
    # Straight into what is no regular file (a FIFO here; /dev/null alike), with no sidecar.
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_all(fifo, "csv", [])
    reader.join(timeout=10)
    assert received == [HEADER] and stat.S_ISFIFO(fifo.stat().st_mode)
    assert not (tmp_path / "fifo.csv.run.json").exists()


def test_stream_write_errors_are_user_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    class FullDisk(io.BytesIO):
        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ZslError, match="cannot write to stdout: No space left on device"):
        open_writer(None, "csv", stdout=FullDisk()).close({})
    monkeypatch.setattr(sys, "stdout", None)
    with pytest.raises(ZslError, match="stdout is closed: write to a file instead"):
        open_writer("-", "csv")
    for closed in (io.BytesIO(), io.StringIO()):
        closed.close()
        with pytest.raises(ZslError, match="stdout is closed: write to a file instead"):
            open_writer(None, "csv", stdout=closed)


def test_directory_as_output_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(ZslError, match="is a directory"):
        open_writer(str(tmp_path / "out.csv"), "csv")
    # Where the run info goes: refused before a run, not when it ends and its work is lost.
    (tmp_path / "side.csv.run.json").mkdir()
    with pytest.raises(ZslError, match="side.csv.run.json', which is a directory"):
        open_writer(str(tmp_path / "side.csv"), "csv")
    (tmp_path / "side.json.run.json").mkdir()
    with open_writer(str(tmp_path / "side.json"), "json") as writer:  # no run info beside it
        writer.close({})
    assert read_predictions(tmp_path / "side.json") == []


@pytest.mark.parametrize("in_the_way", ["file", "link to nowhere"])
def test_parent_in_the_way_is_named(tmp_path: Path, in_the_way: str) -> None:
    # The system says "File exists" or "Not a directory": the message names what is in the way.
    blocker, nowhere = tmp_path / "out", tmp_path / "nowhere" / "deeper"
    if in_the_way == "file":
        blocker.write_text("x")
        why = f"{str(blocker)!r} is a file, not a folder"
    else:
        blocker.symlink_to(nowhere)
        why = f"{str(blocker)!r} is a link to {str(nowhere)!r}, which is not there"
    for output in (blocker / "p.csv", blocker / "sub" / "p.csv"):
        with pytest.raises(ZslError) as caught:
            open_writer(str(output), "csv")
        assert caught.value.message == (
            f"cannot create the output folder {str(output.parent)!r}: {why}"
        )


# ---------------------------------------------------------------------------------------------
# Label Studio


def test_label_studio_task_schema(tmp_path: Path, root: Path) -> None:
    predictions = sample_predictions(root / "photos")
    predictions[2] = dataclasses.replace(predictions[2], path=str(root / "photos" / "odd.jpg"))
    output = tmp_path / "tasks.json"
    options = local_files(root, from_name="label", to_name="img", model_version="shapes-demo")
    write_all(output, "label-studio", predictions, label_studio=options)
    tasks = json.loads(output.read_bytes())

    assert len(tasks) == 4
    assert tasks[0]["data"]["image"] == "/data/local-files/?d=photos/red%20circle%201.png"
    assert tasks[0]["predictions"] == [
        {
            "model_version": "shapes-demo",
            "score": 0.8712346,
            "result": [
                {
                    "from_name": "label",
                    "to_name": "img",
                    "type": "choices",
                    "value": {"choices": ["red circle"]},
                }
            ],
        }
    ]
    assert tasks[0]["data"]["zsl_top_k"][1] == {"label": "red square", "score": 0.1}
    # Abstained and failed images are tasks without predictions, their status kept in data.
    assert "predictions" not in tasks[2] and tasks[2]["data"]["zsl_label"] == "unknown"
    assert "predictions" not in tasks[3] and tasks[3]["data"]["zsl_status"] == "truncated"
    assert tasks[3]["data"]["image"] == "/data/local-files/?d=photos/broken.jpg"
    assert written_run_info(output)["complete"] is True  # sidecar
    assert (tmp_path / "tasks.json.run.json").is_file()


def test_label_studio_config_of_few_classes_is_as_it_was() -> None:
    # Projects were set up with these configs: a short class list gets no filter box.
    options = LabelStudioOptions(from_name="label", to_name="photo")
    assert label_studio_config(["red circle", "a & b"], options) == (
        b"<View>\n"
        b'  <Image name="photo" value="$image"/>\n'
        b'  <Choices name="label" toName="photo">\n'
        b'    <Choice value="red circle"/>\n'
        b'    <Choice value="a &amp; b"/>\n'
        b"  </Choices>\n"
        b"</View>\n"
    )
    few = [f"class {n}" for n in range(LABEL_STUDIO_CHOICES_WITHOUT_FILTER)]
    assert b"<Filter" not in label_studio_config(few, options)


def test_label_studio_config_of_many_classes_has_a_filter_box() -> None:
    # Correcting a prediction among 1,500 classes meant scrolling through 1,500 radio buttons:
    # Label Studio's Filter tag narrows the Choices to those holding what is typed.
    many = [f"class {n}" for n in range(LABEL_STUDIO_CHOICES_WITHOUT_FILTER + 1)]
    options = LabelStudioOptions(from_name="label", to_name="photo")
    view = ElementTree.fromstring(label_studio_config(many, options))
    image, box, choices = list(view)
    assert image.tag == "Image" and choices.tag == "Choices"
    assert [choice.get("value") for choice in choices] == many
    # Above the list it filters, from the first letter typed (a class may be named "ox").
    assert (box.tag, box.get("toName"), box.get("minlength")) == ("Filter", "label", "1")
    # Its name is one no other tag of the config has: Label Studio wants them unique.
    assert box.get("name") not in ("label", "photo")
    for to_name in (box.get("name"), f"{box.get('name')}-2"):
        taken = LabelStudioOptions(from_name="label", to_name=to_name)
        names = [t.get("name") for t in ElementTree.fromstring(label_studio_config(many, taken))]
        assert len(set(names)) == 3
    # A toName with ',' is a list of tag names to Label Studio: such a Choices name (which the
    # predictions may have) gets no filter box rather than one bound to no tag.
    listed = LabelStudioOptions(from_name="a,b", to_name="photo")
    assert b"<Filter" not in label_studio_config(many, listed)


def test_label_studio_config_fits_the_tasks() -> None:
    names = ["a & b", "<c>", 'say "hi"', "both \"x\" and 'y'", "café", "$image"]
    options = LabelStudioOptions(from_name="my label", to_name="photo")
    view = ElementTree.fromstring(label_studio_config(names, options))
    image, choices = list(view)
    assert (image.tag, image.get("name"), image.get("value")) == ("Image", "photo", "$image")
    assert (choices.tag, choices.get("name"), choices.get("toName")) == (
        "Choices",
        "my label",
        "photo",
    )
    assert [choice.get("value") for choice in choices] == names
    # The labelling screen would show "$image" as the image's URL.
    (warning,) = label_studio_config_warnings(names)
    assert "'$image'" in warning and warning.startswith("1 class name holds '$'")
    assert label_studio_config_warnings(["US $ bill", "{x}", "a$"]) == []
    (warning,) = label_studio_config_warnings(["a", "photo of $x", "b"])  # not only at the start
    assert "'photo of $x'" in warning


@pytest.mark.parametrize("fmt", ["jsonl", "json", "label-studio"])
def test_json_outputs_escape_the_line_breaks_that_json_leaves_raw(
    tmp_path: Path, root: Path, fmt: str
) -> None:
    # JSON escapes control characters but not U+0085, U+2028 or U+2029, which str.splitlines()
    # (and JavaScript before ES2019) take for line ends: a JSON Lines record split in two.
    names = ["a\u2028b.png", "c\u2029d.png", "e\x85f.png"]
    predictions = [Prediction(str(root / "photos" / n), "cat", 0.5) for n in names]
    output = tmp_path / f"out.{fmt}"
    write_all(output, fmt, predictions, label_studio=ls_options(root))
    text = output.read_text(encoding="utf-8")
    assert not {"\u2028", "\u2029", "\x85"} & set(text)
    if fmt == "jsonl":
        assert [json.loads(line)["path"] for line in text.splitlines()] == [
            p.path for p in predictions
        ]
    else:
        assert "\\u2028" in text and json.loads(text)


def test_label_studio_tasks_hold_no_lone_surrogates(tmp_path: Path, root: Path) -> None:
    # A lone surrogate in task data makes Label Studio's task list fail (HTTP 500) for the whole
    # project (seen with label-studio 1.23.2), so tasks must be plain valid Unicode.
    predictions = sample_predictions(root / "photos")
    weird_path = predictions[2].path
    failed = Prediction(
        path=weird_path,
        label="",
        score=None,
        status="unreadable",
        error=f"cannot open {weird_path}",
    )
    output = tmp_path / "tasks.json"
    write_all(output, "label-studio", [*predictions, failed], label_studio=ls_options(root))
    raw = output.read_bytes()
    assert b"\\ud" not in raw
    tasks = json.loads(raw)
    assert tasks[2]["data"]["zsl_path"].endswith("/caf\ufffd \ufffd.jpg")
    assert tasks[4]["data"]["zsl_error"].endswith("/caf\ufffd \ufffd.jpg")
    quoted = tasks[2]["data"]["zsl_path_quoted"]
    assert unquote_to_bytes(quoted) == os.fsencode(weird_path)
    assert ["zsl_path_quoted" in t["data"] for t in tasks] == [False, False, True, False, True]
    back = read_predictions(output)
    assert back[2].path == back[4].path == weird_path


def test_label_studio_url_quoting(root: Path) -> None:
    options = local_files(root)
    photos = root / "photos"
    expected = {
        str(photos / "a b+c#d%e&f=g?.jpg"): "photos/a%20b%2Bc%23d%25e%26f%3Dg%3F.jpg",
        str(photos / "猫.jpg"): "photos/%E7%8C%AB.jpg",
        str(photos / "sub" / ".." / "x.jpg"): "photos/x.jpg",
    }
    for path, quoted in expected.items():
        url = label_studio_image_url(path, options)
        assert url == "/data/local-files/?d=" + quoted
        assert unquote_to_bytes(quoted) == os.path.normpath(path).encode()[len(str(root)) + 1 :]
    # Label Studio decodes d= as UTF-8, so it cannot serve a non-UTF-8 name: the task is
    # written (one odd file does not stop a run), and the run warns.
    weird = os.fsdecode(os.fsencode(photos) + b"/" + NON_UTF8_NAME)
    (warning,) = check_label_studio_paths([weird, photos / "x.jpg"], options)
    assert warning.startswith("1 image is named in bytes that are not valid UTF-8 (e.g. '")
    assert "caf\\xe9" in warning and "--ls-url-prefix" in warning
    assert label_studio_image_url(weird, options) == "/data/local-files/?d=photos/caf%E9%20%FF.jpg"
    # Over HTTP the raw bytes are quoted; unquoting gives back the bytes relative to the root.
    url = label_studio_image_url(weird, ls_options(root))
    assert url == "http://127.0.0.1:8081/photos/caf%E9%20%FF.jpg"
    assert unquote_to_bytes(url.split(":8081/", 1)[1]) == b"photos/" + NON_UTF8_NAME


@pytest.mark.parametrize(
    "prefix", ["/data/local-files/?d=photos/", "http://ls:8080/data/local-files/?d=photos"]
)
def test_a_url_prefix_naming_label_studios_local_files_warns_of_names_it_cannot_serve(
    root: Path, prefix: str
) -> None:
    # Label Studio decodes d= as UTF-8 whoever wrote the URL: a non-UTF-8 name under a prefix
    # naming its own local files is answered 404 (label-studio 1.15.0 to 1.23.2), as with
    # --ls-document-root alone, where the run warned of it; here it did not.
    photos = root / "photos"
    weird = os.fsdecode(os.fsencode(photos) + b"/" + NON_UTF8_NAME)
    options = local_files(photos, url_prefix=prefix)
    (warning,) = check_label_studio_paths([weird, photos / "x.jpg"], options)
    assert warning.startswith("1 image is named in bytes that are not valid UTF-8 (e.g. '")
    assert "Label Studio cannot serve such local files" in warning
    assert warning.endswith("serve the images over another web server with --ls-url-prefix")
    # Served by another server, the bytes reach it as they are.
    assert check_label_studio_paths([weird], ls_options(root)) == []
    assert check_label_studio_paths([photos / "x.jpg"], options) == []


def test_a_url_prefix_naming_label_studios_local_files_root_warns_of_files_directly_in_it(
    root: Path,
) -> None:
    # --ls-url-prefix /data/local-files/?d= makes d= the path under the root: a file directly
    # in it is answered 404, as with --ls-document-root alone, where the run warned of it.
    options = local_files(root, url_prefix="/data/local-files/?d=")
    (warning,) = check_label_studio_paths([root / "top.jpg", root / "photos" / "x.jpg"], options)
    assert warning.startswith("1 image is directly in the Label Studio document root")
    assert label_studio_image_url(str(root / "top.jpg"), options) == "/data/local-files/?d=top.jpg"
    # Under a folder of the prefix, it is in a sub-folder.
    options = local_files(root, url_prefix="/data/local-files/?d=photos")
    assert check_label_studio_paths([root / "top.jpg"], options) == []


def test_label_studio_url_prefix(
    tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(root / "photos" / "a b.jpg")
    with_root = local_files(root, url_prefix="http://127.0.0.1:8081/files")
    assert label_studio_image_url(path, with_root) == "http://127.0.0.1:8081/files/photos/a%20b.jpg"
    slash = local_files(root, url_prefix="http://h/")
    assert label_studio_image_url(path, slash) == "http://h/photos/a%20b.jpg"
    query = local_files(root, url_prefix="http://h/get?path=")  # a query's value: no "/" added
    assert label_studio_image_url(path, query) == "http://h/get?path=photos/a%20b.jpg"
    # Without a root, paths are relative to the current folder; files directly in it are fine.
    monkeypatch.chdir(root / "photos")
    no_root = LabelStudioOptions(url_prefix="http://h")
    assert label_studio_image_url("a b.jpg", no_root) == "http://h/a%20b.jpg"
    with pytest.raises(ZslError, match="outside"):
        label_studio_image_url(str(tmp_path / "elsewhere.jpg"), no_root)


@pytest.mark.parametrize("scheme", ["s3", "gs", "azure-blob"])
def test_label_studio_cloud_storage_keys_are_written_as_they_are(root: Path, scheme: str) -> None:
    # Label Studio's cloud storages read the object key of s3://bucket/key (gs://,
    # azure-blob://) as written, without percent-decoding it (label-studio 1.23.2): the quoted
    # key photos/a%20b.jpg named another object, and the task showed no image.
    path = str(root / "photos" / "a b+c#d%e&猫.jpg")
    options = local_files(root, url_prefix=f"{scheme}://bucket/images")
    url = label_studio_image_url(path, options)
    assert url == f"{scheme}://bucket/images/photos/a b+c#d%e&猫.jpg"
    # Over HTTP the path is still quoted.
    http = local_files(root, url_prefix="https://bucket.example/images")
    url = label_studio_image_url(path, http)
    assert url == "https://bucket.example/images/photos/a%20b%2Bc%23d%25e%26%E7%8C%AB.jpg"
    # A key ends at its "?" there, and bytes that are not UTF-8 make no key: the run warns.
    assert check_label_studio_paths([path], options) == []
    odd = [root / "photos" / "q?.jpg", os.fsencode(root / "photos") + b"/" + NON_UTF8_NAME]
    for name in odd:
        (warning,) = check_label_studio_paths([os.fsdecode(name), path], options)
        assert warning.startswith("1 image is named with '?' or in bytes that are not valid UTF-8")
        assert "cloud storages cannot read such an object key" in warning
    assert check_label_studio_paths([os.fsdecode(name) for name in odd], http) == []


def test_label_studio_relative_input_paths(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root / "photos")
    assert label_studio_image_url("x.jpg", local_files(root)) == "/data/local-files/?d=photos/x.jpg"


def test_label_studio_root_reached_through_symlink(tmp_path: Path, root: Path) -> None:
    link = tmp_path / "link-to-root"
    link.symlink_to(root, target_is_directory=True)
    url = label_studio_image_url(str(root / "photos" / "x.jpg"), local_files(link))
    assert url == "/data/local-files/?d=photos/x.jpg"


def test_label_studio_serves_a_link_in_the_root_through_the_link(
    tmp_path: Path, root: Path
) -> None:
    # Label Studio follows links in its root: an image linked in from elsewhere is served as
    # the link, and is no path outside the root.
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.jpg").write_bytes(b"")
    (root / "photos" / "x.jpg").symlink_to(tmp_path / "elsewhere" / "x.jpg")
    (root / "photos" / "more").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    linked = [root / "photos" / "x.jpg", root / "photos" / "more" / "x.jpg"]
    assert check_label_studio_paths(linked, local_files(root)) == []
    assert [label_studio_image_url(str(path), local_files(root)) for path in linked] == [
        "/data/local-files/?d=photos/x.jpg",
        "/data/local-files/?d=photos/more/x.jpg",
    ]


def test_label_studio_url_of_a_path_going_up_from_a_folder_link(tmp_path: Path, root: Path) -> None:
    # `..` after a folder link leads up from the link's target, as opening the file does: the
    # URL names that file, where dropping `link/..` named photos/x.jpg, which does not exist.
    (root / "photos" / "trip" / "day1").mkdir(parents=True)
    (root / "photos" / "trip" / "x.jpg").write_bytes(b"")
    (root / "photos" / "latest").symlink_to(root / "photos" / "trip" / "day1")
    path = str(root / "photos" / "latest" / ".." / "x.jpg")
    url = label_studio_image_url(path, local_files(root))
    assert url == "/data/local-files/?d=photos/trip/x.jpg"
    # Leading out of the root that way is leaving it.
    (tmp_path / "elsewhere" / "day1").mkdir(parents=True)
    (tmp_path / "elsewhere" / "x.jpg").write_bytes(b"")
    (root / "photos" / "away").symlink_to(tmp_path / "elsewhere" / "day1")
    away = root / "photos" / "away" / ".." / "x.jpg"
    with pytest.raises(ZslError, match="is outside the Label Studio document root"):
        check_label_studio_paths([away], local_files(root))


def test_path_messages_show_bytes_that_are_not_utf8_as_x_escapes(tmp_path: Path) -> None:
    # As every other message does (README: \xNN), where repr() showed Python's \udce9.
    weird = os.fsdecode(os.fsencode(tmp_path) + b"/" + NON_UTF8_NAME)
    (tmp_path / "root").mkdir()
    checks = [
        lambda: format_from_path(weird + ".out"),
        lambda: output_format(weird + ".csv", "jsonl"),
        lambda: label_studio_image_url(weird, local_files(tmp_path / "root")),
        lambda: label_studio_image_url("x.jpg", local_files(Path(weird))),
    ]
    for check in checks:
        with pytest.raises(ZslError) as caught:
            check()
        assert "caf\\xe9 \\xff.jpg" in caught.value.message
        assert "\\udc" not in caught.value.message
    (warning,) = check_label_studio_paths([Path(weird) / "x.jpg"], local_files(Path(weird)))
    assert "caf\\xe9 \\xff.jpg" in warning and "\\udc" not in warning


def test_label_studio_refuses_outside_paths(tmp_path: Path, root: Path) -> None:
    options = local_files(root)
    inside = root / "photos" / "a.jpg"
    outside = tmp_path / "other" / "b.jpg"
    sneaky = root / "photos" / ".." / ".." / "c.jpg"
    with pytest.raises(ZslError, match="b.jpg") as caught:
        check_label_studio_paths([inside, outside, sneaky], options)
    assert "c.jpg" not in caught.value.message  # names the first bad path only
    with pytest.raises(ZslError, match="c.jpg"):
        check_label_studio_paths([sneaky], options)
    (warning,) = check_label_studio_paths([root / "top.jpg", root / "top2.jpg", inside], options)
    assert warning.startswith("2 images are directly in the Label Studio document root")
    assert not check_label_studio_paths([inside, root / "photos" / "deep" / "d.jpg"], options)
    for field in ("from_name", "to_name"):
        for blank in ("", " \t"):
            unnamed = dataclasses.replace(options, **{field: blank})
            with pytest.raises(ZslError, match=f"--ls-{field.replace('_', '-')} is empty"):
                check_label_studio_paths([inside], unnamed)
    # The root itself is no file under it: Label Studio could not serve it.
    with pytest.raises(ZslError, match="is outside the Label Studio document root"):
        label_studio_image_url(str(root), options)


def test_a_label_studio_document_root_that_is_no_folder_is_named_as_such(
    tmp_path: Path, root: Path
) -> None:
    # A typo, or the server's path in its container: every image was "outside" it, and the
    # message said to move the images under a folder that does not exist.
    image = root / "photos" / "a.jpg"
    (tmp_path / "file").write_bytes(b"")
    for missing in (tmp_path / "roots", tmp_path / "file"):
        with pytest.raises(ZslError) as caught:
            check_label_studio_paths([image], local_files(missing))
        assert caught.value.message == (
            f"the Label Studio document root '{missing}' is no folder here: give the folder that "
            "the server's document root is on this machine"
        )
    assert not check_label_studio_paths([image], local_files(root))


def test_label_studio_refuses_tag_names_no_config_can_have(tmp_path: Path, root: Path) -> None:
    # label-studio 1.23.2 splits toName at commas and wants unique tag names: it refused the
    # configs --ls-config wrote for these ("toName=\"img\" not found", "non-unique names").
    options = local_files(root)
    for fields, message in (
        ({"to_name": "img,1"}, "--ls-to-name 'img,1' holds ','"),
        ({"from_name": "same", "to_name": "same"}, "both 'same'"),
        # No XML document can hold these characters, escaped or not: --ls-config was unreadable.
        ({"from_name": "choice\x01"}, "--ls-from-name 'choice\\\\x01' holds a control character"),
        ({"to_name": "image\n"}, "--ls-to-name 'image\\\\n' holds a control character"),
        # Nor these: the config was unreadable (U+FFFF), or could not be written at all, after
        # the whole run, and the tasks were lost with it (a lone surrogate, from Python).
        ({"from_name": "c\uffff"}, "--ls-from-name 'c\\\\uffff' holds '\\\\uffff', which no XML"),
        ({"to_name": "i\udcff"}, "--ls-to-name 'i\\\\udcff' holds '\\\\udcff', which no XML"),
    ):
        odd = dataclasses.replace(options, **fields)
        with pytest.raises(ZslError, match=message):
            check_label_studio_paths([root / "photos" / "a.jpg"], odd)
        with pytest.raises(ZslError, match=message):
            open_writer(str(tmp_path / "t.json"), "label-studio", label_studio=odd)
    assert not (tmp_path / "t.json").exists() and temp_files(tmp_path) == []
    # A comma in the Choices tag's own name is fine: only toName is a list.
    commas = dataclasses.replace(options, from_name="a,b")
    assert not check_label_studio_paths([root / "photos" / "a.jpg"], commas)


@pytest.mark.parametrize("blank", ["", " "])
def test_label_studio_refuses_an_empty_url_prefix(root: Path, blank: str) -> None:
    # `--ls-url-prefix "$PREFIX"` with the variable unset: every image URL was a bare path.
    unserved = dataclasses.replace(ls_options(root), url_prefix=blank)
    with pytest.raises(ZslError, match="--ls-url-prefix is empty"):
        check_label_studio_paths([root / "photos" / "a.jpg"], unserved)


def test_label_studio_outside_path_during_write_publishes_nothing(
    tmp_path: Path, root: Path
) -> None:
    output = tmp_path / "tasks.json"
    bad = Prediction(path=str(tmp_path / "b.jpg"), label="x", score=0.5)
    with (
        pytest.raises(ZslError, match="outside"),
        open_writer(str(output), "label-studio", label_studio=ls_options(root)) as writer,
    ):
        writer.write(bad)
    assert not output.exists() and temp_files(tmp_path) == []


def test_label_studio_needs_root_or_prefix(tmp_path: Path) -> None:
    with pytest.raises(ZslError, match="LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT"):
        open_writer(str(tmp_path / "t.json"), "label-studio", label_studio=LabelStudioOptions())
    with pytest.raises(ZslError, match="LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT"):
        check_label_studio_paths([tmp_path / "a.jpg"], LabelStudioOptions())
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Readers


def test_run_info_without_sidecar(tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    output.write_bytes(HEADER)
    assert written_run_info(output) is None


def test_reader_errors_are_user_errors(tmp_path: Path) -> None:
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("file,class\na.jpg,cat\n")
    with pytest.raises(ZslError, match="header"):
        read_predictions(bad_header)
    bad_score = tmp_path / "score.csv"
    bad_score.write_bytes(HEADER + b"a.jpg,cat,high,,,ok,\n")
    with pytest.raises(ZslError, match="line 2"):
        read_predictions(bad_score)
    other_json = tmp_path / "other.json"
    other_json.write_text('{"images": []}')
    with pytest.raises(ZslError, match="neither"):
        read_predictions(other_json)
    foreign_tasks = tmp_path / "tasks.json"
    foreign_tasks.write_text('[{"data": {"image": "x.jpg"}}]')
    with pytest.raises(ZslError, match="zsl_path"):
        read_predictions(foreign_tasks)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"path": "a", "label": "x", "score": 1, "status": "ok"}\n{not json\n')
    with pytest.raises(ZslError, match="line 2"):
        read_predictions(broken)
    broken.write_text('{"path": "a"}\n')
    with pytest.raises(ZslError, match="line 1: not a zsl prediction record \\(no 'score' field"):
        read_predictions(broken)
    with pytest.raises(ZslError, match="is a folder"):
        read_predictions(tmp_path)
    # Without a known extension the content tells the format (as on stdin).
    with pytest.raises(ZslError, match="is not a zsl predictions CSV"):
        read_predictions(bad_header.rename(tmp_path / "predictions.txt"))
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(ZslError, match="is empty"):
        read_predictions(tmp_path / "empty")
    # Malformed beyond what the parsers take: nesting deeper than Python recurses, a number of
    # 5,000 digits, a stray quote that runs a CSV field past csv's limit.
    for name, data in (
        ("deep.json", b"[" * 100_000 + b"]" * 100_000),
        ("deep.jsonl", b"{" * 100_000),
        ("digits.json", b'{"predictions": [' + b"9" * 5000 + b"]}"),
    ):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ZslError, match="not valid JSON|not a readable CSV"):
            read_predictions(tmp_path / name)
    # A stray quote runs a field to the end of the file: the message points back at it.
    (tmp_path / "runaway.csv").write_bytes(
        HEADER + b'a.jpg,"cat\n' + b"b.jpg,dog,1,,,ok,\n" * 20_000
    )
    with pytest.raises(ZslError, match="line 20002: .* starts on line 2: is a quote left open"):
        read_predictions(tmp_path / "runaway.csv")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_content_tells_the_format_without_an_extension(
    tmp_path: Path, root: Path, fmt: str
) -> None:
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    write_all(output, fmt, sample_predictions(root / "photos"), label_studio=ls_options(root))
    expected = read_predictions(output)
    data = output.read_bytes()
    variants = [data, b"\xef\xbb\xbf" + data]  # as written, and saved by an editor with a BOM
    if fmt in ("json", "label-studio"):  # re-indented, as by `jq .`, with "run" first
        document = json.loads(data)
        if isinstance(document, dict):
            document = {"run": document["run"], "predictions": document["predictions"]}
        variants.append(json.dumps(document, indent=4).encode())
    for number, variant in enumerate(variants):
        plain = tmp_path / f"plain-{number}"
        plain.write_bytes(variant)
        assert read_predictions(plain) == expected, (fmt, number)


class Pipe(io.BytesIO):
    """A pipe's end, such as stdin in `zsl label ... | zsl evaluate -`: no going back."""

    def seekable(self) -> bool:
        return False


def read_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes, *, pipe: bool = True) -> object:
    """What reading predictions from stdin gives: (predictions, run info), or the error's text."""
    stdin = io.TextIOWrapper(Pipe(data) if pipe else io.BytesIO(data))
    monkeypatch.setattr(sys, "stdin", stdin)
    read = outcome(partial(read_predictions_and_run_info, "-"))
    assert not stdin.closed  # stdin is the caller's
    return read


def outcome(read: Callable[[], object]) -> object:
    try:
        return read()
    except ZslError as error:
        return str(error)


def whole_document_parse(*args: object) -> None:
    raise AssertionError("parsed whole: it holds every record as Python objects at once")


def other_layouts(data: bytes) -> list[bytes]:
    """A json document or task list as other tools save it: re-indented (json.dump, jq .), on one
    line (jq -c), "run" first with a key zsl does not write, with a BOM, tabs and CRLF."""
    document = json.loads(data)
    if isinstance(document, dict):
        document = {"run": document["run"], "version": 12345, **document}

    def dumped(**kwargs) -> bytes:  # a file name's undecodable bytes: as UTF-8 surrogates
        return json.dumps(document, ensure_ascii=False, **kwargs).encode("utf-8", "surrogatepass")

    spaced = dumped(indent="\t").replace(b"\n", b"\r\n")
    return [
        dumped(indent=2),
        dumped(separators=(",", ":")),
        b"\xef\xbb\xbf \r\n" + spaced + b"\n\n ",
    ]


@pytest.mark.parametrize("chunk", [7, 1 << 20])
@pytest.mark.parametrize("fmt", ["json", "label-studio"])
def test_json_documents_in_any_layout_are_read_from_files_and_pipes(
    tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, chunk: int
) -> None:
    # Read a few bytes at a time, values and UTF-8 characters are cut everywhere.
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    monkeypatch.setattr(readers, "_parse", whole_document_parse)  # each is read as it goes
    output = tmp_path / "out.json"
    write_all(output, fmt, sample_predictions(root / "photos"), label_studio=ls_options(root))
    run_info = {"model": "shapes-demo", "classes": 3, "complete": True}
    expected = [rounded(p) for p in sample_predictions(root / "photos")]
    written = output.read_bytes()
    assert read_predictions_and_run_info(output) == (expected, run_info)
    inside = run_info if fmt == "json" else None  # the rest is in the sidecar
    for number, layout in enumerate([written, *other_layouts(written)]):
        for name in (f"layout-{number}.json", f"layout-{number}"):
            (tmp_path / name).write_bytes(layout)
            assert read_predictions_and_run_info(tmp_path / name) == (expected, inside), name
        assert read_stdin(monkeypatch, layout) == (expected, inside), number
        assert read_stdin(monkeypatch, layout, pipe=False) == (expected, inside), number


def test_numbers_cut_by_a_read_are_read_whole(
    tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A read that ends after "1." or "1.5e" leaves a number that parses, short of its end.
    monkeypatch.setattr(readers, "_parse", whole_document_parse)
    output = tmp_path / "out.json"
    write_all(output, "json", sample_predictions(root / "photos"), label_studio=ls_options(root))
    document = json.loads(output.read_bytes())
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps({"version": 1.5e-3, "n": -12.25, **document}))
    expected = read_predictions_and_run_info(output)
    for chunk in range(1, 25):
        monkeypatch.setattr(readers, "_CHUNK", chunk)
        assert read_predictions_and_run_info(edited) == expected, chunk


@pytest.mark.parametrize("fmt", ["json", "label-studio"])
def test_json_documents_are_read_in_little_more_memory_than_their_predictions_take(
    tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # Every class's score (top-k 0): parsed whole, each score would be a dict (some 200 bytes
    # beside its 8), and the document 8 times its size (10 GB for 50,000 images x 1,000 classes).
    monkeypatch.setattr(readers, "_CHUNK", 1 << 16)
    predictions = every_class_scored(root / "photos")
    output = tmp_path / "out.json"
    write_all(output, fmt, predictions, label_studio=ls_options(root))
    read, peak = traced(partial(read_predictions, output))
    assert read == [rounded(p) for p in predictions]
    assert peak < output.stat().st_size  # the predictions take some 16 bytes a score


# Interned for the whole test run, as readers intern the labels they read: interning names not
# there yet may grow the process's table of interned strings, by megabytes once a test run has
# filled it, inside a read whose memory a test measures.
THOUSAND_CLASSES = tuple(sys.intern(f"class {i}") for i in range(1000))


def every_class_scored(folder: Path, n: int = 60) -> list[Prediction]:
    """`n` predictions with every score of 1,000 classes (top-k 0), the bulk of a large file."""
    classes = THOUSAND_CLASSES
    top_k = RankedScores(classes, np.linspace(1, 0, len(classes)))
    return [
        Prediction(path=str(folder / f"{i}.jpg"), label=classes[0], score=1.0, top_k=top_k)
        for i in range(n)
    ]


def traced(read: Callable[[], object]) -> tuple[object, int]:
    """What `read` gives (or its error's text), and the most memory it held at once."""
    tracemalloc.start()
    try:
        result = outcome(read)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["json", "label-studio"])
def test_a_large_document_broken_near_its_end_is_not_held_whole_for_its_error(
    tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # The stream reader leaves the error's message to the whole-document parse, which built
    # every value before the error: some 8 times the file's size.
    monkeypatch.setattr(readers, "_CHUNK", 1 << 16)
    output = tmp_path / "out.json"
    # 20 predictions: some 900 kB, 14 chunks, where 8 times the file is far past the limit.
    predictions = every_class_scored(root / "photos", 20)
    write_all(output, fmt, predictions, label_studio=ls_options(root))
    data = output.read_bytes()
    last = data.rindex(b',\n{"')  # the comma before the last record
    for broken in (data[:-10], data[:last] + data[last + 1 :]):
        output.write_bytes(broken)
        whole = outcome(partial(readers._parse, broken, str(output), "json", one_per_image=False))
        assert "is not valid JSON" in str(whole)
        for read in (read_predictions, read_predictions_and_run_info):
            error, peak = traced(partial(read, output))
            assert error == whole, read
            assert peak < 3 * len(broken), read  # the file's bytes and their text


RECORD = b'{"path": "a.jpg", "label": "cat", "score": 0.9, "status": "ok"}'
ODD_DOCUMENTS = [
    b'{"predictions": [' + RECORD + b'], "predictions": [' + RECORD + b", " + RECORD + b"]}",
    b'{"predictions": 5, "predictions": [' + RECORD + b"]}",
    b'{"predictions": {"a": 1}}',
    b'{"run": {"model": "m"}}',
    b"{}",
    b"[]",
    b' {"predictions": []} ',
    b'{"predictions": [' + RECORD + b'], "run": 5}',
    b'{"predictions": [' + RECORD + b"]}\n" + b'{"predictions": [' + RECORD + b"]}",
    b'{"predictions": [{"path": "a"}, ' + RECORD,
    b'{"predictions": [{"path": "a"}, ' + RECORD + b"]}",
    b'{"predictions": [' + RECORD + b",]}",
    b'{"predictions": [' + RECORD + b'] "run": {}}',
    b'{"predictions": [' + RECORD + b'], "run": {"n": 1' + b"0" * 5000 + b"}}",
    b'{"predictions": [' + RECORD + b'], "run": {"x": "\xff"}}',
    b'{1: 2, "predictions": []}',
    b'\xef\xbb\xbf\xef\xbb\xbf{"predictions": []}',
    ('{"predictions": [' + RECORD.decode() + "]}").encode("utf-16"),
    RECORD + b"\n" + RECORD + b"\n",
    json.dumps(json.loads(RECORD), indent=1).encode(),
    b"[" + RECORD + b"]",
    b'["a"]',
    b"[" * 100_000 + b"]" * 100_000,
    b"",
    b" \r\n",
    b"5",
]


@pytest.mark.parametrize("fmt", ["json", "label-studio"])
def test_odd_and_broken_documents_read_as_the_whole_document_parse_reads_them(
    tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # Read as it goes, a document gives what parsing it whole gives, error messages included:
    # documents cut short anywhere, odd ones the stream reader leaves to that parse, and ones
    # whose run info is odd ("run" twice: the last counts, as json.loads keeps).
    monkeypatch.setattr(readers, "_CHUNK", 16)
    output = tmp_path / "out.json"
    write_all(output, fmt, sample_predictions(root / "photos"), label_studio=ls_options(root))
    written = output.read_bytes()
    cut = [written[:end] for end in range(0, len(written), 5)]
    for data in [*cut, *ODD_DOCUMENTS, *RUN_DOCUMENTS]:
        # The whole-document parse is given UTF-8: UTF-16 and 32 are read as it (see _seekable).
        encoding = json.detect_encoding(data)
        parsed = data if encoding.startswith("utf-8") else data.decode(encoding).encode()
        for path, fmt_by_name in ((tmp_path / "p.json", "json"), (tmp_path / "p", None)):
            path.write_bytes(data)
            whole = outcome(
                partial(readers._parse, parsed, str(path), fmt_by_name, one_per_image=False)
            )
            assert outcome(partial(read_predictions_and_run_info, path)) == whole, data
        whole = outcome(partial(readers._parse, parsed, "stdin", None, one_per_image=False))
        assert read_stdin(monkeypatch, data) == whole, data
        assert read_stdin(monkeypatch, data, pipe=False) == whole, data


RUN_DOCUMENTS = [
    b'{"run": {"n": 1}, "predictions": [' + RECORD + b"]}",
    b'{"predictions": [' + RECORD + b'], "run": {"n": 1}, "run": {"n": 2}}',
    b'{"predictions": [' + RECORD + b'], "run": {"n": 1}, "run": [1]}',
    b'{"predictions": [{"run": {"n": 1}}], "x": {"run": {"n": 2}}}',
    b'[{"run": {"n": 1}}]',
    b'{"predictions": [' + RECORD + b'], "run": {"n": 1}} {"run": {"n": 2}}',
    b'{"predictions": [' + RECORD + b'], "run": {"n": 1}} []',
    b'{"run": {"n": 1}}, "x"',
    b'{"run": "\xff"}',
    b'{"a": {"b": [1, {"c": 2.5e3}]}, "run": {"n": [true, null]}}',
]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a terminal")
def test_predictions_typed_at_a_terminal_end_at_its_end_of_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On a terminal, Ctrl-D ends one read, not every later one: reading on after it waited for
    # a second Ctrl-D, and took in what was typed after the first.
    import termios

    master, terminal = os.openpty()
    try:
        settings = termios.tcgetattr(terminal)
        settings[3] |= termios.ICANON  # line by line, where the end-of-input key works
        termios.tcsetattr(terminal, termios.TCSANOW, settings)
        end = settings[6][termios.VEOF]
        os.write(master, RECORD + b"\n" + end + b"typed after the end\n" + end + end)
        with open(terminal, "rb", closefd=False) as stdin:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
            predictions = read_predictions("-")
    finally:
        os.close(master)
        os.close(terminal)
    assert [p.path for p in predictions] == ["a.jpg"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("size", [100, 3 << 20])
def test_a_pipe_with_no_room_to_copy_it_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    # A small copy is written out only when it is read back: a full disk fails there.
    full = partial(open, "/dev/full", "w+b")  # each write fails with ENOSPC
    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    message = "cannot copy 'stdin' to a temporary file (No space left on device): set TMPDIR"
    assert str(read_stdin(monkeypatch, b"\n" * size)).startswith(message)


def test_a_pipe_with_no_folder_to_copy_it_to_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # tempfile finds no folder it can write in (a full disk fails its check too).
    def no_folder() -> IO[bytes]:
        raise FileNotFoundError(errno.ENOENT, "No usable temporary directory found")

    monkeypatch.setattr(tempfile, "TemporaryFile", no_folder)
    read = read_stdin(monkeypatch, RECORD)
    assert read == (
        "cannot copy 'stdin' to a temporary file (No usable temporary directory found): "
        "set TMPDIR to a folder with room for it"
    )


@pytest.mark.parametrize(
    "record",
    [
        '{"path": 123, "label": "cat", "score": 0.9, "status": "ok"}',
        '{"path": "a", "label": ["cat"], "score": 0.9, "status": "ok"}',
        '{"path": "a", "label": "cat", "score": 0.9, "status": null}',
        '{"path": "a", "label": "cat", "score": 0.9, "status": "ok", "top_k": [{"label": null, '
        '"score": 0.9}]}',
        '{"path": "a", "label": "cat", "score": 0.9, "status": "ok", "top_k": ["cat"]}',
        '["a", "cat"]',
        # A whole number too large for a float (JSON has no limit; Python's is 4,300 digits).
        '{"path": "a", "label": "cat", "score": 1' + "0" * 400 + ', "status": "ok"}',
        '{"path": "a", "label": "cat", "score": 0.9, "status": "ok", "top_k": [{"label": "cat", '
        '"score": 1' + "0" * 400 + "}]}",
    ],
)
def test_records_with_wrong_field_types_are_user_errors(tmp_path: Path, record: str) -> None:
    source = tmp_path / "p.jsonl"
    source.write_text('{"path": "b", "label": "dog", "score": 0.8, "status": "ok"}\n' + record)
    with pytest.raises(ZslError, match="line 2: not a zsl prediction record"):
        read_predictions(source)
    with pytest.raises(ZslError, match="not found"):
        read_predictions(tmp_path / "missing.csv")


def test_the_format_option_must_fit_the_extension_whatever_its_case() -> None:
    assert output_format("tasks.json", "label-studio") == "label-studio"  # JSON, as named
    assert output_format("TASKS.JSON", "label-studio") == "label-studio"
    assert output_format("-", "jsonl") == "jsonl"
    with pytest.raises(ZslError, match="--format label-studio writes JSON, but .* named .csv"):
        output_format("tasks.csv", "label-studio")
    with pytest.raises(ZslError, match="--format csv writes CSV, but .* named .json: name it .csv"):
        output_format("out.JSON", "csv")


def test_the_format_option_ignores_case_as_extensions_do():
    assert output_format("out.JSONL", "JSONL") == "jsonl"
    assert output_format(None, "Label-Studio") == "label-studio"
    with pytest.raises(ZslError, match="--format yaml: choose one of"):
        output_format(None, "yaml")


def test_the_format_option_takes_other_names_of_the_formats_and_suggests_for_a_typo():
    assert output_format("out.ndjson", "NDJSON") == "jsonl"  # as -o x.ndjson is JSON Lines
    assert output_format(None, "labelstudio") == "label-studio"
    with pytest.raises(
        ZslError, match=r"^--format jsnol: choose one of .* \(did you mean jsonl\?\)$"
    ):
        output_format(None, "jsnol")
    with pytest.raises(ZslError, match=r"label-studio$"):  # nothing alike: no guess
        output_format(None, "xml")
    with pytest.raises(ZslError, match=r"^--format ndjsn: .* \(did you mean ndjson\?\)$"):
        output_format(None, "ndjsn")
    with pytest.raises(ZslError, match=r"^--format ndjson writes JSONL, but the output 'o.csv'"):
        output_format("o.csv", "ndjson")


def test_a_ranking_copies_the_scores_it_is_given() -> None:
    # Built from Python, a ranking must neither freeze the caller's array nor change with it.
    scores = np.array([0.75, 0.25], dtype=np.float32)
    ranked = RankedScores(("red circle", "blue star"), scores)

    scores[0] = 0.5

    assert ranked == (LabelScore("red circle", 0.75), LabelScore("blue star", 0.25))
    assert ranked.scores.dtype == np.float64 and not ranked.scores.flags.writeable


@pytest.mark.skipif(sys.platform == "win32", reason="needs resource (Unix)")
def test_label_studio_config_stays_as_it_was_when_the_tasks_cannot_be_written(
    tiny_clip: Path, tmp_path: Path
) -> None:
    # The config was moved into place before the tasks were written out: tasks that then failed
    # (a full disk) left the new config beside the older tasks it may not fit.
    import resource

    from PIL import Image
    from typer.testing import CliRunner

    from zsl_cli.cli import app

    photos = tmp_path / "root" / "photos"
    photos.mkdir(parents=True)
    for number in range(2):
        Image.new("RGB", (32, 32), (120 * number, 80, 200)).save(photos / f"{number}.png")
    classes = tmp_path / "classes.txt"
    classes.write_text("red circle\nblue square\n")
    out, config = tmp_path / "tasks.json", tmp_path / "config.xml"
    command = ["label", str(photos), "-c", str(classes), "-m", str(tiny_clip), "-o", str(out)]
    command += ["-f", "label-studio", "--ls-document-root", str(tmp_path / "root")]
    command += ["--ls-config", str(config), "-q"]
    assert CliRunner().invoke(app, command).exit_code == 0
    tasks = out.read_bytes()
    config.write_bytes(b"<View/>\n")  # a config of an earlier run, for other classes
    # A file size limit fails the tasks as they are written out in full, as a full disk does;
    # the config (a few hundred bytes) fits under it.
    assert len(label_studio_config(["red circle", "blue square"], LabelStudioOptions())) < 500
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    action = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(tasks) - 1, limits[1]))
        result = CliRunner().invoke(app, command)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, action)
    assert result.exit_code == 2
    assert result.stderr == f"zsl: error: cannot write '{out}': {os.strerror(errno.EFBIG)}\n"
    assert config.read_bytes() == b"<View/>\n" and out.read_bytes() == tasks
    left = ["classes.txt", "config.xml", "root", "tasks.json", "tasks.json.run.json"]
    assert sorted(os.listdir(tmp_path)) == left  # no temporary file either


def test_csv_scores_read_as_floats_when_whole(tmp_path: Path) -> None:
    # A file whose scores were all 1 (written "1") read as integers in pandas (int64) and DuckDB
    # (BIGINT), other files as floats. Written as JSON writes them, "1.0", with 7 digits still.
    ranking = RankedScores(("a", "b", "c", "d"), [1.0, 0.0, 1.185492e-09, 0.12345678])
    predictions = [
        Prediction(str(tmp_path / "x.png"), "a", 1.0, ranking),
        Prediction(str(tmp_path / "y.png"), "a", 1, (LabelScore("a", 1), LabelScore("b", -0.0))),
        Prediction(str(tmp_path / "z.png"), "", None, (), "truncated", "cut"),
    ]
    output = tmp_path / "out.csv"
    write_all(output, "csv", predictions)
    rows = list(csv.reader(io.StringIO(output.read_text(), newline="")))
    assert [row[2:5] for row in rows[1:]] == [
        ["1.0", "a|b|c|d", "1.0|0.0|1.185492e-09|0.1234568"],
        ["1.0", "a|b", "1.0|-0.0"],
        ["", "", ""],
    ]
    read = read_predictions(output)
    assert read[0].score == 1.0 and list(read[0].top_k.scores) == [
        1.0,
        0.0,
        1.185492e-09,
        0.1234568,
    ]
    # A file written before reads as it did: the same numbers.
    old = tmp_path / "old.csv"
    old.write_bytes(HEADER + f"{tmp_path / 'x.png'},a,1,a|b,1|0,ok,\n".encode())
    assert read_predictions(old)[0].score == 1.0
    assert list(read_predictions(old)[0].top_k.scores) == [1.0, 0.0]
    # JSON writes floats already: 1.0, never 1.
    write_all(tmp_path / "out.jsonl", "jsonl", predictions[:2])
    first = json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])
    assert isinstance(first["score"], float) and isinstance(first["top_k"][1]["score"], float)


@pytest.mark.parametrize("fmt", FORMATS)
def test_outputs_holding_paths_that_are_not_utf8_are_warned_of(
    tmp_path: Path, root: Path, fmt: str
) -> None:
    # pandas and DuckDB refused such a CSV (not UTF-8) or JSON (\udcXX escapes) whole, and the
    # run said nothing. Label Studio tasks hold U+FFFD and zsl_path_quoted instead: no warning.
    folder = root / "photos"
    odd = [os.fsdecode(os.fsencode(folder) + b"/" + name) for name in (NON_UTF8_NAME, b"\xff.png")]
    predictions = [Prediction(str(folder / "ok.png"), "a", 0.5)]
    predictions += [Prediction(path, "a", 0.5) for path in odd]
    options = {"label_studio": local_files(root)} if fmt == "label-studio" else {}
    output = tmp_path / f"out{EXTENSIONS[fmt]}"
    with open_writer(str(output), fmt, **options) as writer:
        for prediction in predictions:
            writer.write(prediction)
        writer.close({})
    warnings = writer.not_utf8_warnings("out")
    if fmt == "label-studio":
        assert warnings == []
        return
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "2 rows name files in bytes that are not valid UTF-8 (e.g. '"
        f"{folder}/caf\\xe9 \\xff.jpg'), which out holds as "
    )
    raw = output.read_bytes()
    if fmt == "csv":
        with pytest.raises(UnicodeDecodeError):  # what a strict UTF-8 reader does
            raw.decode("utf-8")
    else:
        records = [json.loads(line) for line in raw.splitlines()] if fmt == "jsonl" else None
        records = records or json.loads(raw)["predictions"]
        with pytest.raises(UnicodeEncodeError):  # as pandas' (pyarrow's) strings refuse it
            records[1]["path"].encode("utf-8")
    if fmt == "csv":
        assert "surrogateescape', dtype={'path': object, 'label': str" in warnings[0]
        text = raw.decode("utf-8", "surrogateescape")  # what that reading does
        paths = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
        assert [os.fsencode(p) for p in paths] == [os.fsencode(p.path) for p in predictions]
    else:
        assert "\\udcXX escapes" in warnings[0] and "json module" in warnings[0]
    # Only where a row holds such bytes.
    with open_writer(str(output), fmt) as writer:
        writer.write(predictions[0])
        writer.close({})
    assert writer.not_utf8_warnings("out") == []
