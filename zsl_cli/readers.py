"""Reading back what `writers` wrote: predictions (csv, jsonl, json, label-studio) and the run
info recorded with them, from files or from a stream such as a pipe. Paths come back in
os.fsdecode form (`formatting.path_from_text`), ready to open in this process's locale."""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import operator
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, NoReturn
from urllib.parse import unquote_to_bytes

import numpy as np

from zsl_cli.accents import not_found_hint
from zsl_cli.errors import JSON_ERRORS, ZslError
from zsl_cli.files import name_fits, sidecar_path
from zsl_cli.formatting import (
    counted,
    delimiter_hint,
    has_surrogates,
    path_from_text,
    printable,
    printable_text,
    quoted,
    quoted_line,
)
from zsl_cli.process_settings import SharedOverride
from zsl_cli.records import (
    CSV_COLUMNS,
    EXTENSION_FORMATS,
    OUTPUT_BYTES_KEY,
    STATUS_OK,
    TOP_K_SEPARATOR,
    UNKNOWN_LABEL,
    Prediction,
    RankedScores,
)


def read_predictions(path: str | os.PathLike[str]) -> list[Prediction]:
    """Read predictions written by `open_writer` (see `read_predictions_and_run_info`)."""
    return read_predictions_and_run_info(path)[0]


Warn = Callable[[str], None]


def read_predictions_and_run_info(
    path: str | os.PathLike[str],
    *,
    warn: Warn | None = None,
    stdin: IO[bytes] | None = None,
    one_per_image: bool = False,
) -> tuple[list[Prediction], dict | None]:
    """Predictions written by `open_writer`, and the run info recorded with them.

    A file's format comes from its extension, else (or where the content surely is another of
    zsl's formats) from its content, as for "-" (stdin) and pipes such as /dev/stdin or a
    shell's <(...). The run info is the one a json document holds,
    else a file's sidecar.

    `warn`: told of a CSV or JSON Lines file's last line cut short (a run stopped mid-write,
    `head -c`), which is then left out; without it, that line is an error as any other.
    `stdin`: the binary stream "-" reads (None: the process's stdin).
    `one_per_image`: refuse a second prediction naming an image as an earlier one does, saying
    where both are (lines, task ids), as evaluation must: it would score that image twice.
    """
    return _predictions_and_run_info(path, warn, stdin, one_per_image=one_per_image)


def _predictions_and_run_info(
    path: str | os.PathLike[str],
    warn: Warn | None,
    stdin: IO[bytes] | None,
    *,
    one_per_image: bool,
) -> tuple[list[Prediction], dict | None]:
    name = str(path)
    if name == "-":
        if stdin is None and sys.stdin is None:
            raise ZslError("stdin is closed: give the predictions file instead of '-'")
        if stdin is None:
            stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None:  # a text stdin without bytes under it (a notebook's, a test runner's)
            stdin = io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))
        with _seekable(stdin, "stdin", one_per_image=one_per_image) as handle:
            return _read_stream(handle, "stdin", None, warn, one_per_image=one_per_image)
    path = Path(path)
    if path.is_dir():
        raise ZslError(f"{quoted(name)} is a folder, not a predictions file written by 'zsl label'")
    if not path.exists():
        raise ZslError(
            f"{quoted(name)} not found{not_found_hint(path)}: give a predictions file written by "
            "'zsl label'"
        )
    fmt = EXTENSION_FORMATS.get(path.suffix.lower())
    for _ in range(_READ_TRIES):
        told: list[str] = []  # what `warn` hears of the read that is kept, once
        try:
            with (
                path.open("rb") as source,
                _seekable(source, name, fmt, one_per_image=one_per_image) as handle,
            ):
                predictions, run_info = _read_stream(
                    handle,
                    name,
                    fmt,
                    None if warn is None else told.append,
                    one_per_image=one_per_image,
                )
                read = os.fstat(source.fileno())
        except OSError as error:
            raise ZslError(f"cannot read {quoted(name)}: {error.strerror or error}") from None
        if run_info is not None or not path.is_file():
            break
        run_info = _sidecar_info(path, predictions, read)
        # Another run that published its output and run info after these predictions were
        # read left its own run info beside them: read them again.
        if _still_names(path, read):
            break
    else:
        raise ZslError(
            f"{quoted(name)} was replaced by another run each time it was read: evaluate it "
            "once the runs writing it have finished"
        )
    if warn is not None:
        for message in told:
            warn(message)
    return predictions, run_info


# How many times the predictions are read where other runs keep replacing them meanwhile.
_READ_TRIES = 3


def _still_names(path: Path, read: os.stat_result) -> bool:
    """Whether `path` still names the file whose status `read` is: where there are no inode
    numbers (st_ino 0), or nothing is at `path` now, there is no other file to read."""
    try:
        now = os.stat(path)
    except OSError:
        return True
    return not (read.st_ino and now.st_ino) or os.path.samestat(read, now)


def run_info_files(path: str | os.PathLike[str]) -> list[Path]:
    """Where the run info of an output file may be, in the order looked at: next to the file
    itself (for a link, latest.csv -> runs/r1.csv, next to its target), then next to the link
    (written so only by an older zsl, or by hand)."""
    return [sidecar_path(os.path.realpath(path)), sidecar_path(path)]


def run_info_file(path: str | os.PathLike[str]) -> Path | None:
    """The first of `run_info_files` that is there."""
    return next((file for file in run_info_files(path) if name_fits(file) and file.is_file()), None)


def _sidecar_info(path: Path, predictions: list[Prediction], read: os.stat_result) -> dict | None:
    """The run info in `path`'s sidecar, where it is of these `predictions`, read from the file
    whose status is `read` (`unread_run_info`)."""
    checked = _checked_sidecar(path, predictions, read)
    return None if checked is None else checked[1]


def unread_run_info(
    path: str | os.PathLike[str], predictions: list[Prediction]
) -> tuple[Path, str] | None:
    """The sidecar of `path` that `read_predictions_and_run_info` left unread, as it describes
    another output than these `predictions` read from `path`, and why (None where there is
    none, or it was read)."""
    checked = _checked_sidecar(Path(path), predictions)
    if checked is None or checked[2] is None:
        return None
    return checked[0], checked[2]


def _checked_sidecar(
    path: Path, predictions: list[Prediction], read: os.stat_result | None = None
) -> tuple[Path, dict | None, str | None] | None:
    """`path`'s sidecar, its run info, or None and why it is not of these predictions (read
    from the file whose status is `read`; None: the file now at `path`)."""
    sidecar = run_info_file(path)
    if sidecar is None:
        return None
    info = _load_json(sidecar.read_bytes(), str(sidecar))
    why = _why_not_of(path, info, predictions, read)
    return sidecar, None if why else info, why


def _why_not_of(
    path: Path, info: Any, predictions: list[Prediction], read: os.stat_result | None
) -> str | None:
    """Why run info read from `path`'s sidecar (which loses its output size here) describes
    another output than `path`, whose `predictions` these are (read from the file whose status
    is `read`): None where it is of them."""
    if not isinstance(info, dict):
        return "it holds no JSON object"
    size = info.pop(OUTPUT_BYTES_KEY, None)
    if isinstance(size, int) and not isinstance(size, bool):
        # Another size than the run wrote: the output was written over since (`> out.csv`),
        # and this run info describes the earlier output, not this one.
        with suppress(OSError):
            if (read or os.stat(path)).st_size != size:
                return (
                    "it describes an output of another size than the predictions have now "
                    "(written over or re-saved since)"
                )
        return None
    # Written by a zsl before 3 Dec 2026, which did not record the size: `zsl label ... >
    # out.csv` since leaves it beside another run's rows, which it is checked against instead.
    differs = _differs_from_rows(info, predictions)
    if differs is None:
        return None
    return (
        f"written by an older zsl without the output's size, {differs}, so it describes "
        "another output (written over since)"
    )


def _differs_from_rows(info: dict, predictions: list[Prediction]) -> str | None:
    """How run info disagrees with the predictions it would describe: its count of images, of
    images per label, or its classes (their names, else their number, which the run info of a
    zsl before 1 Dec 2026 holds alone). None where nothing it records disagrees."""
    summary = info.get("summary")
    summary = summary if isinstance(summary, dict) else {}
    total = summary.get("total")
    counted = predictions
    if info.get("complete") is False and total == len(predictions) - 1:
        # A Ctrl-C between writing a row and counting it (before 3 Dec 2026): the last row.
        counted = predictions[:-1]
    if isinstance(total, int) and total != len(counted):
        return f"its image count ({total}) is not the predictions' ({len(predictions)})"
    counts: dict[str, int] = {}
    for prediction in counted:
        if prediction.ok:
            counts[prediction.label] = counts.get(prediction.label, 0) + 1
    recorded = summary.get("labels")
    if isinstance(recorded, dict):
        for label in sorted(recorded.keys() | counts.keys()):
            if recorded.get(label, 0) != counts.get(label, 0):
                return (
                    f"its count of images labelled '{printable_text(str(label))}' "
                    f"({recorded.get(label, 0)}) is not the predictions' ({counts.get(label, 0)})"
                )
    classes = info.get("classes")
    classes = classes if isinstance(classes, dict) else {}
    unknown = info.get("unknown_label", UNKNOWN_LABEL)
    named = {label for label in counts if label != unknown}
    for prediction in predictions:
        named.update(RankedScores.of(prediction.top_k).labels)
    names, n = classes.get("names"), classes.get("n")
    if isinstance(names, list):
        outside = sorted(named - set(map(str, names)))
        if outside:
            return (
                f"its classes ({len(names)}) do not include '{printable_text(outside[0])}', "
                "which the predictions name"
            )
    elif isinstance(n, int) and len(named) > n:
        return f"its class count ({n}) is below the predictions' ({len(named)})"
    return None


# Read at a time: few reads, and little beside what a large file's predictions take.
_CHUNK = 1 << 20
_LEADING = b"\xef\xbb\xbf \t\r\n"  # a BOM's bytes and whitespace, before the content shows


@contextmanager
def _seekable(
    source: IO[bytes], name: str, fmt: str | None = None, *, one_per_image: bool
) -> Iterator[IO[bytes]]:
    """`source`, or for a pipe a copy of it in an unnamed temporary file: a document that turns
    out to be one the stream reader leaves is read again from its start (see `_read_stream`), and
    a pipe would otherwise have to be held in memory for that. Content in UTF-16 or UTF-32 is
    copied too, as UTF-8, which the readers take. A file is checked first as a pipe is while
    it is copied (`_check_file`). `fmt`: the format a named pipe's
    extension gives; its start is checked only where its content decides it, as for stdin (a
    p.jsonl of lines that are no JSON is read as JSON Lines, not refused as a CSV).
    `one_per_image`: as the read's, for the records its start is checked for."""
    checks = fmt in (None, "csv")  # a csv name holding JSON is read as stdin is: see _misnamed
    start = _read_blocking(source, 4, name)  # as much as json.detect_encoding looks at
    encoding = json.detect_encoding(start)
    if source.seekable() and encoding in _UTF8:
        source.seek(-len(start), io.SEEK_CUR)
        _check_file(source, name, checks=checks)
        yield source
        return
    content = _Utf8Reader(source, start, encoding, name)
    with _copy_errors(name):  # also where no folder has room: tempfile's check writes too
        copy = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, its errors aside
    try:
        header = _CsvHeader(name)
        checked = not checks
        first = checks
        while data := content.read(_CHUNK):  # binary content refused: see _Utf8Reader
            if not checked:
                checked = header.checked(data, ended=len(data) < _CHUNK)
            if first and len(data) == _CHUNK:  # more to come: `yes '{}' |` would fill the disk
                _refuse_json_start(data, name, one_per_image=one_per_image)
            first = False
            with _copy_errors(name):
                copy.write(data)
            # A short read is the end (a buffered reader reads on to fill it): on a terminal,
            # Ctrl-D ends one read, and a next one would wait for another.
            if len(data) < _CHUNK:
                break
        with _copy_errors(name):
            copy.seek(0)  # writes out what the buffer holds: a full disk may fail only here
        yield copy
    finally:
        with suppress(OSError):  # that failure again, told already: the file closes all the same
            copy.close()


_UTF8 = ("utf-8", "utf-8-sig")


def _check_file(source: IO[bytes], name: str, *, checks: bool) -> None:
    """The checks a pipe's content gets as it is copied, made of a file's, which is then read
    from where it was: the same content gets the same answer, piped or not. Binary content is
    refused wherever it is, and (`checks`) a CSV's start is checked for zsl's header."""
    position = source.tell()
    header = _CsvHeader(name)
    checked = not checks
    binary = _BinaryRefused(name)
    while data := _read_blocking(source, _CHUNK, name):
        binary.check(data)
        if not checked:
            checked = header.checked(data, ended=len(data) < _CHUNK)
        if len(data) < _CHUNK:
            break
    source.seek(position)


def _read_blocking(source: IO[bytes], size: int, name: str) -> bytes:
    """source.read(size), which gives None where a non-blocking descriptor has nothing yet."""
    data = source.read(size)
    if data is None:
        raise ZslError(f"{quoted(name)} is in non-blocking mode with nothing to read yet")
    return data


class _Utf8Reader:
    """A stream's content as UTF-8: as it is, or where `encoding` (json.detect_encoding's) is
    UTF-16 or 32, decoded (Windows PowerShell's `>` writes UTF-16). `head`: its first bytes,
    read already. read(size) gives `size` bytes until the end, as a buffered reader's does."""

    def __init__(self, source: IO[bytes], head: bytes, encoding: str, name: str) -> None:
        self._source, self._encoding, self._name = source, encoding, name
        self._decoder = None if encoding in _UTF8 else codecs.getincrementaldecoder(encoding)()
        self._head, self._held = head, b""
        self._binary = _BinaryRefused(name)
        self._ended = len(head) < 4  # all there is: a terminal's next read would wait for more
        if self._ended:
            self._add(b"")

    def read(self, size: int) -> bytes:
        while len(self._held) < size and not self._ended:
            data = _read_blocking(self._source, size, self._name)
            self._ended = len(data) < size
            self._add(data)
        data, self._held = self._held[:size], self._held[size:]
        return data

    def _add(self, data: bytes) -> None:
        data, self._head = self._head + data, b""
        # Before decoding (UTF-32 text holds NUL bytes): `cat /dev/zero |` would fill the disk.
        self._binary.check(data)
        if self._decoder is None:
            self._held += data
            return
        try:
            self._held += self._decoder.decode(data, final=self._ended).encode()
        except UnicodeDecodeError as error:
            raise ZslError(
                f"{quoted(self._name)} is not valid {self._encoding.upper()} text "
                f"({error.reason}); save it as UTF-8"
            ) from None


class _CsvHeader:
    """The start of a CSV's content, fed a chunk at a time, checked for zsl's header before the
    rest is read: ZslError, in `_csv_rows`'s words and line numbers, as soon as it shows a
    header without zsl's columns, so that a pipe is refused before the rest is copied (`yes |`
    would have filled the disk). Rows of blank cells before the header (`,,,,,,`, a quoted field
    of line ends) are skipped as `_csv_rows` skips them, but a header that starts over a MiB
    past the content's start (past byte-order marks and white space, which JSON may follow), or
    runs over a MiB, is refused as none (`yes , |` never gives one): only the row being read is
    held. Files are checked alike, so that the same text gets the same answer from a file or a
    pipe, in any encoding."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._held = b""  # the content from the start of the row not read whole yet
        self._at = 0  # where `_held` starts in the content
        self._lines = 0  # the lines before it, which csv counts in line numbers
        self._start: int | None = None  # where the content past BOMs and white space starts

    def checked(self, data: bytes, *, ended: bool) -> bool:
        """Whether the content so far, ending in `data` (`ended`: the last of it), settles the
        check: JSON, zsl's header, or content left to the whole read to say what it is."""
        held, at = self._held + data, self._at
        if self._start is None:
            shown = held.lstrip(_LEADING)
            if shown[:1] in (b"[", b"{"):
                return True
            if shown:
                self._start = at + len(held) - len(shown)
        start = self._start
        bom = len(codecs.BOM_UTF8) if at == 0 and held.startswith(codecs.BOM_UTF8) else 0
        # A CR at the end may be a CRLF's, cut by the read: csv would count two lines.
        end = len(held) if ended else max(held.rfind(b"\n"), held.rfind(b"\r", 0, len(held) - 1))
        # Decoded as `_read_csv` decodes it, with a line added where more is to come: a row
        # that reads it runs on past what is here.
        text = held[bom : end + 1].decode("utf-8", "surrogateescape") + ("" if ended else "\n")
        lines = io.StringIO(text, newline="")
        reader = csv.reader(lines)
        blank = 0, 0  # the lines and characters of the blank rows read
        try:
            with _CSV_FIELDS_LIFTED.held():
                for row in reader:
                    if not ended and lines.tell() == len(text):
                        break
                    if "".join(row).strip():  # as `_csv_rows` tells a blank row, fast
                        if start is None:
                            return True  # byte-order marks as cells, where JSON may follow
                        row_start = at + bom + _utf8_size(text[: blank[1]])
                        row_end = at + bom + _utf8_size(text[: lines.tell()])
                        if row_start - start > _CHUNK or row_end - row_start > _CHUNK:
                            self._refuse_without_header()
                        # The header alone, numbered as the read numbers its lines.
                        header = io.StringIO(text[blank[1] : lines.tell()], newline="")
                        counted = _CountedFrom(csv.reader(header), self._lines + blank[0])
                        _csv_rows(counted, self._name, one_per_image=False)
                        return True
                    blank = reader.line_num, lines.tell()
        except csv.Error:
            return True  # said as it is for a file, once the copy is read
        read = bom + _utf8_size(text[: blank[1]]) if blank[0] else 0
        self._held, self._at, self._lines = held[read:], at + read, self._lines + blank[0]
        if ended:
            return True  # nothing, or only blank rows: said as it is for a file
        if start is None:
            return len(self._held) > _CHUNK  # a line of blanks that long: left to the read
        if self._at - start > _CHUNK or len(self._held) > _CHUNK:
            self._refuse_without_header()
        return False

    def _refuse_without_header(self) -> None:
        """Refuses the content as a CSV of no header, in `_csv_rows`'s words."""
        _csv_rows(csv.reader([]), self._name, one_per_image=False)


class _CountedFrom:
    """A csv reader whose line numbers count `before` lines read before its first."""

    def __init__(self, reader: Any, before: int) -> None:
        self._reader, self._before = reader, before

    def __iter__(self) -> Iterator[list[str]]:
        return self._reader

    @property
    def line_num(self) -> int:
        return self._before + self._reader.line_num


def _utf8_size(text: str) -> int:
    """How many bytes `text`, decoded from UTF-8 with surrogateescape, was."""
    return len(text.encode("utf-8", "surrogateescape"))


# What a JSON text cut by a read may end in after the place json reports (a number, true,
# false or null cut short, or a \uXXXX escape): there the text may still go on as valid JSON.
_CUT_TOKEN = re.compile(
    r"-?[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]*)?|t(?:r(?:ue?)?)?|f(?:a(?:l(?:se?)?)?)?"
    r"|n(?:u(?:ll?)?)?|u[0-9a-fA-F]{0,3}|N(?:aN?)?|-?I(?:n(?:f(?:i(?:n(?:i(?:ty?)?)?)?)?)?)?"
)


def _refuse_json_start(data: bytes, name: str, *, one_per_image: bool) -> None:
    """ZslError, as reading the whole content would say it, when a pipe's first chunk `data`
    holds JSON that no continuation makes valid: `yes '{"a":1}' |` or `yes '[' |` would fill
    the disk before the copy is read. Such content starting with "[" is refused as invalid
    JSON; starting with "{" it is read as JSON Lines (see `_read_stream`), whose first refused
    line stands whatever follows. Where the chunk's end leaves that open, nothing is said."""
    start = data.lstrip(_LEADING)[:1]
    if start not in (b"[", b"{"):
        return
    try:  # as json.loads decodes bytes; a character cut at the chunk's end is held back
        text = codecs.getincrementaldecoder(json.detect_encoding(data))("surrogatepass").decode(
            data
        )
        json.loads(text)
        return  # one whole value, so far: what follows tells
    except json.JSONDecodeError as error:
        if error.msg.startswith("Unterminated string") or _CUT_TOKEN.fullmatch(text, error.pos):
            _refuse_first_records(data, name, one_per_image=one_per_image)
            return  # cut by the read: it may go on as valid JSON
        invalid: Exception = error
    except RecursionError as error:  # no continuation makes the nesting shallower
        invalid = error
    except ValueError:  # a number or text that the whole content may make readable
        return
    if start == b"[":
        raise ZslError(f"{quoted(name)} is not valid JSON: {invalid}")
    whole_lines = data[: data.rfind(b"\n") + 1]
    _read_jsonl(io.BytesIO(whole_lines), name, one_per_image=one_per_image)


def _refuse_first_records(data: bytes, name: str, *, one_per_image: bool) -> None:
    """ZslError for the first record in a pipe's first chunk `data` (JSON cut by the read) that
    is no prediction: `(printf '[1,'; yes '1,') |` is valid JSON so far, but no continuation
    makes it predictions. Records cut by the read, and layouts the stream reader leaves to the
    whole parse, say nothing."""
    with suppress(_NotStreamed, _JsonLines):
        _stream_document(io.BytesIO(data), name, one_per_image=one_per_image)


@contextmanager
def _copy_errors(name: str) -> Iterator[None]:
    """A failure to write the temporary copy of `name` (a full disk), as a user error."""
    try:
        yield
    except OSError as error:
        raise ZslError(
            f"cannot copy {quoted(name)} to a temporary file ({error.strerror or error}): "
            "set TMPDIR to a folder with room for it"
        ) from None


def _read_stream(
    handle: IO[bytes],
    name: str,
    fmt: str | None,
    warn: Warn | None = None,
    *,
    one_per_image: bool,
) -> tuple[list[Prediction], dict | None]:
    """What `_parse` makes of the handle's content, read as it goes: a JSON document record by
    record, as JSON Lines and CSV are, so that memory holds little more than the predictions.

    A document that the stream reader leaves (an error, whose message the whole-document parse
    gives, or an unusual layout such as "predictions" given twice) is parsed whole, as before."""
    start = handle.tell()
    first = b""
    while not first and (data := handle.read(_CHUNK)):
        first = data.lstrip(_LEADING)[:1]
    handle.seek(start)
    _refuse_binary(data, name)
    if fmt is not None and _misnamed(fmt, data.lstrip(_LEADING)):
        fmt = None  # `zsl label ... > p.json` writes CSV, the format of stdout, as p.json
    # `zsl label ... > p.csv` that failed leaves an empty p.csv, which is neither a CSV without
    # zsl's header nor JSON cut short. (JSON Lines of no predictions is an empty file.)
    if fmt != "jsonl" and not first:
        raise ZslError(f"{quoted(name)} is empty: no predictions to read")
    if fmt == "csv" or (fmt is None and first not in (b"[", b"{")):
        return _read_csv(handle, name, warn, one_per_image=one_per_image), None
    if fmt == "jsonl":
        return _read_jsonl(handle, name, warn, one_per_image=one_per_image), None
    loads: Callable[[bytes], Any] = json.loads
    try:
        return _stream_document(handle, name, one_per_image=one_per_image)
    except _JsonLines:
        if fmt is None:  # as in _parse, where content alone tells the format
            handle.seek(start)
            return _read_jsonl(handle, name, warn, one_per_image=one_per_image), None
    except _InvalidJson:
        loads = _loads_invalid
    except (_NotStreamed, ZslError):  # a record's error stands only in a valid document
        pass
    # Out of the except clause: what the stream reader read is let go before the parse.
    handle.seek(start)
    return _parse(handle.read(), name, fmt, loads, warn, one_per_image=one_per_image)


def _refuse_binary(data: bytes, name: str) -> None:
    """Refuse content that no predictions file holds before reading on: /dev/zero never ends.
    Eight NUL bytes in a row are no text in UTF-8, UTF-16 or UTF-32 (which json reads): UTF-32
    holds up to five, "\u4e00" after an ASCII character, say (22 00 00 00 00 4e 00 00)."""
    if b"\0" * 8 in data:
        raise ZslError(f"{quoted(name)} is binary, not predictions written by 'zsl label'")


class _BinaryRefused:
    """`_refuse_binary` of content read a chunk at a time: its eight NUL bytes in a row may run
    across two reads."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._tail = b""  # the end of the content before, too short for a run of its own

    def check(self, data: bytes) -> None:
        data = self._tail + data
        _refuse_binary(data, self._name)
        self._tail = data[-7:]


def _misnamed(fmt: str, head: bytes) -> bool:
    """Whether `head`, the content's start, surely is in another of zsl's formats than `fmt`,
    its name's: a shell redirection names an output that `zsl label -o` would have refused.
    zsl's CSV header, or JSON under a CSV name; a JSON document under a JSON Lines name, or
    JSON Lines under a JSON name (their first line is a prediction record)."""
    if head.startswith(",".join(CSV_COLUMNS[:3]).encode() + b","):
        return fmt != "csv"
    if head[:1] not in (b"[", b"{"):
        return False  # neither: the name's reader says what is wrong
    if fmt == "csv":
        return True
    try:  # a first line cut by the read (a record of thousands of classes) is no record here
        record = json.loads(head.split(b"\n", 1)[0])
    except JSON_ERRORS:
        record = None  # a document's first line, or not JSON: the parse tells which
    return (fmt == "json") == (isinstance(record, dict) and "path" in record)


class _NotStreamed(Exception):
    """Left to the whole-document parse: a layout the stream reader skips, or an error."""


class _InvalidJson(_NotStreamed):
    """Not valid JSON: the whole-document parse only finds where (see `_loads_invalid`)."""


class _JsonLines(Exception):
    """Content that starts as a JSON object but is no zsl document: `_parse` reads JSON Lines."""


def _stream_document(
    handle: IO[bytes], name: str, *, one_per_image: bool
) -> tuple[list[Prediction], dict | None]:
    """A zsl json document or a list of Label Studio tasks (or of zsl records), read one record
    at a time."""
    text = _JsonText(handle)
    top = text.peek()
    if top == "[":
        tasks = _items(text)
        predictions = _item_predictions(tasks, name, one_per_image=one_per_image)
        run_info = None
    elif top == "{":
        predictions, run_info = _document_fields(text, name, one_per_image=one_per_image)
    else:
        raise _NotStreamed
    if text.peek():  # more after the document: not valid JSON
        raise _JsonLines if top == "{" else _InvalidJson
    return predictions, run_info


def _document_fields(
    text: _JsonText, name: str, *, one_per_image: bool
) -> tuple[list[Prediction], dict | None]:
    """The predictions and run info of a zsl json document, its keys in any order."""
    predictions, run_info = None, None
    for key in _keys(text):
        if key != "predictions":
            value = text.value()
            run_info = value if key == "run" else run_info  # the last one, as json.loads keeps
        elif text.peek() == "[":  # given twice, the last counts, as json.loads keeps
            predictions = _document_predictions(_items(text), name, one_per_image=one_per_image)
        else:  # not a list: the whole-document parse tells what it makes of that
            raise _NotStreamed
    if predictions is None:
        raise _JsonLines
    return predictions, run_info if isinstance(run_info, dict) else None


def _document_predictions(
    objects: Iterable[Any], name: str, *, one_per_image: bool
) -> list[Prediction]:
    """The predictions of a zsl json document's records."""
    predictions = []
    once = _OncePerImage(name, "keep one of them", refuse=one_per_image)
    for number, value in enumerate(objects, start=1):
        where = f"{name}: prediction {number}"
        prediction = _prediction_from_object(value, where, first=number == 1)
        once.check(prediction.path, ("predictions", number))
        predictions.append(prediction)
    return predictions


def _keys(text: _JsonText) -> Iterator[str]:
    """The keys of the object that comes next; the caller takes each one's value."""
    text.expect("{")
    if text.take("}"):
        return
    while True:
        key = text.value()
        if not isinstance(key, str):
            raise _InvalidJson
        text.expect(":")
        yield key
        if text.take("}"):
            return
        text.expect(",")


def _items(text: _JsonText, decoder: json.JSONDecoder | None = None) -> Iterator[Any]:
    """The items of the list that comes next, one at a time."""
    text.expect("[")
    if text.take("]"):
        return
    while True:
        yield text.value(decoder)
        if text.take("]"):
            return
        text.expect(",")


def _dropped(pairs: list) -> None:
    return None


_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's, as json.decoder has it
_DECODER = json.JSONDecoder()


class _JsonText:
    """JSON text decoded as it is read, to take its values one at a time: only the text not yet
    taken is held. Any error raises _InvalidJson, for the whole-document parse to tell."""

    def __init__(self, handle: IO[bytes]) -> None:
        head = handle.read(_CHUNK)
        self._handle = handle
        # As json.loads reads bytes: UTF-8, with a BOM or not, 16 or 32; surrogates let through.
        encoding = json.detect_encoding(head)
        self._decoder = codecs.getincrementaldecoder(encoding)("surrogatepass")
        self._text = ""
        self._at = 0  # where the text not yet taken starts
        self._ended = False
        self._add(head)

    def _add(self, data: bytes) -> None:
        self._ended = not data
        try:
            decoded = self._decoder.decode(data, final=self._ended)
        except UnicodeDecodeError:
            raise _InvalidJson from None
        self._text = self._text[self._at :] + decoded
        self._at = 0

    def _read_more(self) -> None:
        # At least as much as is held: a value longer than a chunk is parsed again only a few
        # times, not once a chunk.
        self._add(self._handle.read(max(_CHUNK, len(self._text) - self._at)))

    def peek(self) -> str:
        """The next character that is not whitespace, not taken; "" at the end."""
        while True:
            self._at = _WHITESPACE.match(self._text, self._at).end()  # type: ignore[union-attr]
            if self._at < len(self._text) or self._ended:
                return self._text[self._at : self._at + 1]
            self._read_more()

    def take(self, char: str) -> bool:
        """Whether `char` comes next, taking it if so."""
        if self.peek() != char:
            return False
        self._at += 1
        return True

    def expect(self, char: str) -> None:
        if not self.take(char):
            raise _InvalidJson

    def value(self, decoder: json.JSONDecoder | None = None) -> Any:
        """The JSON value that comes next, as `decoder` (by default json.loads's) makes it."""
        decoder = decoder or _DECODER
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self._text, self._at)
            except JSON_ERRORS:
                if self._ended:
                    raise _InvalidJson from None
            else:
                # A number may go on after what was read: more digits, or "1." and "1.5e" cut
                # before their fraction or exponent (raw_decode takes 1 and 1.5 of those).
                cut = end == len(self._text) or (
                    isinstance(value, (int, float)) and self._text[end] in ".eE"
                )
                if not cut or self._ended:
                    self._at = end
                    return value
            self._read_more()


def _parse(
    data: bytes,
    name: str,
    fmt: str | None,
    loads: Callable[[bytes], Any] = json.loads,
    warn: Warn | None = None,
    *,
    one_per_image: bool,
) -> tuple[list[Prediction], dict | None]:
    """Predictions in `fmt`, or in the format the content shows: a JSON document (zsl's json or
    Label Studio tasks, however it was re-indented), JSON Lines, or a CSV with zsl's header.
    The content whole: `_read_stream` reads the same as it goes, and leaves to this what it
    does not read. JSON is parsed with `loads`."""
    start = data.lstrip(_LEADING)[:1]
    if fmt != "jsonl" and not start:  # as in _read_stream
        raise ZslError(f"{quoted(name)} is empty: no predictions to read")
    if fmt == "csv" or (fmt is None and start not in (b"[", b"{")):
        return _read_csv(io.BytesIO(data), name, warn, one_per_image=one_per_image), None
    if fmt == "jsonl":
        return _read_jsonl(io.BytesIO(data), name, warn, one_per_image=one_per_image), None
    if fmt is None and start == b"{":
        try:
            document = loads(data)
        except JSON_ERRORS as error:
            # A document over several lines, cut short or broken inside (then its first line is
            # no JSON on its own: "{"), not records, whose error would be the first line's.
            several_lines = isinstance(error, json.JSONDecodeError) and error.lineno > 1
            if several_lines and (_ends_in(error) or not _first_line_whole(data)):
                raise _invalid_json(name, error) from None
            # One record per line.
            return _read_jsonl(io.BytesIO(data), name, warn, one_per_image=one_per_image), None
        if not (isinstance(document, dict) and "predictions" in document):
            # A single record.
            return _read_jsonl(io.BytesIO(data), name, warn, one_per_image=one_per_image), None
    else:
        document = _load_json(data, name, loads)
    return _read_document(document, name, one_per_image=one_per_image)


def _first_line_whole(data: bytes) -> bool:
    """Whether the first line of content shows (a record of JSON Lines) is JSON on its own."""
    try:
        json.loads(data.lstrip(_LEADING).split(b"\n", 1)[0])
    except JSON_ERRORS:
        return False
    return True


def _read_document(
    document: Any, name: str, *, one_per_image: bool
) -> tuple[list[Prediction], dict | None]:
    if isinstance(document, dict) and isinstance(document.get("predictions"), list):
        objects = document["predictions"]
        run_info = document.get("run") if isinstance(document.get("run"), dict) else None
        predictions = _document_predictions(objects, name, one_per_image=one_per_image)
        return predictions, run_info
    if isinstance(document, list):
        return _item_predictions(document, name, one_per_image=one_per_image), None
    raise ZslError(
        f"{quoted(name)} is neither a zsl json output nor a list of zsl records or Label Studio "
        'tasks (from pandas, write df.to_json(path, orient="records"))'
    )


def _load_json(data: bytes, name: str, loads: Callable[[bytes], Any] = json.loads) -> Any:
    try:
        return loads(data)
    except JSON_ERRORS as error:
        raise _invalid_json(name, error) from None


def _invalid_json(name: str, error: Exception) -> ZslError:
    hint = " (the file ends there: cut short by a run stopped while writing?)"
    return ZslError(f"{quoted(name)} is not valid JSON: {error}{hint if _ends_in(error) else ''}")


def _ends_in(error: Exception) -> bool:
    """Whether a JSON error is the text's end, inside a value: `zsl label -f json > p.json`
    stopped while writing."""
    return isinstance(error, json.JSONDecodeError) and not error.doc[error.pos :].strip()


def _loads_invalid(data: bytes) -> Any:
    """json.loads for a document that the stream reader found not valid: the same error, found
    without keeping the values before it, which json.loads holds (for a large file broken near
    its end, some 8 times its size). Should the document be valid after all, it is loaded."""
    json.loads(data, object_pairs_hook=_dropped)
    return json.loads(data)


def _read_csv(
    stream: IO[bytes], name: str, warn: Warn | None = None, *, one_per_image: bool
) -> list[Prediction]:
    # Decoded as it is read: a StringIO of the whole text holds 4 bytes a character.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    lines = _Lines(text)
    try:
        with _CSV_FIELDS_LIFTED.held():
            return _csv_rows(csv.reader(lines), name, lines, warn, one_per_image=one_per_image)
    except csv.Error as error:  # e.g. a stray quote that runs a field to the end of the file
        raise ZslError(f"{quoted(name)} is not a readable CSV ({error})") from None
    finally:
        text.detach()  # left open for its owner: stdin is read here unless it is a pipe


# csv refuses a field over 131,072 characters, and with every class's score (top-k 0) a row's
# top_k_labels holds every class name: some 10,000 classes pass that.
_CSV_FIELD_LIMIT = 2**31 - 1  # the most a C long holds everywhere


# The limit is process-wide: readers in other threads lift it too, and the last of them puts
# back the host program's.
_CSV_FIELDS_LIFTED = SharedOverride(
    lambda: csv.field_size_limit(_CSV_FIELD_LIMIT), csv.field_size_limit
)


class _Lines:
    """A text's lines, for csv.reader, and whether the last one read lacks a line end: only the
    text's last line can, and a row there may have been cut by the writer's end (_cut_short)."""

    def __init__(self, text: Iterator[str]) -> None:
        self._text = text
        self.last = ""  # the line read last

    def __iter__(self) -> Iterator[str]:
        for line in self._text:
            self.last = line
            yield line

    @property
    def unfinished(self) -> bool:
        return bool(self.last) and not self.last.endswith(("\n", "\r"))


def _csv_rows(
    reader: Any,
    name: str,
    lines: _Lines | None = None,
    warn: Warn | None = None,
    *,
    one_per_image: bool,
) -> list[Prediction]:
    """The predictions of a CSV's rows; a last line cut short is left out, told to `warn`, where
    `lines` are the reader's (without both, it is an error as any other row of missing cells)."""
    # A blank line (a trailing one left by an editor or `echo >>`) is a row of no cells: skipped,
    # as JSON Lines skips it, and so is a row of empty cells (`,,,,,,`, as a spreadsheet saves
    # rows it once used), as in a truth CSV. The reader still counts them, so line numbers stay
    # right.
    # A line of only white space (spaces an editor left) is blank too.
    rows = (row for row in reader if any(cell.strip() for cell in row))
    header = next(rows, None) or []
    # Columns in any order, and others beside them (a reviewer's notes added in a spreadsheet),
    # as a truth CSV may have.
    if any(header.count(column) != 1 for column in CSV_COLUMNS):
        if header and header[0].startswith("#"):
            raise ZslError(
                f"{name}: line {reader.line_num} is a comment "
                f"({quoted_line(','.join(header))}), which neither zsl's CSV nor JSON Lines "
                "holds: remove it"
            )
        # A Label Studio export is told what to give instead, its TSV too: saved with commas,
        # as the tabs' hint says, it would be refused all the same.
        hint = _label_studio_export_hint(header) or (
            delimiter_hint(header)
            + _json_table_hint(header)
            + (_truth_hint(header) if len(header) > 1 else "")
        )
        raise ZslError(
            f"{quoted(name)} is not a zsl predictions CSV: the header must hold the columns "
            f"{','.join(CSV_COLUMNS)}" + _columns_wrong(header) + hint
        )
    picked = operator.itemgetter(*map(header.index, CSV_COLUMNS))
    predictions = []
    one_run = _OneRun()
    once = _OncePerImage(name, _JOINED_RUNS, refuse=one_per_image)
    for row in rows:
        where = f"{name}: line {reader.line_num}"
        if warn is not None and lines is not None and _cut_short(row, header, picked, lines):
            warn(_cut_short_message(where))
            break
        prediction = _csv_prediction(row, header, picked, where, reader.line_num)
        one_run.check(prediction, where, reader.line_num)
        once.check(prediction.path, ("lines", reader.line_num))
        predictions.append(prediction)
    return predictions


class _OneRun:
    """Refuses rows of a CSV or JSON Lines file that evidently come from runs with other classes
    (outputs joined with `>>` or `cat`), which scored as one would mix choices among 30 classes
    with choices among 5. A run ranks as many classes, min(-k, its classes), for every image it
    labels, and a ranking whose scores sum to 1 (a softmax's, CLIP's) holds all of its run's
    classes (or all but some whose scores round to nothing): a row that ranks more classes than
    such a row is another run's, with more classes (or a larger -k), where its scores too are a
    softmax's, summing to 1 at most. Outputs of runs with the same classes and -k (`xargs -n 30
    zsl label ... >> out.jsonl`) read as one, and so does any one run's output. Not told apart:
    runs that rank as many classes (their class lists differ, or a ranking of some classes of
    many happens to sum to 1, which a confident model's does), rankings whose scores need not sum
    to 1 (a shorter -k, a sigmoid's), and rows that rank nothing (failed, or their top_k dropped
    in pandas)."""

    def __init__(self) -> None:
        self._longest: tuple[int, int] | None = None  # the most classes a row ranks, its line
        self._shortest_whole: tuple[int, int] | None = None  # the fewest a whole ranking holds

    def check(self, prediction: Prediction, where: str, line: int) -> None:
        if not prediction.ok or not prediction.top_k:
            return
        ranked = RankedScores.of(prediction.top_k)
        # As the metrics count them: empty cells and 'unknown' (which no class list holds)
        # rank no class.
        labels = ranked.labels
        count = len(labels) - labels.count("") - labels.count(UNKNOWN_LABEL)
        if not count:
            return
        # Python's sum: numpy's warned (RuntimeWarning) of a ranking holding inf and -inf.
        total = sum(ranked.scores.tolist())
        if not total <= 1 + _SUM_TOLERANCE:  # no softmax's (NaN neither): it tells nothing
            return
        whole = total >= 1 - _SUM_TOLERANCE
        other = None
        if whole and self._longest is not None and self._longest[0] > count:
            other = self._longest
        elif self._shortest_whole is not None and self._shortest_whole[0] < count:
            other = self._shortest_whole
        if other is not None:
            raise ZslError(
                f"{where}: ranks {counted(count, 'class')} where line {other[1]} ranks "
                f"{other[0]} (outputs of runs with other classes or -k joined?); evaluate each "
                "run's output on its own"
            )
        if self._longest is None or count > self._longest[0]:
            self._longest = count, line
        if whole and (self._shortest_whole is None or count < self._shortest_whole[0]):
            self._shortest_whole = count, line


class _OncePerImage:
    """Refuses a second prediction that names an image as an earlier one did, saying where both
    are (lines, a Label Studio task's id), where the read asks for it (`refuse`): `cat
    p.jsonl p.jsonl`, or one image imported as two tasks, would score that image twice. One
    image named two ways (`./a.png`, `a.png`) is evaluation's to refuse, as paths pair with the
    truth."""

    def __init__(self, name: str, fix: str, *, refuse: bool) -> None:
        self._refuse = refuse  # the read's `one_per_image`
        self._name = name
        self._fix = fix  # what to do about it
        self._first: dict[str, tuple[str, object]] = {}  # each path, where it was first

    def check(self, path: str, place: tuple[str, object]) -> None:
        """`place`: the plural a message names such places by, and this one's number or id."""
        if not self._refuse:
            return
        first = self._first.setdefault(path, place)
        if first is place:
            return
        places = (
            f"{place[0]} {first[1]} and {place[1]}"
            if first[0] == place[0]
            else f"{first[0]} {first[1]} and {place[0]} {place[1]}"
        )
        raise ZslError(
            f"{self._name}: {places} name the same image, '{printable(path)}'; {self._fix}"
        )


# What to do about an image listed twice in a CSV or JSON Lines file.
_JOINED_RUNS = "outputs joined with cat? evaluate the output of a single run"


# How far the scores of a ranking of every class may sum from 1: float32's rounding in the
# softmax and in the written digits (.7g) stays well under it over thousands of classes.
_SUM_TOLERANCE = 1e-4


# The columns (or JSON keys) of zsl's predictions that a ground truth has no use for: a truth file
# holding them is predictions, whose path and label columns would read as a truth and score
# another run's labels as if they were true. `score` or `status` alone is some dataset's column.
PREDICTION_COLUMNS = ("top_k", "top_k_labels", "top_k_scores", "score", "status")
# The names a ground truth's path column goes by: evaluation reads truth CSVs by them, and here
# they tell ground truth given where the predictions go.
TRUTH_PATH_COLUMNS = (
    "path",
    "file",
    "filename",
    "file_name",
    "filepath",
    "file_path",
    "image",
    "image_path",
)


def header_name(name: str) -> str:
    """A header cell as the truth's column names are spelt: 'File Name' and 'file-name' are
    file_name."""
    return "_".join(name.strip().lower().replace("-", " ").split())


# The keys a record of a path and a label lacks to read as zsl's, of no score and no ranking
# (top_k and error may be absent): what another tool's such records need to evaluate.
_RECORD_KEYS_TO_ADD = f'"score": null, "status": {json.dumps(STATUS_OK)}'
_GIVE_AS_TRUTH = "ground truth? give that as --truth, and first the predictions 'zsl label' wrote"


def _truth_hint(header: Iterable[str]) -> str:
    """A note for a CSV of none of a prediction's own columns (a path and a label, or a 0/1
    column per class): the ground truth given where the predictions go, the two files of
    `zsl evaluate` swapped. A header of a path and a label may also be another tool's
    predictions: those evaluate once zsl's other columns are added."""
    header = list(header)
    if not _looks_like_truth(header):
        return ""
    other_tool = ""
    if "path" in header and "label" in header:
        missing = ",".join(column for column in CSV_COLUMNS if column not in header)
        other_tool = (
            f"; another tool's predictions? add the columns {missing}, empty but for status "
            f"'{STATUS_OK}' on each row"
        )
    return f" (it has no score, ranking or status: {_GIVE_AS_TRUTH}{other_tool})"


def _record_truth_hint(record: dict) -> str:
    """`_truth_hint` of a JSON record of no prediction's keys: a truth there must be saved as a
    CSV, as --truth reads no JSON. A record whose path and label read as a prediction's may be
    another tool's prediction, told the keys to add; one whose label is not text (a list of
    labels, a class number) is not: added, they would only lead to the next error."""
    if not _looks_like_truth(list(record)):
        return ""
    other_tool = ""
    if _path_and_label_read(record):
        other_tool = f"; another tool's predictions? add {_RECORD_KEYS_TO_ADD} to each record"
    return (
        f" (it has no score, ranking or status: {_GIVE_AS_TRUTH}, but as a CSV of path,label or "
        f"class folders: --truth reads no JSON{other_tool})"
    )


def _looks_like_truth(header: list[str]) -> bool:
    """Whether a header or a record's keys name an image, and none of a prediction's own."""
    names = [header_name(name) for name in header]  # as evaluate reads a truth's header
    if any(name in PREDICTION_COLUMNS for name in names):
        return False
    return bool(set(TRUTH_PATH_COLUMNS).intersection(names))  # else nothing says what it is


def _path_and_label_read(record: dict) -> bool:
    """Whether a record's path and label read as a prediction's (`_prediction_from_object`)."""
    try:
        _path(_text(record["path"], "path"), "")
        _text(_or_empty(record["label"], ""), "label")
    except (KeyError, TypeError, ZslError):
        return False
    return True


def _columns_wrong(header: list[str]) -> str:
    """A note naming the columns of zsl's that a header of zsl's output edited in a spreadsheet
    lacks or repeats: a column deleted (the all-empty error column), or a second label column
    added. Not said of a header lacking more (another table, whose other notes tell what it
    is): the columns it must hold are listed already."""
    missing = [column for column in CSV_COLUMNS if column not in header]
    if len(missing) > _FEW_MISSING or _json_table_hint(header):
        return ""
    notes = []
    present = [column for column in CSV_COLUMNS if column in header]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        notes.append(f"it lacks the {noun} {', '.join(missing)}")
    notes.extend(
        f"the column {column} appears {_times(header.count(column))}"
        for column in present
        if header.count(column) > 1
    )
    return f" ({'; '.join(notes)})"


# The most columns of zsl's that an edited output is said to lack.
_FEW_MISSING = 2


def _times(n: int) -> str:
    return "twice" if n == 2 else f"{n} times"


def _label_studio_export_hint(header: list[str]) -> str:
    """A note for Label Studio's CSV or TSV export of the tasks zsl wrote: their data's zsl_*
    keys as columns, the ranking as JSON text. A TSV one's header, read with commas, is one
    cell holding tabs. Its JSON and JSON_MIN exports are read as predictions."""
    kind, columns = "CSV", header
    if len(header) == 1 and "\t" in header[0]:
        kind, columns = "TSV", next(csv.reader(header, delimiter="\t"))
    if "zsl_path" not in columns:
        return ""
    return (
        f" (a Label Studio {kind} export: export the project as JSON or JSON_MIN instead, or "
        "give the tasks file 'zsl label -f label-studio' wrote)"
    )


def _json_table_hint(header: list[str]) -> str:
    """A note for a header with JSON Lines' top_k column: a table read from zsl's JSON Lines and
    saved as CSV (pandas' to_csv), its rankings written as Python lists."""
    if "top_k" not in header or "top_k_labels" in header:
        return ""
    return (
        " (its top_k column is JSON Lines': save a table read from JSON Lines as JSON Lines, "
        'df.to_json(path, orient="records", lines=True))'
    )


def _cut_short(
    row: list[str], header: list[str], picked: Callable[[list[str]], Any], lines: _Lines
) -> bool:
    """Whether `row` is the text's last line, lacking its line end, and a writer stopped in it:
    it lacks some cells, ends inside a quoted cell, or its ranking's cells (moved to the end by
    a spreadsheet) do not pair up or rank scores upwards (1.5e-05 cut to 1.5e-0), or its label
    or score and the ranking's first, which zsl writes alike, are one the other cut short, or
    the status of its ranking is "o".
    Not a complete row that lacks only the line end (a last line saved so by an editor), nor a
    row over several lines (a quote left open that ran to the end). A cut inside zsl's own last
    cell, the unquoted error text of an image that failed, reads as a whole row: its status,
    which the metrics read, is whole; so does one inside a later class's name or score, which
    nothing else in the row repeats."""
    if not lines.unfinished or any("\n" in cell or "\r" in cell for cell in row):
        return False
    if len(row) < len(header) or _quote_left_open(lines.last):
        return True
    _, label, score, top_labels, top_scores, status = picked(row)[:6]  # in CSV_COLUMNS' order
    try:
        ranked = _ranked_from_cells(top_labels, top_scores, "")
    except ZslError:
        return True
    if not ranked:
        return False
    first_label = top_labels.split(TOP_K_SEPARATOR, 1)[0]
    first_score = top_scores.split(TOP_K_SEPARATOR, 1)[0]
    return (
        bool((np.diff(ranked.scores) > 0).any())
        or (label != UNKNOWN_LABEL and _one_cut_from_other(label, first_label))
        or _one_cut_from_other(score, first_score)
        or _one_cut_from_other(status, STATUS_OK)
    )


def _one_cut_from_other(text: str, other: str) -> bool:
    """Whether one of two texts that should be the same is the other cut short."""
    return (
        bool(text and other)
        and text != other
        and (other.startswith(text) or text.startswith(other))
    )


def _quote_left_open(line: str) -> bool:
    """Whether `line` ends inside a quoted cell, which csv's reader takes as closed at the end of
    the text; no writer leaves one open."""
    return next(csv.reader([line + "\n"]))[-1].endswith("\n")


def _cut_short_message(where: str) -> str:
    return (
        f"{where}: the last line is cut short (the file ends inside it: a labelling run "
        "stopped while writing, or a copy cut off); that prediction is left out"
    )


def _csv_prediction(
    row: list[str], header: list[str], picked: Callable[[list[str]], Any], where: str, line: int
) -> Prediction:
    """The prediction a CSV row holds, the row ending on `line`; ZslError where it holds none."""
    if len(row) != len(header):
        message = f"{where}: expected {len(header)} columns, found {len(row)}"
        # A field left open to the end of the file also holds the file's last line break.
        breaks = sum(cell.count("\n") for cell in row) - row[-1].endswith("\n")
        if breaks:  # quoted line breaks: most often a stray quote that ran to a later line
            message += f" in a row that starts on line {line - breaks}: is a quote left open there?"
        raise ZslError(message)
    # `cat a.csv b.csv`: another output's header among the rows, after its byte-order mark
    # where a Windows program saved it (the file's first is read as no text).
    if row[0].removeprefix("\ufeff") == header[0] and row[1:] == header[1:]:
        raise ZslError(
            f"{where}: the header again (outputs joined with cat?); evaluate each run's "
            "output on its own, or join outputs of runs with the same classes and -k as JSON "
            "Lines, which have no header to repeat"
        )
    path_text, label, score, top_labels, top_scores, status, error = picked(row)
    _refuse_other_encodings((label, top_labels), where)
    return Prediction(
        path=_path(path_text, where),
        label=label,
        score=_parse_score(score, where) if score else None,
        top_k=_ranked_from_cells(top_labels, top_scores, where),
        status=status,
        error=error,
    )


def _path(text: str, where: str) -> str:
    """The path a prediction names (see `path_from_text`); ZslError for text that names no file:
    an empty cell, or a character no file name holds (NUL, or half a surrogate pair as JSON's
    "\\ud800" gives), which matching the truth failed on with a traceback."""
    if not text:
        raise ZslError(f"{where}: the path is empty")
    unnamable = _UNNAMABLE.search(text)
    if unnamable:
        raise ZslError(
            f"{where}: the path '{printable_text(text)}' holds a character that no file name "
            f"holds ('{printable_text(unnamable.group())}')"
        )
    return path_from_text(text)


# NUL, and the surrogates that escape no byte of a name (\udc80-\udcff do: see path_from_text).
_UNNAMABLE = re.compile("[\0\ud800-\udc7f\udd00-\udfff]")


def _ranked_from_cells(top_labels: str, top_scores: str, where: str) -> RankedScores:
    """The ranking a CSV's top_k_labels and top_k_scores cells hold."""
    # Interned: with every class's score (top-k 0) each row repeats every class name, and a
    # string per cell would take some 60 bytes (50,000 images x 1,000 classes: 3 GB).
    labels = tuple(map(sys.intern, top_labels.split(TOP_K_SEPARATOR))) if top_labels else ()
    scores = top_scores.split(TOP_K_SEPARATOR) if top_scores else []
    if len(labels) != len(scores):
        raise ZslError(f"{where}: top_k_labels and top_k_scores differ in length")
    return RankedScores(labels, _parse_scores(scores, where))


def _refuse_other_encodings(cells: tuple[str, ...], where: str) -> None:
    """ZslError for class names holding bytes that are not UTF-8 (surrogate escapes here): zsl
    writes them as its class lists hold them, in UTF-8, so the file was saved since in a legacy
    code page (Excel's "CSV (Comma delimited)" on Windows writes cp1252), and caf\\xe9 would never
    match the truth's café. Paths may hold such bytes: a file's name need not be UTF-8."""
    for cell in cells:
        if cell.isascii() or not has_surrogates(cell):
            continue
        name = next(name for name in cell.split(TOP_K_SEPARATOR) if has_surrogates(name))
        raise ZslError(
            f"{where}: the class '{printable_text(name)}' is not UTF-8 text: the file was "
            'saved in another encoding since; save it as UTF-8 (in Excel: "CSV UTF-8")'
        )


def _parse_score(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ZslError(f"{where}: '{printable_text(text)}' is not a number") from None


def _parse_scores(texts: list[str], where: str) -> np.ndarray:
    try:
        return np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
    except ValueError:
        for text in texts:  # the first that is no number, for the message
            _parse_score(text, where)
        raise


def _read_jsonl(
    stream: IO[bytes], name: str, warn: Warn | None = None, *, one_per_image: bool
) -> list[Prediction]:
    """The predictions of JSON Lines; a last line cut short (no line end, and not valid JSON) is
    left out, told to `warn` (without it, it is an error as any other line that is no JSON)."""
    predictions: list[Prediction] = []
    one_run = _OneRun()
    once = _OncePerImage(name, _JOINED_RUNS, refuse=one_per_image)
    for number, line in enumerate(stream, start=1):
        unfinished = not line.endswith(b"\n")  # only the last line can be
        # Without its newline: a JSON error must give its position on this line.
        line = line.removesuffix(b"\n")
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        where = f"{name}: line {number}"
        try:
            value = json.loads(line)
        except JSON_ERRORS as error:
            if warn is not None and unfinished:
                warn(_cut_short_message(where))
                break
            comment = " (JSON Lines hold no comments: remove it)" if line.startswith(b"#") else ""
            raise ZslError(f"{where}: not valid JSON ({error}){comment}") from None
        prediction = _prediction_from_object(value, where, first=not predictions)
        one_run.check(prediction, where, number)
        once.check(prediction.path, ("lines", number))
        predictions.append(prediction)
    return predictions


def _prediction_from_object(value: Any, where: str, *, first: bool = True) -> Prediction:
    """The prediction of a zsl record read at `where`. `first`: whether it is the file's first,
    where a record of no prediction may tell that the whole file is something else."""
    if not isinstance(value, dict):
        raise ZslError(
            f"{where}: not a zsl prediction record (it is {_json_kind(value)}, not an object)"
        )
    if isinstance(value.get("path"), dict):
        raise ZslError(
            f"{where}: not a zsl prediction record (its path is an object: a table as pandas "
            'writes it by default, by columns; write df.to_json(path, orient="records"))'
        )
    try:
        score = value["score"]
        # A missing label, error or top-k list reads as zsl writes it, "" or none: pandas writes
        # a missing value as null (`to_json`), and json.dumps of its rows as NaN. An ok row's
        # missing label is an abstention, which evaluate warns of, as of an emptied CSV cell.
        return Prediction(
            path=_path(_text(value["path"], "path"), where),
            label=_text(_or_empty(value["label"], ""), "label"),
            score=None if score is None else float(score),
            top_k=_ranked_from_record(value, where),
            status=_text(value["status"], "status"),
            error=_text(_or_empty(value.get("error"), ""), "error"),
        )
    except KeyError as error:
        hint = _record_truth_hint(value) if first else ""
        raise ZslError(f"{where}: not a zsl prediction record (no {error} field){hint}") from error
    except (TypeError, ValueError, OverflowError) as error:  # overflow: a float of a huge int
        raise ZslError(f"{where}: not a zsl prediction record ({error})") from error


def _ranked_from_record(value: dict, where: str) -> RankedScores:
    """A record's top_k list (none where null), or the top_k_labels and top_k_scores of a CSV's
    row written as JSON (`pd.read_csv("p.csv").to_json(orient="records", lines=True)`)."""
    if "top_k" not in value and "top_k_labels" in value:
        labels = _text(_or_empty(value["top_k_labels"], ""), "top_k_labels")
        return _ranked_from_cells(labels, _scores_cell(value.get("top_k_scores")), where)
    return _ranked_from_objects(_or_empty(value.get("top_k"), []))


def _ranked_from_objects(choices: Any) -> RankedScores:
    labels, scores = [], []
    try:
        for choice in choices:
            labels.append(sys.intern(_text(choice["label"], "top_k label")))  # as in _csv_rows
            scores.append(float(choice["score"]))
    except (TypeError, KeyError) as error:
        # Said of the list as written: a string's or an object's keys were read as its items
        # ("string indices must be integers"), and a missing score as the record's own.
        raise TypeError(_top_k_problem(choices) or str(error)) from None
    return RankedScores(tuple(labels), scores)


def _top_k_problem(choices: Any) -> str:
    """What makes a record's top_k other than a list of {"label": ..., "score": ...} objects;
    "" where it is one (a label or score of the wrong type, which its own error tells)."""
    if not isinstance(choices, list):
        return f"top_k is {_json_kind(choices)}, not a list of objects with a label and a score"
    for number, choice in enumerate(choices, start=1):
        item = f"top_k item {number}"
        if not isinstance(choice, dict):
            return f"{item} is {_json_kind(choice)}, not an object with a label and a score"
        missing = [key for key in ("label", "score") if key not in choice]
        if missing:
            return f"{item} has no '{missing[0]}' field"
        if not isinstance(choice["score"], (int, float, str)):
            return f"{item}'s score is {_json_kind(choice['score'])}, not a number"
    return ""


def _or_empty(value: Any, empty: Any) -> Any:
    """`value`, or `empty` where it is a missing value: null, or NaN."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return empty if missing else value


def _scores_cell(value: Any) -> str:
    """A top_k_scores cell that pandas wrote as JSON: null where it was empty, and a number
    where each row's cell read as one (top-k 1)."""
    value = _or_empty(value, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return _text(value, "top_k_scores")


# How a message names a JSON value's type: "label is null", not "label is NoneType".
_JSON_TYPES = {bool: "true or false", int: "a number", float: "a number", list: "a list"}


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return "a string" if isinstance(value, str) else _JSON_TYPES.get(type(value), "an object")


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{field} is {_json_kind(value)}, not a string")
    return value


def _item_predictions(items: Iterable[Any], name: str, *, one_per_image: bool) -> list[Prediction]:
    """The predictions of a JSON list's items, one each, but one per task of a Label Studio
    JSON_MIN export, which repeats a task for each of its annotations."""
    predictions = []
    exported: set[tuple[Any, Any]] = set()
    once = _OncePerImage(
        name,
        "keep one of them (in Label Studio: delete the task imported twice)",
        refuse=one_per_image,
    )
    for number, item in enumerate(items, start=1):
        task = _json_min_task(item)
        if task is not None:
            if task in exported:
                continue
            exported.add(task)
        prediction = _prediction_from_item(item, name, number)
        once.check(prediction.path, _item_place(item, number))
        predictions.append(prediction)
    return predictions


def _item_place(item: Any, number: int) -> tuple[str, object]:
    """How a message finds a JSON list's item: a Label Studio task by its id, as Label Studio
    shows it, else by its place in the list."""
    task_id = item.get("id") if isinstance(item, dict) else None
    if isinstance(task_id, (int, str)) and not isinstance(task_id, bool):
        return "the tasks with ids", task_id
    if isinstance(item, dict) and "path" in item and "data" not in item:
        return "records", number
    return "tasks", number


def _json_min_task(item: Any) -> tuple[Any, Any] | None:
    """The task id and zsl_path of a JSON_MIN record, None for other items."""
    if not isinstance(item, dict) or "data" in item or "path" in item:
        return None
    task_id, path = item.get("id"), item.get("zsl_path")
    if not isinstance(task_id, (int, str)) or not isinstance(path, str):
        return None
    return task_id, path


def _prediction_from_item(item: Any, name: str, number: int) -> Prediction:
    """The prediction of a JSON list's item: a Label Studio task, or a zsl record, as pandas
    writes a table of them (`df.to_json("p.json", orient="records")`), or a task as Label
    Studio's JSON_MIN export writes it: its data's keys (zsl_path, ...) beside the task's id and
    the annotators' choices."""
    if isinstance(item, dict) and "data" not in item and "path" in item:
        return _prediction_from_object(item, f"{name}: record {number}", first=number == 1)
    # A task by its id, as Label Studio shows it, and its place where that is another.
    task_id = item.get("id") if isinstance(item, dict) else None
    if not isinstance(task_id, (int, str)) or isinstance(task_id, bool) or task_id == number:
        task_id = number
    where = f"{name}: task {task_id}" + (f" (item {number})" if task_id != number else "")
    if isinstance(item, dict) and "data" not in item:
        if "zsl_path" in item:
            return _prediction_from_task({"data": item}, where)
        if "annotation_id" in item:  # a JSON_MIN record of a task added by hand
            _refuse_task_not_zsls(where, exported=True)
    return _prediction_from_task(item, where)


def _refuse_task_not_zsls(where: str, exported: bool) -> NoReturn:
    # An export's other tasks are ground truth all the same: the tasks file has zsl's alone.
    hint = (
        ": give the tasks file 'zsl label -f label-studio' wrote as the predictions, and the "
        "export as --truth"
    )
    raise ZslError(
        f"{where}: not a task written by zsl (its data has no zsl_path){hint * exported}"
    )


def _prediction_from_task(task: Any, where: str) -> Prediction:
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict) or "zsl_path" not in data:
        _refuse_task_not_zsls(where, isinstance(task, dict) and "annotations" in task)
    record = {key: data.get(f"zsl_{key}") for key in ("path", "label", "score", "status")}
    if isinstance(data.get("zsl_path_quoted"), str):
        # As the other formats write it: the name's bytes read as UTF-8 (surrogate escapes).
        raw = unquote_to_bytes(data["zsl_path_quoted"])
        record["path"] = raw.decode("utf-8", "surrogateescape")
    record["top_k"] = data.get("zsl_top_k") or []
    record["error"] = data.get("zsl_error") or ""
    return _prediction_from_object(record, where)
