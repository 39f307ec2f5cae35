"""Report files for `zsl evaluate`: a self-contained HTML page or a PNG figure.

The HTML page needs nothing beyond the standard library (inline CSS, tables, bars and an inline
SVG curve), so it works without the optional extra. The PNG needs matplotlib
(`pip install 'zsl-cli[report]'`), imported only when a PNG is asked for.
"""

from __future__ import annotations

import html
import importlib.util
import io
import logging
import os
import re
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TextIO

import numpy as np

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import (
    EvaluationResult,
    GzslResult,
    selective_left_out,
    selective_notes,
    selective_rows,
)
from zsl_cli.files import refuse_folder_output, write_file
from zsl_cli.formatting import (
    counted,
    failure_counts,
    fixed,
    grapheme_boundary,
    percent,
    printable,
    printable_text,
)
from zsl_cli.metrics import (
    FAILED,
    UNKNOWN,
    ClassStats,
    Confusion,
    SelectiveLabelling,
    worst_first,
)
from zsl_cli.process_settings import SharedOverride, warning_filters_held

MATRIX_CLASSES = 30  # beyond this many classes the heat map shows the worst ones only
BAR_CLASSES = 60  # the PNG's per-class bars show at most this many (worst first)
CURVE_POINTS = 1000  # the HTML curve is drawn through at most about this many points
OTHER = "other classes"


def check_report_path(path: str | os.PathLike[str]) -> None:
    """Raise ZslError unless `path` names a report type we can write (call before any work)."""
    if os.fspath(path) == "-":  # stdout: the table's place, and no name tells the type
        raise ZslError("--report -: a report is a file, its type told by its name (.html or .png)")
    refuse_folder_output(path, os.path.isdir(path))  # not an "unknown report type" '(none)'
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in (".html", ".htm", ".png"):
        raise ZslError(
            f"{printable(os.fspath(path))}: unknown report type {suffix or '(none)'!r}; "
            "use .html or .png"
        )
    # Found, not imported: what matplotlib logs on its import is the drawing's to report.
    if suffix == ".png" and importlib.util.find_spec("matplotlib") is None:
        raise ZslError(_NEEDS_MATPLOTLIB)


def write_report(result: EvaluationResult, path: str | os.PathLike[str]) -> list[str]:
    """Write `result` as .html (self-contained page) or .png (matplotlib figure); return what
    went wrong in drawing it (characters a PNG's font lacks), one warning each."""
    check_report_path(path)
    if not os.fspath(path).lower().endswith(".png"):
        write_file(path, render_html(result).encode("utf-8"))
        return []
    data, problems = render_png(result)
    write_file(path, data)
    return [f"report {printable(os.fspath(path))}: {problem}" for problem in problems]


def confusion_view(confusion: Confusion, per_class: tuple[ClassStats, ...]) -> Confusion:
    """The matrix to draw: every class when there are few, else the worst MATRIX_CLASSES rows and
    their columns, with the remaining class columns summed into one "other classes" column
    ("other classes (summed)" where a class has that name)."""
    if len(confusion.labels) <= MATRIX_CLASSES:
        return confusion
    keep = sorted(row.name for row in worst_first(per_class)[:MATRIX_CLASSES])
    row_of = {name: i for i, name in enumerate(confusion.labels)}
    col_of = {name: i for i, name in enumerate(confusion.columns)}
    rows = confusion.dense_rows(row_of[name] for name in keep)
    kept_cols = [col_of[name] for name in keep]
    tail_cols = [col_of[UNKNOWN], col_of[FAILED]]
    other = rows.sum(axis=1, keepdims=True) - rows[:, [*kept_cols, *tail_cols]].sum(
        axis=1, keepdims=True
    )
    matrix = np.hstack([rows[:, kept_cols], other, rows[:, tail_cols]])
    # Beside a class named so, the summed column would read as that class's.
    other_name = OTHER
    while other_name in col_of:
        other_name += " (summed)"
    return Confusion.from_matrix(tuple(keep), (*keep, other_name, UNKNOWN, FAILED), matrix)


def render_html(result: EvaluationResult) -> str:
    """The whole report as one HTML page."""
    m = result.metrics
    sections = [
        f"<h1>zsl evaluate</h1><p class='muted'>predictions {_e_path(result.predictions_source)} "
        f"&middot; truth {_e_path(result.truth_source)}</p>",
        _summary_html(result),
    ]
    if result.gzsl is not None:
        sections.append(_gzsl_html(result.gzsl))
    if result.selective is not None and result.selective.available:
        sections.append(_selective_html(result.selective, result.run_info))
    elif (why := selective_left_out(result.selective)) is not None:
        # As the text output says it: a reader missing the table learns why.
        sections.append(f"<h2>Selective labelling</h2><p class='muted'>{_e(why)}</p>")
    sections.append("<h2>Per class (worst first)</h2>" + _per_class_html(result.class_rows()))
    view = confusion_view(m.confusion, m.per_class)
    caption = "rows: true class; columns: predicted; colour: share of the row"
    if view is not m.confusion:
        caption += f"; the {MATRIX_CLASSES} worst of {len(m.classes)} classes shown"
    sections.append(
        f"<h2>Confusion matrix</h2><p class='muted'>{caption}</p>{_confusion_html(view)}"
    )
    mistakes = result.top_mistakes(15)
    if mistakes:
        # <bdi>: between two right-to-left names the arrow would take their direction, and
        # the pair would read backwards.
        items = "".join(
            f"<li><bdi>{_e(true)}</bdi> &rarr; <bdi>{_e(predicted)}</bdi>: {count}</li>"
            for true, predicted, count in mistakes
        )
        sections.append(f"<h2>Most common mistakes</h2><ol>{items}</ol>")
    notes = [*result.warnings, *result.notes, *(result.gzsl.notes if result.gzsl else ())]
    if notes:
        sections.append(
            "<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"
        )
    body = "\n".join(sections)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>zsl evaluate</title><style>" + _CSS + "</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


# White space kept as written where names and messages are shown: a browser collapses a run of
# spaces, so classes `red circle` and `red  circle` (told apart everywhere else) showed as two
# rows of one name.
_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { margin-bottom: 0; } h2 { margin-top: 1.6em; }
.muted { color: #666; }
table { border-collapse: collapse; }
td, th { padding: 2px 8px; text-align: right; border-bottom: 1px solid #eee; }
th { background: #f5f5f5; } td.name, th.name { text-align: left; }
.bar { background: #e8e8e8; width: 120px; height: 10px; display: inline-block; }
.bar span { background: #3b7dd8; height: 10px; display: block; }
table.heat td { border: 1px solid #fff; min-width: 2.2em; text-align: center; }
table.heat th.col { writing-mode: vertical-rl; transform: rotate(180deg); text-align: left; }
td, th, li, p { white-space: pre-wrap; }
"""


def _summary_html(result: EvaluationResult) -> str:
    m = result.metrics
    rows = [("images evaluated", str(m.n)), ("classes", str(len(m.classes)))]
    for t in m.top_k:
        rows.append((f"top-{t.k} mean per class", percent(t.mean_per_class)))
        rows.append((f"top-{t.k} overall", percent(t.overall)))
    rows.append(("macro F1", fixed(m.macro_f1)))  # 0 to 1, as the terminal writes it
    rows.append(("abstained (unknown)", str(m.abstained)))
    failed = failure_counts(m.failed_by_status)
    rows.append(("failed images", f"{m.failed}" + (f" ({failed})" if failed else "")))
    u = result.unmatched
    rows.append(("predictions without truth", _with_examples(u.predictions, u.prediction_examples)))
    rows.append(("truth images without prediction", _with_examples(u.truth, u.truth_examples)))
    if m.extra_predicted:
        extra = ", ".join(f"{name} {count}" for name, count in m.extra_predicted.items())
        rows.append(("predicted classes not in truth", extra))
    return _table(rows)


def _gzsl_html(g: GzslResult) -> str:
    rows = [
        ("seen classes", str(len(g.seen_classes))),
        ("unseen classes", str(len(g.unseen_classes))),
        ("acc seen", percent(g.seen)),
        ("acc unseen", percent(g.unseen)),
        ("harmonic mean H", percent(g.harmonic_mean)),
    ]
    curve = ""
    if g.calibrated is None:
        rows.append(("calibrated stacking", f"not available: {g.calibrated_reason}"))
    else:
        cal = g.calibrated
        rows += [
            ("calibrated stacking: best gamma", f"{cal.gamma:.4g}"),
            ("calibrated: acc seen / unseen", f"{percent(cal.seen)} / {percent(cal.unseen)}"),
            ("calibrated: H", percent(cal.harmonic_mean)),
            ("AUSUC", fixed(cal.ausuc, 4)),
        ]
        curve = _curve_svg(cal.unseen_curve, cal.seen_curve, (cal.unseen, cal.seen))
    return "<h2>Generalised zero-shot</h2>" + _table(rows) + curve


def _selective_html(selective: SelectiveLabelling, run_info: dict[str, Any] | None) -> str:
    """Each coverage's `zsl label --threshold` and the accuracy of what it keeps."""
    header, rows = selective_rows(selective)
    named = " class='name'"  # the coverage, which names its row
    body = "".join(
        "<tr>"
        + "".join(f"<td{named * (i == 0)}>{_e(cell)}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    head = "".join(
        f"<th{' class=name' if i == 0 else ''}>{_e(name)}</th>" for i, name in enumerate(header)
    )
    notes = [
        "zsl label --threshold T labels an image whose top score (as written) is below T unknown",
        *selective_notes(selective, run_info),
    ]
    return (
        "<h2>Selective labelling</h2>"
        + "".join(f"<p class='muted'>{_e(note)}</p>" for note in notes)
        + f"<table><tr>{head}</tr>{body}</table>"
    )


def _curve_svg(xs: np.ndarray, ys: np.ndarray, best: tuple[float, float]) -> str:
    size, pad = 240, 30

    def point(x: float, y: float) -> str:
        return f"{pad + x * size:.1f},{pad + (1 - y) * size:.1f}"

    xy = np.column_stack([xs, ys])
    changed = np.concatenate([[True], (np.diff(xy, axis=0) != 0).any(axis=1)])
    xy = xy[changed]
    if len(xy) > CURVE_POINTS:  # keep the page small; the ends always stay
        xy = np.vstack([xy[:: len(xy) // CURVE_POINTS + 1], xy[-1:]])
    points = " ".join(point(x, y) for x, y in xy)
    bx, by = point(*best).split(",")
    return (
        f"<p class='muted'>seen-unseen accuracy curve (x: unseen, y: seen)</p>"
        f"<svg width='{size + 2 * pad}' height='{size + 2 * pad}' "
        f"xmlns='http://www.w3.org/2000/svg'>"
        f"<rect x='{pad}' y='{pad}' width='{size}' height='{size}' fill='none' stroke='#999'/>"
        f"<polyline points='{points}' fill='none' stroke='#3b7dd8' stroke-width='2'/>"
        f"<circle cx='{bx}' cy='{by}' r='4' fill='#d83b3b'/>"
        f"<text x='{pad}' y='{size + 2 * pad - 8}' font-size='11'>0</text>"
        f"<text x='{pad + size - 8}' y='{size + 2 * pad - 8}' font-size='11'>1</text></svg>"
    )


def _per_class_html(rows: list[ClassStats]) -> str:
    body = "".join(
        f"<tr><td class='name'>{_e(r.name)}</td><td>{r.support}</td>"
        f"<td>{_bar(r.accuracy)} {percent(r.accuracy)}</td><td>{percent(r.precision)}</td>"
        f"<td>{_bar(r.f1)} {fixed(r.f1)}</td></tr>"
        for r in rows
    )
    head = "".join(
        f"<th{' class=name' if i == 0 else ''}>{h}</th>"
        for i, h in enumerate(("class", "images", "accuracy (recall)", "precision", "F1"))
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _confusion_html(view: Confusion) -> str:
    head = "<th></th>" + "".join(f"<th class='col'>{_e(c)}</th>" for c in view.columns)
    rows = []
    for name, counts in zip(view.labels, view.matrix, strict=True):
        total = max(int(counts.sum()), 1)
        cells = "".join(_heat_cell(int(count), count / total) for count in counts)
        rows.append(f"<tr><th class='name'>{_e(name)}</th>{cells}</tr>")
    return f"<table class='heat'><tr>{head}</tr>{''.join(rows)}</table>"


def _heat_cell(count: int, share: float) -> str:
    colour = f"rgba(59,125,216,{share:.3f})"
    ink = "#fff" if share > 0.55 else "#222"
    return f"<td style='background:{colour};color:{ink}'>{count or ''}</td>"


def _table(rows: list[tuple[str, str]]) -> str:
    """A table of (label, value) rows under a "value" heading."""
    body = "".join(
        f"<tr><td class='name'>{_e(label)}</td><td class='name'>{_e(value)}</td></tr>"
        for label, value in rows
    )
    return f"<table><tr><th class='name'></th><th class='name'>value</th></tr>{body}</table>"


def _bar(value: float) -> str:
    return f"<span class='bar'><span style='width:{100 * value:.1f}%'></span></span>"


def _with_examples(count: int, examples: tuple[str, ...]) -> str:
    if not count:
        return "0"
    return f"{count} (e.g. {', '.join(printable(e) for e in examples)})"


def _e(text: Any) -> str:
    """Text (class names, messages) for HTML."""
    return html.escape(printable_text(str(text)))


def _e_path(path: str) -> str:
    return html.escape(printable(path))


def render_png(result: EvaluationResult) -> tuple[bytes, list[str]]:
    """A matplotlib figure (confusion heat map, per-class accuracy, seen-unseen curve) as PNG,
    and what went wrong in drawing it, one line each."""
    Figure, import_problems = _matplotlib_figure()
    # matplotlib warns with its own source lines on stderr, once per drawing (layout, then
    # saving), and whatever --quiet says; kept here, they become one line each instead.
    with _matplotlib_warnings_kept() as caught:
        data = _draw_png(result, Figure)
    return data, import_problems + _drawing_problems(caught)


# Per thread, while it draws a PNG: `warnings`, the list its matplotlib warnings are kept in;
# while it imports matplotlib: `records`, the list of what matplotlib logs.
_THIS_THREAD = threading.local()

# The modules matplotlib's warnings come from: its own, or (its warn_external names the first
# caller outside matplotlib) this one, which draws.
_MATPLOTLIB_MODULES = r"(matplotlib|mpl_toolkits)(\.|\Z)|" + re.escape(__name__) + r"\Z"


@contextmanager
def _matplotlib_warnings_kept() -> Iterator[list[warnings.WarningMessage]]:
    """A block whose matplotlib warnings, in this thread, are kept in the list it gives, every
    one (to count the missing characters) whatever the program's filters say. Filters and
    warnings.showwarning are the whole process's, so both are held as process_settings does
    (warnings.catch_warnings would keep other threads' warnings, and could put back for good
    the filters of a block in another thread): other threads' warnings go where they went."""
    caught: list[warnings.WarningMessage] = []
    with warning_filters_held(), _SHOWWARNING.held():
        warnings.filterwarnings("always", module=_MATPLOTLIB_MODULES)
        _THIS_THREAD.warnings = caught
        try:
            yield caught
        finally:
            del _THIS_THREAD.warnings


class _ShowWarning(Protocol):
    """warnings.showwarning's signature."""

    def __call__(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None: ...


class _ShowOrKeep:
    """warnings.showwarning while PNGs are drawn: a drawing thread's matplotlib warnings are
    kept for its report; every other warning goes to the program's own showwarning."""

    def __init__(self, show: _ShowWarning) -> None:
        self.show = show

    def __call__(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        kept = getattr(_THIS_THREAD, "warnings", None)
        if kept is not None and _is_matplotlibs(filename):
            kept.append(warnings.WarningMessage(message, category, filename, lineno, file, line))
        else:
            self.show(message, category, filename, lineno, file, line)


def _is_matplotlibs(filename: str) -> bool:
    """Whether a warning raised in `filename` is matplotlib's (see _MATPLOTLIB_MODULES)."""
    if filename == __file__:
        return True
    packages = (sys.modules.get(name) for name in ("matplotlib", "mpl_toolkits"))
    folders = [folder for package in packages for folder in getattr(package, "__path__", ())]
    return any(filename.startswith(os.path.join(folder, "")) for folder in folders)


def _showwarning_wrapped() -> _ShowWarning:
    shown = warnings.showwarning
    warnings.showwarning = _ShowOrKeep(shown)
    return shown


def _put_back_showwarning(shown: _ShowWarning) -> None:
    warnings.showwarning = shown


_SHOWWARNING = SharedOverride(_showwarning_wrapped, _put_back_showwarning)


def _draw_png(result: EvaluationResult, Figure: type) -> bytes:
    m = result.metrics
    view = confusion_view(m.confusion, m.per_class)
    bars = result.class_rows()[:BAR_CLASSES]
    calibrated = result.gzsl.calibrated if result.gzsl is not None else None
    side = min(4 + 0.3 * len(view.columns), 16)
    widths = [side, 6] + ([4] if calibrated is not None else [])
    # Constrained layout makes room for long tick labels and keeps the suptitle clear of the
    # axes' titles, where tight_layout gave up on long names and overlapped the titles.
    figure = Figure(figsize=(sum(widths), max(side, 0.25 * len(bars) + 2)), layout="constrained")
    grid = figure.add_gridspec(1, len(widths), width_ratios=widths)

    heat = figure.add_subplot(grid[0, 0])
    totals = np.maximum(view.matrix.sum(axis=1, keepdims=True), 1)
    heat.imshow(view.matrix / totals, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    if len(view.columns) <= 60:
        heat.set_xticks(range(len(view.columns)))
        heat.set_xticklabels(_names(view.columns), rotation=90, fontsize=7, parse_math=False)
        heat.set_yticks(range(len(view.labels)))
        heat.set_yticklabels(_names(view.labels), fontsize=7, parse_math=False)
    heat.set_xlabel("predicted")
    heat.set_ylabel("true")
    classes = counted(len(m.classes), "class")
    shown = "" if view is m.confusion else f"; the {MATRIX_CLASSES} worst of {classes}"
    heat.set_title(f"confusion (share of each true class{shown})")

    per_class = figure.add_subplot(grid[0, 1])
    positions = np.arange(len(bars))
    per_class.barh(positions, [row.accuracy for row in bars], color="#3b7dd8")
    per_class.set_yticks(positions)
    per_class.set_yticklabels(_names(row.name for row in bars), fontsize=7, parse_math=False)
    per_class.invert_yaxis()
    per_class.set_xlim(0, 1)
    per_class.set_title(
        f"per-class accuracy (the {BAR_CLASSES} worst of {classes})"
        if len(bars) < len(m.classes)
        else "per-class accuracy (worst first)"
    )

    if calibrated is not None:
        cal = calibrated
        curve = figure.add_subplot(grid[0, 2])
        curve.plot(cal.unseen_curve, cal.seen_curve, color="#3b7dd8")
        curve.plot([cal.unseen], [cal.seen], "o", color="#d83b3b")
        curve.set_xlim(0, 1)
        curve.set_ylim(0, 1)
        curve.set_xlabel("acc unseen")
        curve.set_ylabel("acc seen")
        curve.set_title(f"seen-unseen curve, AUSUC {fixed(cal.ausuc)}")

    top1 = next((t for t in m.top_k if t.k == 1), None)
    summary = f"{counted(m.n, 'image')}, {classes}, macro F1 {fixed(m.macro_f1)}"
    if top1 is not None:
        summary += f", top-1 mean per class {percent(top1.mean_per_class)}"
    figure.suptitle(summary)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")  # nothing cut off
    return buffer.getvalue()


PNG_NAME_CHARACTERS = 40  # longer class names are cut short on the axes, which they would crush


def _names(names: Any) -> list[str]:
    """Class names for tick labels, which are drawn with parse_math=False: a name with two '$'
    in it is text, not mathtext (which would draw it as a formula, or fail on "a$\\foo$"). A
    long name is cut to PNG_NAME_CHARACTERS in the middle, where an ellipsis stands for what was
    left out: related classes often differ only at their ends ("..._variant_a", a species of a
    genus). Names still alike once cut are drawn whole; the .html report shows every name whole."""
    shown = [printable_text(name) for name in names]
    tail = (PNG_NAME_CHARACTERS - 1) * 2 // 5
    head = PNG_NAME_CHARACTERS - 1 - tail
    cut = [name if len(name) <= PNG_NAME_CHARACTERS else _cut(name, head, tail) for name in shown]
    alike = Counter(cut)
    return [short if alike[short] == 1 else name for short, name in zip(cut, shown, strict=True)]


def _cut(name: str, head: int, tail: int) -> str:
    """`name` with an ellipsis for all but about its first `head` and last `tail` characters,
    cut where no letter loses its accents, no flag or emoji its other half, no \\xe9 its
    backslash (see `grapheme_boundary`)."""
    start = grapheme_boundary(name, head, forward=False)
    end = grapheme_boundary(name, len(name) - tail, forward=True)
    return f"{name[:start]}\u2026{name[end:]}"


_MISSING_GLYPH = re.compile(r"Glyph (\d+)\b.*missing from")


def _drawing_problems(caught: list[warnings.WarningMessage]) -> list[str]:
    """matplotlib's warnings as one line each: every missing character in one line, the others
    once each; deprecations are for developers, and Python would not show them either."""
    missing: set[int] = set()
    others: list[str] = []
    for warning in caught:
        if issubclass(warning.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue
        message = str(warning.message).strip()
        glyph = _MISSING_GLYPH.match(message)
        if glyph:
            missing.add(int(glyph[1]))
        elif message:
            others.append(f"matplotlib: {message.splitlines()[0]}")
    problems = []
    if missing:
        count = (
            "1 character of the class names is"
            if len(missing) == 1
            else f"{len(missing)} characters of the class names are"
        )
        problems.append(
            f"{count} missing from the font and shown as boxes (an .html report shows them)"
        )
    return problems + list(dict.fromkeys(others))


_NEEDS_MATPLOTLIB = (
    "a .png report needs matplotlib: pip install 'zsl-cli[report]' (or write a .html report)"
)


def _matplotlib_figure() -> tuple[type, list[str]]:
    """matplotlib's Figure class, and what matplotlib logged on its import, one line each."""
    # matplotlib logs, not warns, what goes wrong on import (a config folder it cannot write, as
    # under a read-only HOME): Python prints such records on stderr whatever --quiet says.
    logged: list[logging.LogRecord] = []
    _THIS_THREAD.records = logged
    try:
        with _MATPLOTLIB_LOGGING.held():
            from matplotlib.figure import Figure
    except ImportError as error:
        raise ZslError(_NEEDS_MATPLOTLIB) from error
    except Exception as error:  # a broken install or setting (MPLBACKEND=nonsense)
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ZslError(
            f"matplotlib cannot be imported ({printable_text(reason)}): write a .html report, "
            "or fix matplotlib's install or settings"
        ) from error
    finally:
        del _THIS_THREAD.records
    lines = (record.getMessage().strip() for record in logged)
    return Figure, [f"matplotlib: {printable_text(line)}" for line in lines if line]


_MATPLOTLIB_LOGGER = logging.getLogger("matplotlib")


class _ImportRecords(logging.Handler):
    """On matplotlib's logger while it is imported: an importing thread's warnings (and worse)
    are kept for its report; the records of other threads go on to the program's handlers, as
    the logger would have passed them on."""

    def __init__(self, propagate: bool) -> None:
        super().__init__()
        self.propagate = propagate

    def emit(self, record: logging.LogRecord) -> None:
        kept = getattr(_THIS_THREAD, "records", None)
        if kept is not None:
            if record.levelno >= logging.WARNING:
                kept.append(record)
        elif self.propagate and _MATPLOTLIB_LOGGER.parent is not None:
            _MATPLOTLIB_LOGGER.parent.callHandlers(record)


def _import_records_kept() -> tuple[bool, _ImportRecords]:
    """The logger's propagate as the program set it. Meanwhile an _ImportRecords handles the
    logger's records and the logger passes none on itself: the program's handlers, or Python's
    last resort on stderr, would show an importing thread's."""
    propagate = _MATPLOTLIB_LOGGER.propagate
    handler = _ImportRecords(propagate)
    _MATPLOTLIB_LOGGER.addHandler(handler)
    _MATPLOTLIB_LOGGER.propagate = False
    return propagate, handler


def _put_back_logger(saved: tuple[bool, _ImportRecords]) -> None:
    propagate, handler = saved
    _MATPLOTLIB_LOGGER.removeHandler(handler)
    _MATPLOTLIB_LOGGER.propagate = propagate


# Imports that overlap in threads share the logger's setting: the last to end puts it back.
_MATPLOTLIB_LOGGING = SharedOverride(_import_records_kept, _put_back_logger)
