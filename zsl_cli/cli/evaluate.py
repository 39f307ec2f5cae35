"""`zsl evaluate`: score predictions against ground truth (mean per-class top-k)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from zsl_cli.cli.common import (
    TRUTH_HELP,
    ZslCommand,
    _report_console,
    _show_report,
    _stdin,
    app,
    file_name,
    misread_number,
    whole_number,
)
from zsl_cli.errors import ZslError
from zsl_cli.formatting import QUOTED_LINE_CHARS, clipped_middle

if TYPE_CHECKING:
    from zsl_cli.api import EvaluationResult

ReportQuiet = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Nothing on stderr but errors: no warnings, nor the table when --json - puts the "
        "JSON on stdout.",
    ),
]


EVALUATE_EXAMPLES = """\
Examples:

\b
  zsl evaluate predictions.csv --truth ./photos
  zsl evaluate predictions.jsonl --truth labels.csv --top-k 1,3,5 --json metrics.json
  python -m zsl_cli.demo make-images ./shapes   # a labelled demo world
  zsl label ./shapes -c ./shapes/classes.txt -m shapes-demo -k 0 -o all.jsonl
  zsl evaluate all.jsonl --truth ./shapes --seen ./shapes/seen.txt --report report.html
"""


@app.command(
    cls=ZslCommand,
    no_args_is_help=True,
    epilog=EVALUATE_EXAMPLES,
    short_help="Score predictions against ground truth (mean per-class top-k).",
)
def evaluate(
    predictions: Annotated[
        str,
        typer.Argument(
            parser=file_name,
            metavar="PREDICTIONS",
            help="Predictions written by 'zsl label' (csv, jsonl, json or label-studio); "
            "'-' reads them from stdin.",
            show_default=False,
        ),
    ],
    truth: Annotated[
        str,
        typer.Option(
            "--truth",
            parser=file_name,
            metavar="TRUTH",
            help=TRUTH_HELP + ".",
            show_default=False,
        ),
    ],
    seen: Annotated[
        str | None,
        typer.Option(
            parser=file_name,
            metavar="FILE",
            help="Seen classes, one per line (the others are unseen): adds seen/unseen "
            "accuracy, their harmonic mean and calibrated stacking (which needs predictions "
            "labelled with --top-k 0).",
            show_default=False,
        ),
    ] = None,
    top_k: Annotated[
        list[str] | None,
        typer.Option(
            "--top-k",
            "-k",
            metavar="K[,K...]",
            help="Comma-separated k values for top-k accuracy (repeatable): an image is right "
            "at k when its true class is among the first k classes its prediction lists "
            "('unknown' misses at every k). Each k is a whole number, 1 or more; one above the "
            "number of classes is clipped to it, one above the --top-k the predictions were "
            "labelled with is n/a.  [default: 1,5]",
            show_default=False,
        ),
    ] = None,
    json_out: Annotated[
        str | None,
        typer.Option(
            "--json",
            parser=file_name,
            metavar="FILE",
            help="Also write all metrics as JSON to FILE ('-': stdout, the table then goes to "
            "stderr).",
            show_default=False,
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            parser=file_name,
            metavar="FILE",
            help="Also write a report: FILE.html (self-contained) or FILE.png (needs matplotlib).",
            show_default=False,
        ),
    ] = None,
    quiet: ReportQuiet = False,
) -> None:
    """Score predictions against ground truth: mean per-class top-k accuracy (the zero-shot
    standard), overall accuracy, precision/recall/F1, confusion, and generalised zero-shot
    seen/unseen/harmonic mean with --seen.

    It also reads a threshold off the sample ("selective labelling"): for a few coverages (the
    share of the scored images to label), the 'zsl label --threshold' that keeps that share (its
    top scores as written, ties kept) and the top-1 accuracy of what it keeps, on this sample
    only; left out, saying why in --json, below 20 scored images or without varied scores, and
    saying why in a line too where 20 or more are scored but every coverage keeps fewer than 10
    images (most labelled 'unknown') or every top score is the same. Images labelled 'unknown'
    under a --threshold have no label, which no threshold keeps: label the sample without one for
    the whole curve.

    The table goes to stdout (so `> metrics.txt` keeps it; on a terminal it shows the 20 worst
    classes, in a file or a pipe all of them); warnings go to stderr.
    """
    from zsl_cli import api
    from zsl_cli.summary import render_evaluation, render_warnings, stderr_console

    console = _report_console(json_out, quiet)  # before the work: stdout may be closed
    reading = ("predictions", "as zsl label writes them", "them")
    request = api.EvaluateRequest(
        predictions,
        truth,
        seen,
        _ks(top_k),
        json_out,
        report,
        stdin=_stdin(quiet, *reading) if predictions == "-" else None,
    )

    def show(result: EvaluationResult) -> None:
        if not quiet:
            render_warnings(stderr_console(), result.warnings)
        if console is not None:
            # The whole table in a file or a pipe; on a terminal, the worst classes. The stream's
            # own answer: rich's is_terminal is True anywhere under FORCE_COLOR or
            # TTY_COMPATIBLE=1.
            render_evaluation(console, result, max_rows=20 if console.file.isatty() else None)

    _show_report(
        lambda: api.evaluate(request),
        show,
        json_out=json_out,
        files=[("--report", report), ("--json", json_out)],
    )


def _ks(values: list[str] | None) -> tuple[int, ...]:
    value = "1,5" if values is None else ",".join(values)
    # Clipped as the item in it is: a number of thousands of digits pasted by mistake was
    # quoted whole, a line of thousands of characters.
    given = f"--top-k '{clipped_middle(value, QUOTED_LINE_CHARS)}'"
    ks: list[int] = []
    for part in filter(str.strip, value.split(",")):
        try:
            ks.append(whole_number(part))
        except ValueError:
            # `１` or `٣`, which int() reads: said as label's --top-k says it.
            if (misread := misread_number(part.strip(), "a whole number", int)) is not None:
                raise ZslError(f"{given}: {misread}") from None
            ks = []
            break
    if not ks:
        raise ZslError(f"{given}: give comma-separated whole numbers, e.g. 1,5")
    return tuple(ks)
