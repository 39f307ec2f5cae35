"""Prediction writers (csv, jsonl, json, label-studio); `readers` reads the same files back.
Label Studio's own rules (task image URLs, checks, the labelling config) are in `label_studio`.

Writers stream: each prediction is encoded and written as it arrives, nothing is collected.

Conventions shared by every format:
- Scores are rounded to 7 significant digits (float32 precision, the precision the models compute
  in), the same way in every format, so a file read back gives the same numbers whatever its format;
  a whole number is written as a float (`1.0`) in CSV too, so a column of them reads as floats.
- Paths are `os.fsdecode` strings, written as the file name's bytes read as UTF-8
  (`formatting.path_to_text`), whatever the locale; undecodable bytes (lone surrogates) survive
  every format: CSV is written with `surrogateescape` (the original bytes), JSON with the
  `\\udcXX` escape, Label Studio tasks (which cannot hold such escapes) with U+FFFD for display
  and the exact path percent-encoded in `zsl_path_quoted`. Strict UTF-8 readers (pandas, DuckDB)
  refuse a CSV or JSON file holding such bytes: `PredictionWriter.not_utf8_warnings` says so.
- CSV cells are written as they are, those a spreadsheet runs as a formula too (a file named
  `=HYPERLINK(...).png`): zsl's readers and scripts need the exact names, so
  `PredictionWriter.formula_warnings` tells where one was written, and how to open the file
  (`write_class_prompts` returns those of the prompts it writes).
- A file output is written to a temporary file in the same directory and moved into place on
  `close()`; until then an existing file stays untouched. `close(complete=False)` (Ctrl-C) still
  publishes what was written, with `"complete": false` in the run info. An exception inside the
  `with` block before `close()` discards the temporary file. Missing parent folders are created.
- Run info (the settings of the run) goes to the sidecar `<output>.run.json` for csv, jsonl and
  label-studio files, and into the document under "run" for json (written last, after
  "predictions", because it is only known at the end). Stdout output gets the data only.
- Stdout output is flushed after every prediction, so pipelines see results live.
- Rows printed at a terminal (stdout, `-o /dev/tty`) are shown as messages show text on stderr
  (`_AtTerminal`): in the terminal's encoding, what it cannot hold written `\\u00e9`, so that a
  Latin-1 terminal gets no UTF-8 byte 0x80-0x9f (an 8-bit CSI or OSC from the letter Û); CSV cells
  show their control characters escaped too. Files and pipes get UTF-8, byte for byte.
"""

from __future__ import annotations

import codecs
import difflib
import json
import locale
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol
from urllib.parse import quote

from zsl_cli.classes import FORMULA_STARTS
from zsl_cli.errors import ZslError
from zsl_cli.files import (
    CSV_NOT_UTF8,
    AtomicFileSink,
    CsvLines,
    NotUtf8Rows,
    StreamSink,
    names_open_stream,
    open_sink,
    refuse_folder_output,
    streams_into,
    write_file,
)
from zsl_cli.formatting import (
    counted,
    encodable,
    has_surrogates,
    option_given,
    path_to_text,
    printable,
    printable_text,
    quoted,
)
from zsl_cli.label_studio import (
    LabelStudioOptions,
    check_label_studio_options,
    label_studio_image_url,
)
from zsl_cli.records import (
    CSV_COLUMNS,
    EXTENSION_FORMATS,
    OUTPUT_BYTES_KEY,
    SCORE_FORMAT,
    TOP_K_SEPARATOR,
    UNKNOWN_LABEL,
    LabelScore,
    Prediction,
    RankedScores,
    written_score,
)
from zsl_cli.text_files import BIDI_CONTROLS

FORMATS = ("csv", "jsonl", "json", "label-studio")
# Other names users give the formats: -o x.ndjson is JSON Lines, so is -f ndjson.
FORMAT_ALIASES = {"ndjson": "jsonl", "labelstudio": "label-studio", "label_studio": "label-studio"}


def format_from_path(path: str | os.PathLike[str] | None) -> str:
    """The output format implied by a file name; stdout (None, "-", /dev/stdout) and other
    streams without one of the extensions (/dev/null, a FIFO) get csv."""
    if path is None or str(path) == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSION_FORMATS:
        # A FIFO named p.jsonl is read as JSON Lines; /dev/fd/N names a stream even when no
        # such descriptor is open (the sink then says so).
        if streams_into(Path(path)) or names_open_stream(Path(path)):
            return "csv"
        # `-o results` (a folder), `-o results/`: the folder is what is wrong, not its name, and
        # --format would only lead to the same refusal.
        refuse_folder_output(path, os.path.isdir(path))
        raise ZslError(
            f"cannot tell the output format from the name {quoted(path)}: "
            f"use --format ({', '.join(FORMATS)}) or a .csv, .jsonl, .ndjson or .json name"
        )
    return EXTENSION_FORMATS[suffix]


def output_format(path: str | os.PathLike[str] | None, fmt: str | None) -> str:
    """The format to write: `fmt` when given, else the one the name implies. ZslError for an
    unknown format, or one that contradicts the name's extension (a .csv holding JSON could not
    be read back)."""
    if fmt is None:
        return format_from_path(path)
    given = fmt.lower()  # as for extensions: -f JSONL as -o x.JSONL
    fmt = FORMAT_ALIASES.get(given, given)
    if fmt not in FORMATS:
        close = difflib.get_close_matches(fmt, [*FORMATS, *FORMAT_ALIASES], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        choices = ", ".join(FORMATS)
        raise ZslError(f"{option_given('--format', given)}: choose one of {choices}{hint}")
    suffix = Path(path).suffix.lower() if path is not None and str(path) != "-" else ""
    implied = EXTENSION_FORMATS.get(suffix)
    written = "json" if fmt == "label-studio" else fmt
    if path is not None and implied is not None and implied != written:
        raise ZslError(
            f"--format {given} writes {written.upper()}, but the output {quoted(path)} is named "
            f"{suffix}: name it .{written} or leave --format out"
        )
    return fmt


# ---------------------------------------------------------------------------------------------
# Encoding records


def _score_text(score: float | None) -> str:
    return "" if score is None else _float_texts([format(float(score), SCORE_FORMAT)])[0]


def _float_texts(texts: list[str]) -> list[str]:
    """Scores' 7 significant digits as floats' text: a whole number ("1", "0") gets ".0", as
    JSON writes it, so that a CSV whose scores are all whole reads as floats (pandas, DuckDB,
    which took such a column for integers) as every other does; "nan", "inf" and exponents
    ("1e-09") read as floats already. A list at a time: a ranking of every class is long."""
    return [t if "." in t or "e" in t or "n" in t else t + ".0" for t in texts]


def _record_fields(prediction: Prediction) -> dict[str, Any]:
    """A prediction's record as JSON holds it, but for its ranking ("top_k": `_RecordText` puts
    it in the record's text)."""
    return {
        "path": path_to_text(prediction.path),
        "label": prediction.label,
        "score": None if prediction.score is None else written_score(prediction.score),
        "top_k": [],
        "status": prediction.status,
        "error": prediction.error,
    }


def _columns(ranking: Sequence[LabelScore]) -> tuple[Sequence[str], list[str]]:
    """A ranking's labels and its scores as written (`_score_text`). With every class kept
    (--top-k 0) rankings are long: from a RankedScores, this makes no LabelScore per class and
    formats every score in one call."""
    if isinstance(ranking, RankedScores):
        scores = ranking.scores.tolist()
        texts = ((_SCORE_FIELD + "\0") * len(scores)).format(*scores).split("\0")[:-1]
        return ranking.labels, _float_texts(texts)
    return [choice.label for choice in ranking], [_score_text(choice.score) for choice in ranking]


_SCORE_FIELD = "{:" + SCORE_FORMAT + "}"


class _RecordText:
    """A prediction's record as JSON text: what json.dumps writes for it as a dict whose ranking
    is a list of {"label": ..., "score": ...}, made without those dicts. With every class kept
    (--top-k 0) they took 0.55 ms a row at 200 classes on the 2-core machine, which bounded zsl on
    a GPU, where rows are written by its one main thread; here each label's
    '{"label": ..., "score": ' is encoded once per run."""

    def __init__(self) -> None:
        self._heads = _LabelHeads()

    def __call__(self, prediction: Prediction) -> str:
        text = _json_text(_record_fields(prediction))
        return self.with_ranking(text, "top_k", prediction.top_k)

    def with_ranking(self, text: str, key: str, ranking: Sequence[LabelScore]) -> str:
        """`text`, JSON whose `key` holds an empty list, with `ranking` in that list."""
        if not ranking:
            return text
        # The first '"key": []' is the key's: inside a JSON string every '"' is escaped.
        return text.replace(f'"{key}": []', f'"{key}": ' + self._top_k(ranking), 1)

    def _top_k(self, ranking: Sequence[LabelScore]) -> str:
        labels, texts = _columns(ranking)
        heads = map(self._heads.__getitem__, labels)
        return "[" + "}, ".join(map(str.__add__, heads, _json_numbers(texts))) + "}]"


def _json_numbers(texts: list[str]) -> list[str]:
    """Scores as written (`_score_text`) -> as json.dumps writes the floats they stand for."""
    joined = "\0".join(texts)
    # The long way: NaN and the infinities, 1e7 or more, None, and below 1e-299 (subnormal
    # floats, below 1e-307, have fewer digits: their repr may be shorter).
    if "n" in joined or "e+" in joined or _BELOW_1E_299.search(joined) or "" in texts:
        return [_json_text(None if text == "" else float(text)) for text in texts]
    # json.dumps writes a float as its repr, the shortest decimal that reads back as it: for a
    # decimal of 7 digits or fewer, the decimal itself, with an exponent below 1e-4 as format's
    # 'g' writes it, and a whole number with ".0", as `_float_texts` writes it. float() and
    # repr() took 1.5 us a score, most of a long ranking's time.
    return texts


_BELOW_1E_299 = re.compile(r"e-3\d\d")


class _LabelHeads(dict[str, str]):
    """label -> the JSON text of a ranked choice up to its score, made on first use."""

    def __missing__(self, label: str) -> str:
        head = self[label] = '{"label": ' + _json_text(label) + ', "score": '
        return head


# What json.dumps leaves raw even so: DEL and the C1 controls (U+009B is a whole CSI, the start
# of an escape sequence, on a terminal that reads 8-bit controls: `zsl label -f jsonl` prints
# there), the line breaks that str.splitlines() (and JavaScript before ES2019) ends a line at,
# and the bidi controls (a file name's U+202E turned the rest of its line round where shown).
_RAW_IN_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def _json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON that keeps names readable (ensure_ascii=False), with every control character and
    line break escaped (\\u009b): the same text read back, and nothing a terminal acts on."""
    text = json.dumps(value, ensure_ascii=False, indent=indent, default=str)
    # Nearly always none (isascii() is a flag of the string; DEL is ASCII): the search cost
    # 3 us a record, and sub() would copy the text.
    if (text.isascii() and "\x7f" not in text) or _RAW_IN_JSON.search(text) is None:
        return text
    return _RAW_IN_JSON.sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _json_bytes(value: Any, *, indent: int | None = None) -> bytes:
    return _utf8(_json_text(value, indent=indent))


def _utf8(json_text: str) -> bytes:
    # A lone surrogate (undecodable file name byte) cannot be encoded as UTF-8 and becomes the
    # JSON escape \udcXX, which json.loads turns back into it.
    return json_text.encode("utf-8", errors="backslashreplace")


def _json_record(json_text: str, path: str, not_utf8: NotUtf8Rows) -> bytes:
    """A record's JSON text as `_utf8` encodes it, noted in `not_utf8` where it is not UTF-8."""
    return not_utf8.encoded(json_text, path, "backslashreplace")


def _without_surrogates(text: str) -> str:
    """Undecodable bytes (lone surrogates) shown as U+FFFD, the rest unchanged."""
    if not has_surrogates(text):
        return text
    try:
        raw = text.encode("utf-8", errors="surrogateescape")  # back to the original bytes
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        raw = text.encode("utf-8", errors="surrogatepass")
    return raw.decode("utf-8", errors="replace")


# How JSON and JSON Lines hold a name's undecodable bytes (CSV: files.CSV_NOT_UTF8).
_JSON_NOT_UTF8 = (
    "as \\udcXX escapes: pandas and DuckDB refuse such a file (jq reads them as U+FFFD); read "
    "it with Python's json module (in pandas: DataFrame(records, dtype=object)), or rename the "
    "files (e.g. with convmv)"
)


class FormulaCells:
    """The cells of a CSV output that a spreadsheet runs as a formula (`FORMULA_STARTS`): how
    many, and the first. Written as they are, since zsl's readers and scripts read the exact names
    back; a warning says how to open the file instead. Of a prediction's cells, the path and the
    error: a label or a ranking starts with a class name, which the class file's warning names
    (`classes.formula_name_warnings`), with its own advice (rename the class)."""

    def __init__(self) -> None:
        self.count = 0
        self.first = ""

    def note(self, cell: str) -> None:
        if cell.startswith(FORMULA_STARTS):
            if not self.count:
                self.first = cell
            self.count += 1

    def warnings(self, output: str) -> list[str]:
        """One warning for `output` (its name in messages) where it holds such cells."""
        if not self.count:
            return []
        start = "starts" if self.count == 1 else "start"
        return [
            f"{counted(self.count, 'cell')} of {printable(output)} {start} with =, +, -, @, a tab "
            "or a carriage return (first: "
            f"'{printable_text(self.first)}'), which Excel, LibreOffice and Google Sheets run as a "
            "formula when they open the file: import it with its columns as text instead (zsl "
            "and pandas read it as written)"
        ]


class _Encoder(Protocol):
    """Turns a run's parts into bytes: header at open, one record per prediction, footer."""

    run_info_inside: bool  # True when the footer holds the run info (no sidecar)
    not_utf8: NotUtf8Rows  # the records written whose text is not valid UTF-8
    formulas: FormulaCells  # the cells written that a spreadsheet runs as formulas (CSV only)

    def header(self) -> bytes: ...

    def record(self, prediction: Prediction) -> bytes: ...

    def footer(self, run_info: dict) -> bytes: ...


class _AtTerminal:
    """An encoder's rows as shown at a terminal whose encoding is not UTF-8 (`_terminal_encoding`),
    as messages are on stderr (`formatting.encodable`): in that encoding, a character it cannot
    hold written \\u00e9 (in JSON, `json_text`, as JSON escapes it: \\ud83d\\ude00 for
    \\U0001f600, so that a record copied off the screen reads back the same). In UTF-8, a Latin-1
    terminal read a letter's second byte as a C1 control: Û is C3 9B, and 9B a CSI, so a file
    named "Û2J.png" cleared the screen, and Ý (C3 9D) started an OSC that set the window title.
    The control characters of the text itself are the format's to escape (CSV's `for_terminal`,
    JSON's own escapes)."""

    def __init__(self, encoder: _Encoder, encoding: str, *, json_text: bool) -> None:
        self._encoder = encoder
        self._encoding = encoding
        self._json_text = json_text
        self.run_info_inside = encoder.run_info_inside
        self.not_utf8 = encoder.not_utf8
        self.formulas = encoder.formulas

    def header(self) -> bytes:
        return self._shown(self._encoder.header())

    def record(self, prediction: Prediction) -> bytes:
        return self._shown(self._encoder.record(prediction))

    def footer(self, run_info: dict) -> bytes:
        return self._shown(self._encoder.footer(run_info))

    def _shown(self, data: bytes) -> bytes:
        return _shown_at_terminal(data, self._encoding, json_text=self._json_text)


def _shown_at_terminal(data: bytes, encoding: str | None, *, json_text: bool = False) -> bytes:
    """Rows written as UTF-8 `data`, as a terminal of `encoding` is to be sent them (see
    `_AtTerminal`); unchanged where that is UTF-8 or None (no terminal)."""
    if encoding is None or encoding == "utf-8":
        return data
    # Rows shown at a terminal hold no undecodable bytes (CSV shows them as \\xNN, JSON as
    # \\udcXX); a surrogate escape would be written \\xNN (\\udcXX in JSON) all the same.
    text = data.decode("utf-8", "surrogateescape")
    if json_text:
        return text.encode(encoding, _JSON_ESCAPED)
    return encodable(text, encoding).encode(encoding)


def _json_escaped(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return json.dumps(error.object[error.start : error.end])[1:-1], error.end


_JSON_ESCAPED = "zsl-json-escape"
codecs.register_error(_JSON_ESCAPED, _json_escaped)


def _terminal_encoding(
    sink: StreamSink | AtomicFileSink,
    output: str | os.PathLike[str] | None = None,
    stdout: IO[bytes] | IO[str] | None = None,
) -> str | None:
    """The encoding of the terminal `sink` writes to (`output` and `stdout` as `open_sink` was
    given them), as codecs names it ("utf-8", "iso8859-1"); None where it is no terminal. That of
    the text stream the rows go through, as stderr's messages are written in its own (the
    locale's, UTF-8 in UTF-8 mode, or PYTHONIOENCODING's); for a bytes stream or a terminal named
    as the output (-o /dev/tty), sys.stdout's, else the locale's."""
    if not sink.is_terminal():
        return None
    to_stdout = output is None or str(output) == "-"
    stream = stdout if to_stdout and stdout is not None else sys.stdout
    if to_stdout and hasattr(stream, "encoding") and getattr(stream, "buffer", None) is None:
        # A text stream without bytes underneath (redirect_stdout) takes the rows as text, which
        # it encodes itself: `open_sink` hands it the UTF-8 bytes decoded.
        return "utf-8"
    encoding = getattr(stream, "encoding", None) or locale.getpreferredencoding(False)
    try:
        return codecs.lookup(encoding).name
    except LookupError:  # a caller's stream naming no codec Python has
        return "utf-8"


class _CsvEncoder:
    """CSV rows. `for_terminal`: cells shown as `printable_text` shows text in messages, control
    characters as \\x1b, \\n, \\t, ... and bytes that are not UTF-8 as \\xNN, as GNU ls shows
    names at a terminal: a received photo named "x\\x1b]0;T\\x07.png" (or an error text kept in
    a store) would otherwise set the window title, clear the screen or write the clipboard
    (`_AtTerminal` then writes them in the terminal's encoding). Files and pipes get the text
    exactly, which a program reading them needs."""

    run_info_inside = False

    def __init__(self, *, for_terminal: bool = False) -> None:
        self._lines = CsvLines()
        self._for_terminal = for_terminal
        self.not_utf8 = NotUtf8Rows(CSV_NOT_UTF8)
        self.formulas = FormulaCells()

    def _row(self, values: Iterable[str], path: str = "") -> bytes:
        if self._for_terminal:
            values = map(printable_text, values)  # which shows undecodable bytes as \xNN
        # surrogateescape writes undecodable file-name bytes back as the original bytes.
        return self.not_utf8.encoded(self._lines.line(values), path, "surrogateescape")

    def header(self) -> bytes:
        return self._row(CSV_COLUMNS)

    def record(self, prediction: Prediction) -> bytes:
        labels, scores = _columns(prediction.top_k)
        path = path_to_text(prediction.path)
        # Not at a terminal: rows shown there are read, not opened in a spreadsheet.
        if not self._for_terminal:
            self.formulas.note(path)
            self.formulas.note(prediction.error)
        return self._row(
            (
                path,
                prediction.label,
                _score_text(prediction.score),
                TOP_K_SEPARATOR.join(labels),
                TOP_K_SEPARATOR.join(scores),
                prediction.status,
                prediction.error,
            ),
            prediction.path,
        )

    def footer(self, run_info: dict) -> bytes:
        return b""


class _JsonlEncoder:
    run_info_inside = False

    def __init__(self) -> None:
        self._text = _RecordText()
        self.not_utf8 = NotUtf8Rows(_JSON_NOT_UTF8)
        self.formulas = FormulaCells()  # JSON: no spreadsheet opens it

    def header(self) -> bytes:
        return b""

    def record(self, prediction: Prediction) -> bytes:
        return _json_record(self._text(prediction), prediction.path, self.not_utf8) + b"\n"

    def footer(self, run_info: dict) -> bytes:
        return b""


class _JsonListEncoder:
    """A JSON document whose list of records is written one record per line as they arrive."""

    def __init__(self) -> None:
        self._first = True

    def _item(self, encoded: bytes) -> bytes:
        separator = b"\n" if self._first else b",\n"
        self._first = False
        return separator + encoded

    def _end_of_list(self) -> bytes:
        return b"]" if self._first else b"\n]"


class _JsonEncoder(_JsonListEncoder):
    run_info_inside = True

    def __init__(self) -> None:
        super().__init__()
        self._text = _RecordText()
        self.not_utf8 = NotUtf8Rows(_JSON_NOT_UTF8)
        self.formulas = FormulaCells()  # JSON: no spreadsheet opens it

    def header(self) -> bytes:
        return b'{"predictions": ['

    def record(self, prediction: Prediction) -> bytes:
        return self._item(_json_record(self._text(prediction), prediction.path, self.not_utf8))

    def footer(self, run_info: dict) -> bytes:
        return self._end_of_list() + b',\n"run": ' + _json_bytes(run_info) + b"}\n"


class _LabelStudioEncoder(_JsonListEncoder):
    """One task per image; failed and abstained ("unknown") images get a task without predictions.

    The image URL is under the options' `data_key` (`image` unless the project's Image tag reads
    another). The whole zsl record is kept in the task's data under `zsl_*` keys (Label Studio
    shows them as Data Manager columns: filter by zsl_status or zsl_label, sort by zsl_score) and
    is what `readers.read_predictions` reads back, whatever the image's key.

    Label Studio cannot store text with lone surrogates (its task list then fails with HTTP 500
    for the whole project), so undecodable file-name bytes are shown as U+FFFD in every string of
    a task, and the exact path of such a file is kept, percent-encoded, in `zsl_path_quoted`.
    """

    run_info_inside = False

    def __init__(self, options: LabelStudioOptions) -> None:
        super().__init__()
        self._options = options
        self._text = _RecordText()
        # Never noted: tasks show such bytes as U+FFFD and keep the path in zsl_path_quoted.
        self.not_utf8 = NotUtf8Rows("")
        self.formulas = FormulaCells()  # JSON: no spreadsheet opens it

    def header(self) -> bytes:
        return b"["

    def record(self, prediction: Prediction) -> bytes:
        record = _record_fields(prediction)
        data = {
            self._options.data_key: label_studio_image_url(prediction.path, self._options),
            **{f"zsl_{key}": value for key, value in record.items()},
        }
        if has_surrogates(record["path"]):  # already path_to_text's
            data["zsl_path_quoted"] = quote(os.fsencode(prediction.path), safe="/")
        task: dict[str, Any] = {"data": data}
        if prediction.ok and prediction.label not in ("", UNKNOWN_LABEL):
            result = {
                "from_name": self._options.from_name,
                "to_name": self._options.to_name,
                "type": "choices",
                "value": {"choices": [prediction.label]},
            }
            task["predictions"] = [
                {
                    "model_version": self._options.model_version,
                    "score": record["score"],
                    "result": [result],
                }
            ]
        text = self._text.with_ranking(_json_text(task), "zsl_top_k", prediction.top_k)
        return self._item(_without_surrogates(text).encode("utf-8"))

    def footer(self, run_info: dict) -> bytes:
        return self._end_of_list() + b"\n"


def write_json_file(output: str | os.PathLike[str], value: Any) -> None:
    """A JSON document written as `write_file` does."""
    write_file(output, _json_bytes(value, indent=2) + b"\n")


PROMPT_COLUMNS = ("class", "weight", "prompt")
PROMPT_ROWS_WRITTEN_AT_ONCE = 4096  # 1.6 million (20,000 classes of 80 templates) in blocks


def write_class_prompts(
    sink: StreamSink | AtomicFileSink, prompts: Iterable[tuple[str, float, str]]
) -> FormulaCells:
    """`label --show-prompts`: each (class, weight, prompt) as a CSV row under PROMPT_COLUMNS,
    as the predictions' CSV is written: the text itself for a program, and on a terminal control
    characters escaped (a descriptor's line break shows as \\n, not as a new row). The sink is
    left for the caller to publish. Returned: the prompt cells written that a spreadsheet runs
    as formulas (a template `=...{}`), for the caller to warn of."""
    encoding = _terminal_encoding(sink)
    terminal = encoding is not None
    shown = printable_text if terminal else str
    formulas = FormulaCells()
    lines = CsvLines()
    rows = [lines.line(PROMPT_COLUMNS)]
    for name, weight, prompt in prompts:
        # Rows at a terminal are read, not opened in a spreadsheet. A class name's own warning
        # (`classes.formula_name_warnings`) covers the rows of that class; a weight is a number
        # to a spreadsheet, negative too.
        if not terminal and not name.startswith(FORMULA_STARTS):
            formulas.note(prompt)
        rows.append(lines.line(map(shown, (name, format(weight, SCORE_FORMAT), prompt))))
        if len(rows) == PROMPT_ROWS_WRITTEN_AT_ONCE:
            sink.write(_shown_at_terminal("".join(rows).encode(), encoding))
            rows.clear()
    sink.write(_shown_at_terminal("".join(rows).encode(), encoding))
    return formulas


# ---------------------------------------------------------------------------------------------
# Writer


class PredictionWriter:
    """Streams predictions in one format to stdout or to a file published atomically on close.

    Use as a context manager. Call `close(run_info)` at the end of a run and
    `close(run_info, complete=False)` when it is interrupted (finished work is kept). Leaving the
    block with an exception before `close` discards a file output (stdout gets nothing if no
    prediction was written: the header waits for the first one); leaving it normally without
    `close` closes with empty run info.
    """

    def __init__(self, sink: StreamSink | AtomicFileSink, encoder: _Encoder) -> None:
        self.count = 0
        self._sink = sink
        self._encoder = encoder
        self._closed = False
        self._started = False
        self.bytes_written = 0  # so far: the sidecar records it (see readers)

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._write(self._encoder.header())

    def __enter__(self) -> PredictionWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._closed:
            return
        if exc_type is None:
            self.close({})
        else:
            self.discard()

    def discard(self) -> None:
        """End without publishing: a file output is dropped and an older file there kept."""
        if not self._closed:
            self._closed = True
            self._sink.discard()

    def write(self, prediction: Prediction) -> None:
        if self._closed:
            raise ValueError("write() after close()")
        self._start()
        self._write(self._encoder.record(prediction))
        self._sink.record_done()
        self.count += 1

    def _write(self, data: bytes) -> None:
        self._sink.write(data)
        self.bytes_written += len(data)

    def close(self, run_info: dict, *, complete: bool = True) -> None:
        """Finish the output; `run_info` is recorded with `"complete": complete` added."""
        if self._closed:
            return
        self._closed = True
        info = {**run_info, "complete": complete}
        try:
            self._start()
            self._write(self._encoder.footer(info))
            sidecar = None
            if not self._encoder.run_info_inside:
                # The output's size tells a reader this run info from a stale one: an output
                # written over later (`zsl label ... > out.csv`) leaves an earlier run's sidecar.
                described = {**info, OUTPUT_BYTES_KEY: self.bytes_written}
                sidecar = _json_bytes(described, indent=2) + b"\n"
        except BaseException:  # Ctrl-C too: no temporary file is left behind
            self._sink.discard()
            raise
        self._sink.publish(sidecar)

    def not_utf8_warnings(self, output: str) -> list[str]:
        """A warning where rows written to `output` (its name in messages) are not valid UTF-8,
        which strict UTF-8 readers refuse: what they hold, and how to read or avoid them."""
        return self._encoder.not_utf8.warnings(output)

    def formula_warnings(self, output: str) -> list[str]:
        """A warning where cells written to `output` (its name in messages) are run as formulas
        by a spreadsheet that opens it (CSV only), and how to open it instead."""
        return self._encoder.formulas.warnings(output)


def open_writer(
    output: str | os.PathLike[str] | None,
    fmt: str,
    *,
    label_studio: LabelStudioOptions | None = None,
    stdout: IO[bytes] | IO[str] | None = None,
) -> PredictionWriter:
    """A writer for `output` (None or "-" = stdout, `stdout` or sys.stdout.buffer) in `fmt`."""
    if fmt not in FORMATS:
        raise ZslError(f"unknown output format {fmt!r}: use one of {', '.join(FORMATS)}")
    options = label_studio if label_studio is not None else LabelStudioOptions()
    if fmt == "label-studio":  # before anything is opened
        check_label_studio_options(options)
    # The sink first: rows printed at a terminal are shown otherwise. A JSON document holds its
    # run info (`_JsonEncoder.run_info_inside`); every other output has a sidecar.
    sink = open_sink(output, stdout, sidecar=fmt != "json")
    terminal = _terminal_encoding(sink, output, stdout)
    encoder: _Encoder
    if fmt == "csv":
        encoder = _CsvEncoder(for_terminal=terminal is not None)
    elif fmt == "jsonl":
        encoder = _JsonlEncoder()
    elif fmt == "json":
        encoder = _JsonEncoder()
    else:
        encoder = _LabelStudioEncoder(options)
    if terminal is not None and terminal != "utf-8":
        encoder = _AtTerminal(encoder, terminal, json_text=fmt != "csv")
    return PredictionWriter(sink, encoder)
