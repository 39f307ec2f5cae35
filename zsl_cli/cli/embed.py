"""`zsl embed`: encode images once into an embedding store (incremental)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from zsl_cli.cli.common import (
    BatchSize,
    Device,
    ExactPreprocessing,
    Extensions,
    IncludeHidden,
    MaxPixels,
    ModelName,
    Paths,
    Precision,
    Quiet,
    Revision,
    StdinNul,
    TrustRemoteCode,
    Workers,
    ZslCommand,
    _exit,
    _inputs,
    _model_options,
    _run,
    app,
    file_name,
)
from zsl_cli.defaults import DEFAULT_MODEL
from zsl_cli.errors import ZslError

if TYPE_CHECKING:
    from rich.text import Text

    from zsl_cli.api import EmbedReport

EMBED_EXAMPLES = """\
Examples:

\b
  zsl embed ./photos --store photos.zsl
  zsl embed ./photos --store photos.zsl --json embed-summary.json   # new and changed files only
  zsl label --embeddings photos.zsl -c classes.txt -o predictions.csv
  zsl embed ./photos --store photos.zsl --export photos.parquet
  zsl embed --store photos.zsl --export photos.npy   # no scan: export only
  zsl embed ./photos --store demo.zsl -m shapes-demo   # the bundled model: give -m to label too
"""


@app.command(
    cls=ZslCommand,
    no_args_is_help=True,
    epilog=EMBED_EXAMPLES,
    short_help="Encode images once into an embedding store (incremental).",
)
def embed(
    store: Annotated[
        str,
        typer.Option(
            "--store",
            "-s",
            parser=file_name,
            metavar="STORE",
            help="SQLite embedding store to create or update.",
            show_default=False,
        ),
    ],
    paths: Paths = None,
    model: ModelName = DEFAULT_MODEL,
    dtype: Annotated[
        str | None,
        typer.Option(
            "--dtype",
            metavar="DTYPE",
            help="Stored vector type: float32, or float16 for half the size.  [default: what the "
            "store already holds for this model, else float32]",
            show_default=False,
        ),
    ] = None,
    export: Annotated[
        str | None,
        typer.Option(
            parser=file_name,
            metavar="FILE",
            help="Also export this model's embeddings: FILE.npy (with a FILE.npy.paths.csv "
            "index) or FILE.parquet (needs pyarrow). Without PATHs: only export what the store "
            "holds, scanning nothing.",
            show_default=False,
        ),
    ] = None,
    json_out: Annotated[
        str | None,
        typer.Option(
            "--json",
            parser=file_name,
            metavar="FILE",
            help="Also write the run's counts as JSON to FILE ('-': stdout).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help=(
                "Exit with code 1 when any image failed, in this run or stored as failed, a "
                "path could not be read at all (a broken link, a named pipe: 'unreachable') or a "
                "folder was unreadable."
            ),
        ),
    ] = False,
    forget_missing: Annotated[
        bool,
        typer.Option(
            "--forget-missing",
            help=(
                "Forget the stored images under a PATH that is missing or holds no files at all, "
                "or an empty folder inside one (a folder deleted or moved: zsl embed old/folder "
                "--forget-missing ...). Without it they are kept, with a warning, as a drive or "
                "network share that is not mounted looks the same, and a missing PATH argument "
                "is an error."
            ),
        ),
    ] = False,
    device: Device = "auto",
    precision: Precision = "auto",
    batch_size: BatchSize = None,
    workers: Workers = None,
    exact_preprocessing: ExactPreprocessing = False,
    trust_remote_code: TrustRemoteCode = False,
    revision: Revision = None,
    null: StdinNul = False,
    ext: Extensions = None,
    include_hidden: IncludeHidden = False,
    max_pixels: MaxPixels = None,
    quiet: Quiet = False,
) -> None:
    """Encode images once into an embedding store, so relabelling needs only the text model.

    Incremental: re-running encodes only new or changed files (size or modification time),
    reuses the rest and forgets files deleted from scanned folders that still hold files (see
    --forget-missing). Every batch is committed,
    so an interrupted run continues where it stopped. Several models can share one store.
    """
    from zsl_cli import api
    from zsl_cli.summary import (
        ProgressBar,
        embed_outputs_named,
        none_embedded_line,
        render_embed_summary,
        stderr_console,
    )

    if strict and not paths:
        # What it checks (this run's failures, the scanned images' stored ones) needs a scan.
        raise ZslError(
            "--strict: without paths no image is scanned, only the store's embeddings exported"
        )
    request = api.EmbedRequest(
        store=store,
        inputs=_inputs(
            paths,
            null=null,
            ext=ext,
            include_hidden=include_hidden,
            max_pixels=max_pixels,
            quiet=quiet,
            instead=("--export FILE (to export what the store holds)", export),
        ),
        model=_model_options(
            model,
            device=device,
            precision=precision,
            batch_size=batch_size,
            workers=workers,
            exact_preprocessing=exact_preprocessing,
            trust_remote_code=trust_remote_code,
            revision=revision,
        ),
        dtype=dtype,
        export=export,
        json_out=json_out,
        forget_missing=forget_missing,
    )
    progress = ProgressBar(quiet)

    def summary(report: EmbedReport) -> None:
        render_embed_summary(
            stderr_console(),
            report.to_json(),
            failed_retried=report.failed_retried,
            none_usable=report.none_usable,
        )
        if strict and not report.none_usable and not report.interrupted:
            _say_why_strict_fails(report)

    report = _run(
        lambda warn: api.embed(request, progress=progress, warn=warn),
        quiet,
        summary,
        lambda report: embed_outputs_named(report.to_json(), json_out),
    )
    _exit(
        report,
        none_usable=report.none_usable,
        partial=bool(_failures(report)),
        strict=strict,
        quiet=quiet,
        why=lambda: (
            none_embedded_line(report.to_json(), alone=True)
            if report.none_usable
            else _strict_line(report)
        ),
    )


def _failures(report: EmbedReport) -> list[str]:
    """What fails a run under --strict, each counted: a path not read at all is no stored
    failure, and the summary lists it apart from them."""
    from zsl_cli.formatting import counted

    counts = (
        (report.failed, "image", "failed"),
        (report.reused_failed, "stored failure", "among those reused"),
        (report.unreachable, "path", "could not be read at all"),
        (len(report.unreadable_folders), "folder", "could not be read"),
    )
    return [f"{counted(n, noun)} {what}" for n, noun, what in counts if n]


def _say_why_strict_fails(report: EmbedReport) -> None:
    """The summary's last line under --strict, where the run exits 1 for what it counted: with
    `failed: 0` a user could not tell that a broken link ended the run so."""
    from zsl_cli.summary import stderr_console

    if _failures(report):
        stderr_console().print(_strict_line(report))


def _strict_line(report: EmbedReport) -> Text:
    """Why the run exits 1 under --strict: the summary's last line, and a quiet run's only one."""
    from rich.text import Text

    return Text(f"Exit status 1 (--strict): {'; '.join(_failures(report))}", style="yellow")
