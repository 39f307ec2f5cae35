"""Reading back what `writers` wrote: predictions (csv, jsonl, json, label-studio) and the run
info recorded with them, from files or from a stream such as a pipe. Paths come back in
os.fsdecode form (`discovery.path_from_text`), ready to open in this process's locale."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote_to_bytes

import numpy as np

from zsl_cli.discovery import path_from_text
from zsl_cli.errors import ZslError
from zsl_cli.files import sidecar_path
from zsl_cli.records import Prediction, RankedScores
from zsl_cli.writers import CSV_COLUMNS, EXTENSION_FORMATS, TOP_K_SEPARATOR


def read_predictions(path: str | os.PathLike[str]) -> list[Prediction]:
    """Read predictions written by `open_writer` (see `read_predictions_and_run_info`)."""
    return read_predictions_and_run_info(path)[0]


def read_predictions_and_run_info(
    path: str | os.PathLike[str],
) -> tuple[list[Prediction], dict | None]:
    """Predictions written by `open_writer`, and the run info recorded with them.

    A file's format comes from its extension, else from its content, as for "-" (stdin) and
    pipes such as /dev/stdin or a shell's <(...). The run info is the one a json document holds,
    else a file's sidecar.
    """
    name = str(path)
    if name == "-":
        if sys.stdin is None:
            raise ZslError("stdin is closed: give the predictions file instead of '-'")
        data = sys.stdin.buffer.read()
        return _parse(data, "stdin", None)
    path = Path(path)
    if path.is_dir() or not path.exists():
        what = "is a folder, not" if path.is_dir() else "not found: give"
        raise ZslError(f"{name!r} {what} a predictions file written by 'zsl label'")
    fmt = EXTENSION_FORMATS.get(path.suffix.lower())
    try:
        if fmt in _LINE_FORMATS and path.is_file():
            # Read as it goes: the whole file would be held beside the predictions read from it.
            with path.open("rb") as handle:
                predictions, run_info = _LINE_FORMATS[fmt](handle, name), None
        else:
            predictions, run_info = _parse(path.read_bytes(), name, fmt)
    except OSError as error:
        raise ZslError(f"cannot read {name!r}: {error.strerror or error}") from None
    if run_info is None and path.is_file():
        run_info = _sidecar_info(path)
    return predictions, run_info


def read_run_info(path: str | os.PathLike[str]) -> dict | None:
    """The run info recorded with an output file: inside a zsl json document, else the sidecar."""
    path = Path(path)
    if path.suffix.lower() == ".json" and path.is_file():
        document = _load_json(path.read_bytes(), str(path))
        if isinstance(document, dict) and isinstance(document.get("run"), dict):
            return document["run"]
    return _sidecar_info(path)


def _sidecar_info(path: Path) -> dict | None:
    # Written next to the file itself: for a link (latest.csv -> runs/r1.csv), next to its target;
    # next to the link only by an older zsl, or by hand.
    found = (sidecar_path(p) for p in (Path(os.path.realpath(path)), path))
    sidecar = next((candidate for candidate in found if candidate.is_file()), None)
    if sidecar is None:
        return None
    info = _load_json(sidecar.read_bytes(), str(sidecar))
    return info if isinstance(info, dict) else None


def _parse(data: bytes, name: str, fmt: str | None) -> tuple[list[Prediction], dict | None]:
    """Predictions in `fmt`, or in the format the content shows: a JSON document (zsl's json or
    Label Studio tasks, however it was re-indented), JSON Lines, or a CSV with zsl's header."""
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if fmt is None and not start:
        raise ZslError(f"{name!r} is empty: no predictions to read")
    if fmt == "csv" or (fmt is None and start not in (b"[", b"{")):
        return _read_csv(io.BytesIO(data), name), None
    if fmt == "jsonl":
        return _read_jsonl(io.BytesIO(data), name), None
    if fmt is None and start == b"{":
        try:
            document = json.loads(data)
        except _JSON_ERRORS:
            return _read_jsonl(io.BytesIO(data), name), None  # one record per line
        if not (isinstance(document, dict) and "predictions" in document):
            return _read_jsonl(io.BytesIO(data), name), None  # a single record
    else:
        document = _load_json(data, name)
    return _read_document(document, name)


def _read_document(document: Any, name: str) -> tuple[list[Prediction], dict | None]:
    if isinstance(document, dict) and isinstance(document.get("predictions"), list):
        objects = document["predictions"]
        run_info = document.get("run") if isinstance(document.get("run"), dict) else None
        predictions = [
            _prediction_from_object(o, f"{name}: prediction {i + 1}") for i, o in enumerate(objects)
        ]
        return predictions, run_info
    if isinstance(document, list):
        tasks = [_prediction_from_task(t, f"{name}: task {i + 1}") for i, t in enumerate(document)]
        return tasks, None
    raise ZslError(f"{name!r} is neither a zsl json output nor a list of Label Studio tasks")


# ValueError covers JSONDecodeError, UnicodeDecodeError and a number of 4,300+ digits;
# RecursionError, nesting deeper than Python's stack.
_JSON_ERRORS = (ValueError, RecursionError)


def _load_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data)
    except _JSON_ERRORS as error:
        raise ZslError(f"{name!r} is not valid JSON: {error}") from None


def _read_csv(stream: IO[bytes], name: str) -> list[Prediction]:
    # Decoded as it is read: a StringIO of the whole text holds 4 bytes a character.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        with _CSV_FIELDS_UNLIMITED.held():
            return _csv_rows(csv.reader(text), name)
    except csv.Error as error:  # e.g. a stray quote that runs a field to the end of the file
        raise ZslError(f"{name!r} is not a readable CSV ({error})") from None


# csv refuses a field over 131,072 characters, and with every class's score (top-k 0) a row's
# top_k_labels holds every class name: some 10,000 classes pass that.
_CSV_FIELD_LIMIT = 2**31 - 1  # the most a C long holds everywhere


class _CsvFieldLimitHold:
    """csv's field size limit is process-wide: readers lift it while they read, and the last of
    any that overlap (in threads) puts the host program's limit back. Each putting back what it
    found would, for readers that end in another order than they began, keep a lifted limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readers = 0
        self._host_limit = csv.field_size_limit()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._readers == 0:
                self._host_limit = csv.field_size_limit(_CSV_FIELD_LIMIT)
            self._readers += 1
        try:
            yield
        finally:
            with self._lock:
                self._readers -= 1
                if self._readers == 0:
                    csv.field_size_limit(self._host_limit)


_CSV_FIELDS_UNLIMITED = _CsvFieldLimitHold()


def _csv_rows(reader: Any, name: str) -> list[Prediction]:
    # A blank line (a trailing one left by an editor or `echo >>`) is a row of no cells: skipped,
    # as JSON Lines skips it. The reader still counts it, so line numbers stay right.
    rows = (row for row in reader if row)
    header = next(rows, None)
    if header is None or tuple(header) != CSV_COLUMNS:
        raise ZslError(
            f"{name!r} is not a zsl predictions CSV: the header must be {','.join(CSV_COLUMNS)}"
        )
    predictions = []
    for row in rows:
        where = f"{name}: line {reader.line_num}"
        if len(row) != len(CSV_COLUMNS):
            message = f"{where}: expected {len(CSV_COLUMNS)} columns, found {len(row)}"
            # A field left open to the end of the file also holds the file's last line break.
            breaks = sum(cell.count("\n") for cell in row) - row[-1].endswith("\n")
            if breaks:  # quoted line breaks: most often a stray quote that ran to a later line
                start = reader.line_num - breaks
                message += f" in a row that starts on line {start}: is a quote left open there?"
            raise ZslError(message)
        path_text, label, score, top_labels, top_scores, status, error = row
        # Interned: with every class's score (top-k 0) each row repeats every class name, and a
        # string per cell would take some 60 bytes (50,000 images x 1,000 classes: 3 GB).
        labels = tuple(map(sys.intern, top_labels.split(TOP_K_SEPARATOR))) if top_labels else ()
        scores = top_scores.split(TOP_K_SEPARATOR) if top_scores else []
        if len(labels) != len(scores):
            raise ZslError(f"{where}: top_k_labels and top_k_scores differ in length")
        top_k = RankedScores(labels, _parse_scores(scores, where))
        predictions.append(
            Prediction(
                path=path_from_text(path_text),
                label=label,
                score=_parse_score(score, where) if score else None,
                top_k=top_k,
                status=status,
                error=error,
            )
        )
    return predictions


def _parse_score(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ZslError(f"{where}: {text!r} is not a number") from None


def _parse_scores(texts: list[str], where: str) -> np.ndarray:
    try:
        return np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
    except ValueError:
        for text in texts:  # the first that is no number, for the message
            _parse_score(text, where)
        raise


def _read_jsonl(stream: IO[bytes], name: str) -> list[Prediction]:
    predictions = []
    for number, line in enumerate(stream, start=1):
        # Without its newline: a JSON error must give its position on this line.
        line = line.removesuffix(b"\n")
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        where = f"{name}: line {number}"
        try:
            value = json.loads(line)
        except _JSON_ERRORS as error:
            raise ZslError(f"{where}: not valid JSON ({error})") from None
        predictions.append(_prediction_from_object(value, where))
    return predictions


def _prediction_from_object(value: Any, where: str) -> Prediction:
    try:
        score = value["score"]
        return Prediction(
            path=path_from_text(_text(value["path"], "path")),
            label=_text(value["label"], "label"),
            score=None if score is None else float(score),
            top_k=_ranked_from_objects(value.get("top_k", [])),
            status=_text(value["status"], "status"),
            error=_text(value.get("error", ""), "error"),
        )
    except KeyError as error:
        raise ZslError(f"{where}: not a zsl prediction record (no {error} field)") from error
    except (TypeError, ValueError, OverflowError) as error:  # overflow: a float of a huge int
        raise ZslError(f"{where}: not a zsl prediction record ({error})") from error


def _ranked_from_objects(choices: Any) -> RankedScores:
    labels, scores = [], []
    for choice in choices:
        labels.append(sys.intern(_text(choice["label"], "top_k label")))  # as in _csv_rows
        scores.append(float(choice["score"]))
    return RankedScores(tuple(labels), np.array(scores, dtype=np.float64))


_LINE_FORMATS = {"csv": _read_csv, "jsonl": _read_jsonl}


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{field} is {type(value).__name__}, not a string")
    return value


def _prediction_from_task(task: Any, where: str) -> Prediction:
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict) or "zsl_path" not in data:
        raise ZslError(f"{where}: not a task written by zsl (its data has no zsl_path)")
    record = {key: data.get(f"zsl_{key}") for key in ("path", "label", "score", "status")}
    if isinstance(data.get("zsl_path_quoted"), str):
        # As the other formats write it: the name's bytes read as UTF-8 (surrogate escapes).
        raw = unquote_to_bytes(data["zsl_path_quoted"])
        record["path"] = raw.decode("utf-8", "surrogateescape")
    record["top_k"] = data.get("zsl_top_k") or []
    record["error"] = data.get("zsl_error") or ""
    return _prediction_from_object(record, where)
