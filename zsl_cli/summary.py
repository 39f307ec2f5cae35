"""Terminal rendering: progress bars (tqdm) and end-of-run summaries (rich) on stderr, and the
reports that are `evaluate`'s and `hubness`'s output (on stdout, unless their JSON goes there).

Predictions never go through here.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import (
    MACRO_F1_NOTE,
    EvaluationResult,
    selective_left_out,
    selective_notes,
    selective_rows,
)
from zsl_cli.files import point_at_devnull, same_file, stdout_status
from zsl_cli.formatting import (
    MAX_EXAMPLES,
    clipped_middle,
    counted,
    encodable,
    failure_counts,
    fixed,
    grapheme_boundary,
    percent,
    printable,
    printable_text,
    some_names,
)
from zsl_cli.hubness import DEFAULT_K
from zsl_cli.metrics import SelectiveLabelling
from zsl_cli.records import STATUS_ENCODE_ERROR
from zsl_cli.store import stale_store_hint

if TYPE_CHECKING:  # api loads the model code: a renderer needs only its report's type
    from zsl_cli.api import HubnessReport

MAX_LABEL_ROWS = 10
MAX_LABEL_CHARS = 200  # of a label's name in the summary: the ends of a longer one show


def stderr_console() -> Console:
    return _console(sys.stderr, output=False)


def stdout_console() -> Console:
    """A console for a command's output. ZslError when stdout is closed (`>&-`): the output
    would have nowhere to go."""
    if sys.stdout is None or sys.stdout.closed:
        raise ZslError("stdout is closed: redirect it to a file (or /dev/null to drop the table)")
    return _console(sys.stdout, output=True)


def _console(stream: TextIO, *, output: bool) -> Console:
    # rich honours NO_COLOR itself; highlight=False keeps numbers in paths uncoloured. A file or a
    # pipe gets whole lines: rich would fit tables into 80 columns, cutting class names. No
    # markup: class names and paths may hold "[/]" or "[bold]"; styles come from `_line`. No
    # emoji codes either: rich would show a class or file named ":cat:" as a cat.
    terminal = stream.isatty()
    width = _terminal_width(stream) if terminal else 10_000
    # rich takes any stream for a terminal under FORCE_COLOR (even "0") or TTY_COMPATIBLE=1: a
    # report's table in a file or a pipe got escape codes. Those may colour diagnostics (a CI
    # log), never the command's output; on a terminal, rich decides (NO_COLOR, TERM=dumb).
    force_terminal = False if output and not terminal else None
    console = _Console(
        file=stream,
        highlight=False,
        soft_wrap=True,
        width=width,
        markup=False,
        emoji=False,
        force_terminal=force_terminal,
    )
    console.is_output = output
    return console


def _terminal_width(stream: TextIO) -> int | None:
    """None (rich's own: COLUMNS, else the terminal's) unless COLUMNS is 0, which Python's shutil
    reads as unset and rich as a width of 0, at which it printed nothing at all."""
    columns = os.environ.get("COLUMNS", "")
    if not columns.isdigit() or int(columns) > 0:
        return None
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80  # a pseudo-terminal's 0
    except (AttributeError, OSError, ValueError):  # a stream without a descriptor
        return 80


def _line(*parts: str | tuple[str, str]) -> Text:
    """Plain text whose (text, style) parts are styled."""
    return Text.assemble(*parts)


class _Console(Console):
    is_output = False  # the command's output (a report's table), not diagnostics

    def render_str(self, text: str, **options: Any) -> Text:
        # Escaped before the layout, so that a table's columns fit the escaped names.
        return super().render_str(self._encodable(text), **options)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return self._encodable(super()._render_buffer(buffer))

    def _encodable(self, text: str) -> str:
        """`text` with what the stream's encoding cannot hold (a class name on an ASCII or
        Latin-1 stdout: PYTHONIOENCODING, a locale without UTF-8 mode) escaped as `encodable`
        escapes it (caf\\u00e9; a byte that is not UTF-8 as \\xe9), rather than a
        UnicodeEncodeError."""
        return encodable(text, self.encoding)

    def on_broken_pipe(self) -> None:
        # rich exits with status 1, which means failed images under --strict; let the CLI end
        # with the status of a process killed by SIGPIPE instead.
        raise BrokenPipeError

    def _check_buffer(self) -> None:
        try:
            super()._check_buffer()
        except BrokenPipeError:
            raise
        except OSError as error:  # not a vanished reader (on_broken_pipe took that): EIO, ENOSPC
            del self._buffer[:]
            self.quiet = True
            point_at_devnull(self.file)
            if self.is_output:
                raise ZslError(f"cannot write to stdout: {error.strerror or error}") from error
            # Diagnostics that cannot be written (a full disk, a hung-up terminal) must not
            # turn a run whose output is written into a failure: they are dropped.


def shown_with_stderr(output: str | None) -> bool:
    """Whether predictions written to `output` (None or "-": stdout) go where stderr goes: to the
    terminal it shows, where a progress bar would run into their lines, each row printed after
    the bar's last redraw ("| 16/90 [00:00<00:00, 109.34img/s]path,label,score,..."); or to the
    same file or pipe (`> out.csv 2>&1`, nohup's nohup.out), where a progress line would land
    between the rows, the first above the header."""
    try:
        terminal = sys.stderr.isatty()
        if terminal and output is not None and os.path.realpath(output) == "/dev/tty":
            # The controlling terminal, which stat shows as a device of its own. Its process
            # group can be asked of it alone: of another terminal (2>/dev/pts/N), ENOTTY.
            os.tcgetpgrp(sys.stderr.fileno())
            return True
        if output is None or output == "-":
            shown = stdout_status()
            if terminal and shown is not None and not shown.st_ino:
                # Windows gives its console no inode number, so stat cannot tell it from a
                # pipe; but a process has one console, the one stderr (a terminal) shows.
                return sys.stdout.isatty()
        else:
            shown = os.stat(output)
        if shown is None:
            return False
        return same_file(shown, os.fstat(sys.stderr.fileno()))
    except (AttributeError, OSError, ValueError):  # no such file yet, a stream without one
        return False


# How often a stderr that shows no bar (a file, a pipe, TERM=dumb) is told how far a run is:
# often enough that a slow run is told from a hung one in its log, seldom enough that a
# 30,000-image run adds a few dozen lines; a run shorter than this prints what it did before.
LOG_EVERY_S = 60.0


class ProgressBar:
    """tqdm on an interactive terminal; on a stderr that takes no redraws (a file, a pipe, a
    CI log, TERM=dumb), a plain line at the first step done a minute into each bar, and after
    each minute more, as "encoding images: 4200 of 30000 (14%), 21.3 img/s, about 20 min left";
    nothing when quiet.
    `clock`: seconds, monotonic (a test's own)."""

    def __init__(self, quiet: bool = False, *, clock: Callable[[], float] = time.monotonic) -> None:
        # A terminal that rich takes for interactive: not one that shows redraws as text
        # (TERM=dumb) nor one said not to be a terminal (TTY_COMPATIBLE=0, TTY_INTERACTIVE=0).
        # Never a file, which FORCE_COLOR or TTY_INTERACTIVE=1 make rich take for one.
        interactive = sys.stderr.isatty() and stderr_console().is_interactive
        self._enabled = not quiet and interactive
        self._logged = not quiet and not interactive
        self._clock = clock
        self._every = LOG_EVERY_S
        self._bar: Any = None
        self._log: _LogState | None = None
        # One console for every line: after a write fails (a full disk) it stays quiet.
        self._console: Console | None = stderr_console() if self._logged else None

    def start(self, total: int, description: str) -> None:
        unit = "prompt" if "prompt" in description else "img"
        if self._logged:
            self._log = _LogState(total, description, unit, self._clock(), self._every)
        if not self._enabled:
            return
        from tqdm import tqdm

        self._bar = tqdm(
            total=total,
            desc=description,
            unit=unit,
            file=sys.stderr,
            leave=False,
            colour="green" if _colour_wanted(stderr_console()) else None,
            **_bar_size(sys.stderr),
        )

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.update(n)
        if self._log is not None and self._console is not None:
            line = self._log.advance(n, self._clock())
            if line is None:
                return
            # A full disk drops the line (see _Console). So does a reader gone from a pipe: a
            # line of progress must not end the run (`nohup zsl embed ... 2>&1 | tee log`, whose
            # tee went with the terminal); the summary's write ends it, killed by SIGPIPE.
            try:
                self._console.print(line, crop=False)
            except BrokenPipeError:
                self._console = None

    def stop(self) -> None:
        self._log = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class _LogState:
    """One bar's count and clock, for the plain lines that stand in for it."""

    def __init__(self, total: int, description: str, unit: str, now: float, every: float) -> None:
        self.total, self.description, self.unit = total, description, unit
        self.started, self.every = now, every
        self.due = now + every
        self.done = 0

    def advance(self, n: int, now: float) -> str | None:
        """The line to write now, if one is due."""
        self.done += n
        # None at the end: the summary says how the run went.
        if now < self.due or self.done >= self.total:
            return None
        self.due = now + self.every
        return self._line(now - self.started)

    def _line(self, elapsed: float) -> str:
        share = math.floor(100 * self.done / self.total)
        head = f"{self.description}: {self.done} of {self.total} ({share}%)"
        if not self.done or elapsed <= 0:
            return f"{head}, none yet after {elapsed:.0f} s"
        rate = self.done / elapsed
        left = (self.total - self.done) / rate
        return f"{head}, {_speed(rate, self.unit)}, {_time_left(left)}"


def _speed(rate: float, unit: str) -> str:
    """Items a second ("21.3 img/s"), or seconds an item below 0.1 a second ("12 s per image")."""
    if rate >= 0.1 or rate == 0:
        return f"{rate:.1f} {unit}/s"
    noun = "image" if unit == "img" else unit
    return f"{1 / rate:.0f} s per {noun}"


def _time_left(seconds: float) -> str:
    if seconds < 60:
        return "under a minute left"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} min left"
    return f"about {seconds / 3600:.1f} h left"


def _colour_wanted(console: Console) -> bool:
    """As rich decides for the tables: no colour under NO_COLOR, nor on a terminal that shows
    escape codes as text (TERM=dumb: Emacs' shell), nor where it is told there is no terminal
    (TTY_COMPATIBLE=0)."""
    return console.is_terminal and not console.no_color and not console.is_dumb_terminal


def _bar_size(stream: TextIO) -> dict[str, Any]:
    """tqdm's size arguments: the terminal's, read again at each redraw, unless it reports 0 rows
    or columns (a pseudo-terminal nobody sized: `script` or `docker run -t` started from no
    terminal). There tqdm drew no bar at 0 rows, and at 0 columns hung for ever trimming the
    coloured bar to -1; it gets 80 x 24 instead, as rich falls back to 80 columns."""
    try:
        columns, lines = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):  # a stream without a descriptor
        return {"dynamic_ncols": True}
    if columns and lines:
        return {"dynamic_ncols": True}
    # Less one, as tqdm's own sizes: a line as wide as the terminal wraps on some.
    return {"ncols": (columns or 80) - 1, "nrows": (lines or 24) - 1}


def render_label_summary(
    console: Console,
    summary: dict[str, Any],
    output: str,
    *,
    store: str | None = None,
    embed_options: str = "",
    config: str | None = None,
    none_labelled: bool = False,
    failed_examples: Sequence[tuple[str, str]] = (),
    run_info_inside: bool = False,
) -> None:
    """`summary` as the run info records it; `store`: the embedding store labelled from;
    `embed_options`: those with which `zsl embed` stores images as the run read them
    (`LabelReport.embed_options`, quoted for a shell);
    `config`: the Label Studio labelling config written beside the tasks; `none_labelled`: the
    run had images yet labelled none (`LabelReport.none_labelled`, the rule of its exit status
    1); `failed_examples`: (path, status) of the first images that failed
    (`LabelReport.failed_examples`); `run_info_inside`: the output holds its run info (a
    `--format json` document), which marks it incomplete on stdout too."""
    total, ok, failed = summary["total"], summary["ok"], summary["failed"]
    if none_labelled:
        console.print(none_labelled_line(summary, failed_examples))
    else:
        if summary["interrupted"]:
            verb = "Interrupted"
            what = f" after {total} of {counted(summary['inputs'], 'image')}, {ok} labelled,"
        else:
            verb, what = "Labelled", f" {ok} of {counted(total, 'image')}"
        what += f" in {summary['elapsed_s']:.1f} s"
        # A rate of failures alone, or of no image, says nothing; nor does one over less than a
        # second, where images decoded during the model's load: "4372.0 img/s" for 90 images.
        if total > failed and summary["processing_s"] >= 1.0:
            speed = _speed(summary["images_per_second"], "img")
            what += f" ({speed} once the model was loaded)"
        console.print(_line((verb, "bold"), what))
        if failed:
            why = _failures_named(summary, failed_examples)
            console.print(_line((f"{failed} failed", "yellow"), f": {why}"))
    hint = stale_store_hint(summary["by_status"], store, embed_options, "label again")
    if hint:
        console.print(f"hint: {hint}")
    labels: dict[str, int] = summary["labels"]
    if labels:
        top = list(labels.items())[:MAX_LABEL_ROWS]
        names = _clipped_labels([name for name, _ in top])
        rows = [
            [name, str(n), percent(n / max(ok, 1), digits=0)]
            for name, (_, n) in zip(names, top, strict=True)
        ]
        if len(labels) > MAX_LABEL_ROWS:
            rest = sum(list(labels.values())[MAX_LABEL_ROWS:])
            rows.append(
                [
                    f"... {counted(len(labels) - MAX_LABEL_ROWS, 'more label')}",
                    str(rest),
                    percent(rest / max(ok, 1), digits=0),
                ]
            )
        _print_named_rows(console, ["label", "images", "share"], rows)
    if summary["low_confidence"]:  # None where the run counts none (api._counts_low_confidence)
        console.print(
            f"{counted(summary['low_confidence'], 'prediction')} scored below "
            f"{summary['low_confidence_below']:g} (low confidence)"
        )
    if summary["interrupted"] and not total:
        if output == "stdout":  # not "as it was": a shell's `> out.csv` emptied that file
            console.print("Nothing written to stdout")
        else:
            console.print(f"Nothing written: {printable(output)} is as it was")
    else:
        note = _incomplete(summary, output, run_info_inside)
        console.print(f"Predictions: {printable(output)}{note}")
        if config is not None:
            console.print(f"Label Studio config: {printable(config)}")


def _clipped_labels(names: Sequence[str]) -> list[str]:
    """Labels' names as the summary's rows show them: clipped in the middle (`clipped_middle`:
    a name of thousands of characters filled the terminal), but where two of them then read
    alike (they differ only in what was left out), clipped around where they part as well, so
    that every row names its own class."""
    shown = [clipped_middle(name, MAX_LABEL_CHARS) for name in names]
    # Names clipped apart differ where they part; a bound all the same, for a name that holds
    # a cut's own marks and reads as another's cut.
    for _ in names:
        rows_of: dict[str, list[int]] = {}
        for index, text in enumerate(shown):
            rows_of.setdefault(text, []).append(index)
        alike = [rows for rows in rows_of.values() if len(rows) > 1]
        if not alike:
            break
        for rows in alike:
            parted = len(os.path.commonprefix([names[index] for index in rows]))
            for index in rows:
                shown[index] = _clipped_around(names[index], parted, MAX_LABEL_CHARS)
    return shown


def _clipped_around(text: str, at: int, limit: int) -> str:
    """`text` cut to about `limit` characters as `clipped_middle` cuts it, but keeping those
    around `at` too: its start, the part around `at` and its end, each cut marked."""
    if len(text) <= limit:
        return text
    quarter = limit // 4
    head = grapheme_boundary(text, quarter, forward=False)
    start = grapheme_boundary(text, max(head, at - quarter), forward=False)
    end = grapheme_boundary(text, min(len(text), at + quarter), forward=True)
    tail = grapheme_boundary(text, max(end, len(text) - quarter), forward=True)
    return (
        text[:head] + _left_out(head, start) + text[start:end] + _left_out(end, tail) + text[tail:]
    )


def _left_out(start: int, end: int) -> str:
    """The mark of a cut that leaves out text[start:end], as `clipped_middle` marks its own."""
    return f" ... [{end - start:,} characters left out] ... " if end > start else ""


def label_outputs_named(output: str, config: str | None) -> list[str]:
    """A label run's outputs as its summary's last lines name them."""
    named = [f"Predictions: {printable(output)}"]
    return named + ([f"Label Studio config: {printable(config)}"] if config is not None else [])


def embed_outputs_named(report: dict[str, Any], json_out: str | None) -> list[str]:
    """An embed run's outputs (`report` as --json writes it), named as its summary names them:
    the store, the export and its path index, and the --json FILE."""
    named = [f"store {printable_text(report['store'])}"] if report["scanned"] else []
    named += [f"export {printable_text(path)}" for path in report["exported_to"] or ()]
    return named + ([f"--json {printable(json_out)}"] if json_out else [])


def outputs_complete_line(what: str, complete: Sequence[str], *, interrupted: bool = False) -> str:
    """What a run that a stop signal ended once its outputs were in place says instead of
    `what` (its summary, its table): that `complete`, its outputs named as its summary names
    them, are this run's and whole. `interrupted`: `what` is itself output (a table on stdout)
    that was not written in full."""
    if interrupted:
        line = f"interrupted before {what} was written in full"
        return line + (f"; this run's {', '.join(complete)}: complete" if complete else "")
    line = f"stopped by a signal before {what} was shown in full"
    return line + (f"; the run is complete: {', '.join(complete)}" if complete else "")


def none_labelled_line(summary: dict[str, Any], failed_examples: Sequence[tuple[str, str]]) -> Text:
    """The line that says a label run labelled none of its images: how many, why, and the
    first of them; the summary's, and alone the reason a quiet run gives for its exit status 1."""
    total = summary["total"]
    # Said plainly: "Labelled 0 of 20 images (1498.0 img/s ...)" read as a fast run.
    every = f"all {counted(total, 'image')}" if total > 1 else "the one image"
    return _line(
        ("No image labelled", "bold yellow"),
        f": {every} failed {_failures_named(summary, failed_examples, parenthesised=True)}",
    )


def label_strict_line(
    summary: dict[str, Any], failed_examples: Sequence[tuple[str, str]], unreadable_folders: int
) -> Text:
    """Why a quiet label run exits 1 under --strict, in one line: the summary's count of the
    failed images with their reasons and first paths, and the folders that could not be read."""
    failed = summary["failed"]
    parts = []
    if failed:
        why = _failures_named(summary, failed_examples, parenthesised=True)
        parts.append(f"{failed} of {counted(summary['total'], 'image')} failed {why}")
    if unreadable_folders:
        parts.append(f"{counted(unreadable_folders, 'folder')} could not be read")
    return _line(("--strict", "yellow"), f": {'; '.join(parts)}")


def _failures_named(
    summary: dict[str, Any],
    failed_examples: Sequence[tuple[str, str]],
    *,
    parenthesised: bool = False,
) -> str:
    """A label run's failures by reason, then the first failed images (`_failed_named`)."""
    failures = failure_counts(summary["by_status"])
    if parenthesised:
        failures = f"({failures})"
    return failures + _failed_named(failed_examples, summary["failed"])


def _failed_named(examples: Sequence[tuple[str, str]], failed: int) -> str:
    """The first failed images, named on the line that counts the failures: "; a.jpg
    (truncated), b.png (not_an_image), ... (12 more)"; nothing where none are known."""
    if not examples:
        return ""
    named = [f"{printable_text(path)} ({status})" for path, status in examples]
    return f"; {some_names(named, MAX_EXAMPLES, total=failed)}"


def _incomplete(summary: dict[str, Any], output: str, run_info_inside: bool = False) -> str:
    """What the output line adds for an interrupted run's output: that it lacks images, and
    where that is marked (a file's run info, a JSON document's "run"; nothing but the exit
    status marks other rows on stdout)."""
    if not summary["interrupted"] or summary["total"] == summary["inputs"]:
        return ""
    held = f"{summary['total']} of {counted(summary['inputs'], 'image')}"
    if output == "stdout" and run_info_inside:
        return f' (incomplete: {held}; its "run" says "complete": false)'
    if output == "stdout":
        return f" (incomplete: {held}; only the exit status, 130, says so)"
    return f' (incomplete: {held}; its run info says "complete": false)'


def render_warnings(console: Console, warnings: Iterable[str]) -> None:
    """Each warning on a line, escaped as `printable_text` escapes a name: a warning that quotes
    a file's name unescaped must not send its escape sequences to the terminal, nor forge lines
    (escaped text is left as it is)."""
    for warning in warnings:
        console.print(_line(("warning", "yellow"), f": {clipped_middle(printable_text(warning))}"))


def render_evaluation(
    console: Console, result: EvaluationResult, max_rows: int | None = 20
) -> None:
    """Headline metrics, the worst classes first (`max_rows` of them; None: all), and the most
    common mistakes (not the warnings: see `render_warnings`)."""
    metrics = result.metrics
    console.print(
        _line(
            ("Evaluated", "bold"),
            f" {counted(metrics.n, 'image')} over {counted(len(metrics.classes), 'class')} "
            f"({metrics.failed} failed, {metrics.abstained} abstained)",
        )
    )
    for top in metrics.top_k:
        console.print(
            _line(
                f"  top-{top.k}: mean per-class {percent(top.mean_per_class)}, "
                f"overall {percent(top.overall)}",
                (f"  ({top.note})" if top.note else "", "dim"),
            )
        )
    # Which classes it averages, where some class is only predicted or some image abstained:
    # said on its line.
    scope = next((n for n in result.notes if n.startswith(MACRO_F1_NOTE)), "")
    console.print(
        _line(
            f"  macro F1: {fixed(metrics.macro_f1)}",
            (f"  ({scope.removeprefix(MACRO_F1_NOTE)})" if scope else "", "dim"),
        )
    )
    gzsl = result.gzsl
    if gzsl is not None:
        console.print(
            f"  GZSL: seen {percent(gzsl.seen)}, unseen {percent(gzsl.unseen)}, "
            f"harmonic mean {percent(gzsl.harmonic_mean)}"
        )
        if gzsl.calibrated is not None:
            cal = gzsl.calibrated
            console.print(
                f"  calibrated stacking: gamma {cal.gamma:.4g} -> seen {percent(cal.seen)}, "
                f"unseen {percent(cal.unseen)}, H {percent(cal.harmonic_mean)}; "
                f"AUSUC {fixed(cal.ausuc)}"
            )
        else:
            console.print(f"  calibrated stacking: not available ({gzsl.calibrated_reason})")
    rows = result.class_rows()
    shown = rows[:max_rows]
    cells = [
        [
            printable_text(row.name),
            str(row.support),
            percent(row.accuracy),
            percent(row.precision),
            fixed(row.f1),
        ]
        for row in shown
    ]
    if len(rows) > len(shown):
        cells.append([f"... {counted(len(rows) - len(shown), 'more class')}", "", "", "", ""])
    columns = ["class", "support", "accuracy", "precision", "F1"]
    _print_named_rows(console, columns, cells, title="Per class, worst first")
    if len(rows) > len(shown):
        console.print(
            _line(
                (
                    f"  (all {counted(len(rows), 'class')} show in a file or a pipe, such as "
                    "| less, and in --json)",
                    "dim",
                )
            )
        )
    mistakes = result.top_mistakes(limit=5)
    if mistakes:
        console.print(
            "Most common mistakes: "
            + "; ".join(
                f"{printable_text(true)} -> {printable_text(pred)} ({n})"
                for true, pred, n in mistakes
            )
        )
    unmatched = result.unmatched
    _render_unmatched(
        console,
        ("prediction", "without truth", unmatched.predictions, unmatched.prediction_examples),
        ("truth image", "without prediction", unmatched.truth, unmatched.truth_examples),
    )
    said = {top.note for top in metrics.top_k} | {scope}  # on their own lines already
    for note in (*result.notes, *(gzsl.notes if gzsl is not None else ())):
        if note not in said:
            console.print(_line((f"note: {note}", "dim")))
    if result.selective is not None and result.selective.available:
        _render_selective(console, result.selective, result.run_info)
    elif (why := selective_left_out(result.selective)) is not None:
        # In the words of the HTML report, which says it alike.
        console.print(_line(("Selective labelling", "bold"), f": {why}"))


def _render_selective(
    console: Console, selective: SelectiveLabelling, run_info: dict[str, Any] | None
) -> None:
    """Which `zsl label --threshold` keeps each share of the images, and how right what it
    keeps is: the table a labelling team picks its threshold from."""
    columns, cells = selective_rows(selective)
    _print_named_rows(
        console,
        columns,
        cells,
        title="Selective labelling (zsl label --threshold: a top score below it is labelled "
        "unknown)",
    )
    for line in selective_notes(selective, run_info):
        console.print(_line((f"  {line}", "dim")))


def _render_unmatched(console: Console, *sides: tuple[str, str, int, Sequence[str]]) -> None:
    """What stays unpaired between the images and the truth, if anything: one line counting
    each side ((noun, how it is unpaired, count, a few paths)), then a few paths of each."""
    if not any(count for _, _, count, _ in sides):
        return
    counts = ", ".join(f"{counted(count, noun)} {side}" for noun, side, count, _ in sides)
    console.print(_line(("Unmatched", "yellow"), f": {counts}"))
    # Which ones, so a path spelt two ways (a moved folder, another root) shows at once.
    for _, side, count, examples in sides:
        if count:
            named = [printable(path) for path in examples[:MAX_EXAMPLES]]
            console.print(f"  {side}: {some_names(named, MAX_EXAMPLES, count)}")


_NAMES_MIN_WIDTH = 16  # the narrowest column of class names worth a table


def _print_named_rows(
    console: Console,
    columns: list[str],
    rows: list[list[str]],
    *,
    title: str | None = None,
    wraps: int = 0,
    min_width: int = _NAMES_MIN_WIDTH,
) -> None:
    """A table of rows named by their first cell, where only the column `wraps` (names: classes,
    labels, hubs) may wrap, and a name longer than its column folds onto the next lines: cut
    short, two classes that differ at their ends ("..._variant_a", "..._variant_b") read alike.

    Every other column keeps its widest word, since a number, method or header word cut ("100…",
    "isoftm…", "suppo…") says nothing, and its whole header where the names then still fit on
    one line. Where that leaves the names fewer than `min_width` cells (or than their widest
    text, if narrower), each row is a line of its own: rich would drop the columns that do not
    fit.
    """
    names_width = max(cell_len(text) for text in (columns[wraps], *(row[wraps] for row in rows)))
    for headers in ([[column] for column in columns], [column.split() for column in columns]):
        widths = [
            max(cell_len(text) for text in (*words, *(row[index] for row in rows)))
            for index, words in enumerate(headers)
        ]
        others_width = sum(widths) - widths[wraps] + 2 * (len(columns) - 1)  # 2 spaces apart
        if others_width + names_width <= console.width:
            break
    if title is not None:
        # A line of its own, not the table's title: rich cut a title at the terminal's width
        # ("... the defau"), where the terminal wraps a line.
        console.print(title, style="italic")
    if others_width + min(names_width, min_width) > console.width:
        for name, *values in rows:
            cells = [
                f"{column} {value}"
                for column, value in zip(columns[1:], values, strict=True)
                if value
            ]
            console.print(f"{name}: {', '.join(cells)}" if cells else name)
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for index, column in enumerate(columns):
        table.add_column(
            column,
            justify="left" if index in (0, wraps) else "right",
            width=None if index == wraps else widths[index],
            overflow="fold" if index == wraps else "ellipsis",
        )
    for row in rows:
        table.add_row(*row[:wraps], _FoldedName(row[wraps]), *row[wraps + 1 :])
    _print_trimmed(console, table)


class _FoldedName:
    """A cell of names that folds a word wider than its column between grapheme clusters (see
    `grapheme_boundary`): rich's own fold cut a flag's two regional indicators apart (a letter
    at a line's end, the other on the next) and, on a stream that cannot hold the flag, an
    escape such as \\U0001f1ef in two. Lines break where rich breaks them otherwise, but for
    the spaces after a folded word, which rich carried to the next line (or a blank one)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.name)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # As rich renders a str cell: escaped for the stream by `_Console.render_str`.
        text = console.render_str(self.name, highlight=options.highlight, markup=options.markup)
        cuts = _line_breaks(text.plain, options.max_width)
        # Lines that fit: rich breaks none of them again.
        yield Text("\n").join(text.divide(cuts)) if cuts else text


# A word as rich's wrap takes it: with the white space after it (and, first, before it).
_WORD = re.compile(r"\s*\S+\s*")


def _line_breaks(text: str, width: int) -> list[int]:
    """Where rich's wrap (rich._wrap.divide_line) breaks `text` into lines of `width` cells:
    before a word that does not fit on the line, and in a word wider than a whole line, here
    between grapheme clusters."""
    breaks: list[int] = []
    used = 0  # cells of the line so far
    for word in _WORD.finditer(text):
        start, end = word.span()
        if used + cell_len(word.group().rstrip()) <= width:
            used += cell_len(word.group())
            continue
        if used and start:
            breaks.append(start)
        while cell_len(text[start:end].rstrip()) > width:
            fits = start + len(chop_cells(text[start:end], width)[0])
            cut = grapheme_boundary(text, fits, forward=False)
            if cut <= start:  # one cluster wider than a line: a line of its own
                # (past `start`: a character wider than the line leaves `fits` there)
                cut = grapheme_boundary(text, max(fits, start + 1), forward=True)
            if cut >= end:
                break
            breaks.append(cut)
            start = cut
        used = cell_len(text[start:end])
    return breaks


def _print_trimmed(console: Console, renderable: Table) -> None:
    """Print `renderable` without the spaces that end its lines: rich pads every cell to its
    column's width, the last column's too, and diffs and copied tables carry those spaces along.
    What precedes them keeps its place, so the columns stay aligned."""
    options = console.options
    if console.soft_wrap:  # as print lays it out: a file's wide table
        options = options.update(no_wrap=True, overflow="ignore")
    for line in console.render_lines(renderable, options, pad=False):
        while line and not line[-1].control:
            text, style, control = line[-1]
            if text.rstrip(" "):
                line[-1] = Segment(text.rstrip(" "), style, control)
                break
            line.pop()
        # A renderable's segments are printed as they are: print's `end` would not follow them.
        console.print(Segments([*line, Segment.line()]), end="")


_TOP_HUBS_MIN_WIDTH = 20  # the narrowest "top hubs" column worth a table


_HUBNESS_ACCURACY_COLUMNS = (
    ("mean_per_class", "accuracy"),
    ("seen_mean_per_class", "seen acc."),
    ("unseen_mean_per_class", "unseen acc."),
    ("harmonic_mean", "H"),
)


def render_hubness(console: Console, report: HubnessReport) -> None:
    """One row per method: skewness, hubs, antihubs, Robin Hood index, accuracy if known."""
    k = f"k = {report.k}"
    if report.k_requested is None and report.k != DEFAULT_K:
        k += ", a quarter of the classes: the default under 40 classes"
    elif report.k_requested is not None and report.k != report.k_requested:
        k += f", not {report.k_requested}: at most the number of classes less one"
    title = f"Hubness of {report.n_classes} classes over {report.n_images} images ({k})"
    accuracies = [m.accuracy or {} for m in report.methods.values()]
    # Each accuracy some method has; a seen list brings the seen, unseen and H of its split.
    shown = [
        (key, column)
        for key, column in _HUBNESS_ACCURACY_COLUMNS
        if any(key in accuracy for accuracy in accuracies)
    ]
    columns = ["method", "skewness", "hub occupancy", "antihubs", "Robin Hood", "top hubs"]
    columns += [column for _, column in shown]
    rows = []
    for (name, m), accuracy in zip(report.methods.items(), accuracies, strict=True):
        hubs = ", ".join(f"{hub.class_name} ({hub.n_k})" for hub in m.top_hubs[:3]) or "-"
        row = [
            name,
            f"{m.skewness:.2f}",
            percent(m.hub_occupancy),
            percent(m.antihub_rate),
            f"{m.robin_hood:.2f}",
            hubs,
        ]
        row += [percent(accuracy.get(key)) for key, _ in shown]
        rows.append(row)
    wraps = columns.index("top hubs")
    _print_named_rows(
        console, columns, rows, title=title, wraps=wraps, min_width=_TOP_HUBS_MIN_WIDTH
    )
    if report.hub_threshold > report.n_images:
        # Hub occupancy 0% everywhere would read as no hubs, where it is the k chosen.
        largest_k = report.largest_hub_k
        images = counted(report.n_images, "image")
        advice = f"-k {largest_k} or less counts hubs" if largest_k >= 1 else "too few classes"
        console.print(
            f"No class can be a hub at k = {report.k}: a hub's N_k is "
            f"{report.hub_threshold:.4g} or more, over the {images}; {advice}."
        )
    if report.failed_images:
        failed = counted(report.failed_images, "image")
        by_status = failure_counts(report.failed_by_status)
        console.print(_line((f"{failed} failed", "yellow"), f": {by_status}" if by_status else ""))
    if shown and report.images_with_truth is not None:
        # Hubness covers every readable image; accuracy only those the truth names.
        in_truth = report.failed_images_with_truth
        counted_wrong = f" ({in_truth} failed, counted wrong)" if in_truth else ""
        images = counted(report.images_with_truth, "image")
        console.print(
            f"Accuracy: mean per-class top-1 over the {images} in the truth{counted_wrong}"
        )
    if report.unmatched is not None:
        unmatched = report.unmatched
        _render_unmatched(
            console,
            ("image", "without truth", unmatched.predictions, unmatched.prediction_examples),
            ("truth image", "not measured", unmatched.truth, unmatched.truth_examples),
        )
    console.print(report.recommendation)


def render_embed_summary(
    console: Console,
    report: dict[str, Any],
    *,
    failed_retried: int = 0,
    none_usable: bool = False,
) -> None:
    """`report` as --json writes it; `failed_retried`: how many of its failures the next run
    reads again (`EmbedReport.failed_retried`); `none_usable`: none of the images found has an
    embedding in the store (`EmbedReport.none_usable`), which is said last, as the exit status
    1 it brings."""
    if not report["scanned"]:  # no paths given: an export of the store, nothing else
        _render_export(console, report, f" from {printable_text(report['store'])}")
        return
    verb = "Interrupted embedding into" if report["interrupted"] else "Embedded into"
    failed = report["failed"]
    console.print(
        _line(
            (verb, "bold"),
            f" {printable_text(report['store'])} in {report['elapsed_s']:.1f} s: "
            f"{counted(report['found'], 'image')} found, {report['encoded']} encoded, "
            f"{report['reused']} reused, {report['removed']} removed"
            # Stored images of a missing or empty path (its warning says why and what to do).
            + (f", {report['kept']} kept" if report.get("kept") else ""),
        )
    )
    if failed:
        unembedded = report["failed_by_status"].get(STATUS_ENCODE_ERROR, 0)
        # An encode_error was read, but the model made no usable embedding of it.
        what = (
            "read" if not unembedded else "embedded" if unembedded == failed else "read or embedded"
        )
        console.print(
            _line(
                (f"{failed} could not be {what}", "yellow"),
                f" ({failure_counts(report['failed_by_status'])}): stored as failed"
                + _when_read_again(failed, failed_retried)
                + _failed_named(
                    [(item["path"], item["status"]) for item in report.get("failed_files", ())],
                    failed,
                ),
            )
        )
    if report["reused_failed"]:
        console.print(
            _line(
                (f"stored failures among those reused: {report['reused_failed']}", "yellow"),
                " (retried once their files change)"
                + _failed_named(
                    [
                        (item["path"], item["status"])
                        for item in report.get("reused_failed_files", ())
                    ],
                    report["reused_failed"],
                ),
            )
        )
    if report["unreachable"]:
        unreachable = report["unreachable_files"]
        by_status = Counter(item["status"] for item in unreachable)
        console.print(
            _line(
                (f"{counted(report['unreachable'], 'path')} could not be read at all", "yellow"),
                f" (not stored): {failure_counts(by_status)}",
            )
        )
        for item in unreachable[:MAX_EXAMPLES]:
            # The path as --json writes it: the name's bytes read as UTF-8.
            console.print(f"  {printable_text(item['path'])}: {item['reason']}")
        if len(unreachable) > MAX_EXAMPLES:
            console.print(f"  ... {len(unreachable) - MAX_EXAMPLES} more in --json")
    if none_usable:
        console.print(none_embedded_line(report))
    _render_export(console, report)


def none_embedded_line(report: dict[str, Any], *, alone: bool = False) -> Text:
    """The line that says an embed run left none of the images it found usable (`report` as
    --json writes it); `alone`: the reason a quiet run gives for its exit status 1, which adds
    the reasons and first paths that the summary's lines above it give."""
    found = counted(report["found"], "image")
    why = ""
    if alone:
        # The reasons of the summary's lines: this run's failures, those stored by an earlier
        # one, and the paths not read at all.
        reasons = [failure_counts(report["failed_by_status"])]
        if report["reused_failed"]:
            reasons.append(f"{counted(report['reused_failed'], 'stored failure')} reused")
        if report["unreachable"]:
            by_status = Counter(item["status"] for item in report["unreachable_files"])
            reasons.append(f"not read at all: {failure_counts(by_status)}")
        why = f" ({'; '.join(reason for reason in reasons if reason)})"
        why += _failed_named(
            [(item["path"], item["status"]) for item in report.get("failed_files", ())],
            report["failed"],
        )
    return _line(
        ("No image embedded", "bold yellow"), f": none of the {found} found can be used{why}"
    )


def _when_read_again(failed: int, retried: int) -> str:
    """When a run reads again the files this one stored as failed."""
    if retried == failed:
        return ", read again by the next run"
    if not retried:
        their = "its file changes" if failed == 1 else "their files change"
        return f", not read again until {their}"
    return f"; {retried} read again by the next run, the others once their files change"


def _render_export(console: Console, report: dict[str, Any], source: str = "") -> None:
    if report["exported"] is not None:
        matrix, *index = map(printable_text, report["exported_to"])
        where = f" (their paths in {index[0]})" if index else ""
        exported = counted(report["exported"], "embedding")
        console.print(f"Exported {exported}{source} to {matrix}{where}")
    not_exported = report.get("not_exported")
    if not_exported:  # an interrupted run: a file at that path is not what the store holds now
        path = printable_text(not_exported["path"])
        left = (
            f"{path} is an earlier run's, left as it was"
            if not_exported["earlier_file"]
            else f"nothing written to {path}"
        )
        console.print(
            _line(
                ("Not exported", "yellow"),
                f" (interrupted before the export): {left}; run again to export",
            )
        )
