"""`zsl hubness`: measure hubness and what each reduction method does to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from zsl_cli.cli.common import (
    TRUTH_HELP,
    Attributes,
    AttributeTemplate,
    BatchSize,
    Classes,
    Descriptions,
    DescriptionTemplate,
    Device,
    Embeddings,
    ExactPreprocessing,
    Extensions,
    IncludeHidden,
    MaxPixels,
    ModelName,
    Paths,
    Precision,
    Revision,
    ShowPrompts,
    StdinNul,
    Templates,
    TrustRemoteCode,
    WholeNumbers,
    Workers,
    ZslCommand,
    _check_options_ignored,
    _class_options,
    _comma_list,
    _inputs,
    _model_options,
    _report_console,
    _show_prompts,
    _show_report,
    _WarningsShown,
    app,
    file_name,
)
from zsl_cli.defaults import (
    DEFAULT_ATTRIBUTE_TEMPLATE,
    DEFAULT_DESCRIPTION_TEMPLATE,
    DEFAULT_MODEL,
    HUBNESS_METHODS,
)

if TYPE_CHECKING:
    from zsl_cli.api import HubnessReport

HUBNESS_EXAMPLES = """\
Examples:

\b
  zsl hubness ./photos -c classes.txt
  zsl hubness --embeddings photos.zsl -c classes.txt -k 5 --json hubness.json
  python -m zsl_cli.demo make-images ./shapes   # a labelled demo world
  zsl hubness ./shapes -c ./shapes/classes.txt -m shapes-demo \\
      --truth ./shapes --seen ./shapes/seen.txt
"""


# Here rather than in zsl_cli.hubness so that --help does not import numpy.
HUBNESS_METHOD_HELP = {
    "none": "raw cosine similarities, no correction.",
    "csls": "CSLS: cosine minus half of each class's mean cosine to its K = 10 most similar "
    "images in the folder (Lample et al. 2018).",
    "isoftmax": "inverted softmax: normalises each class over the folder's images "
    "(log-sum-exp of b*cosine per class, b = 20; Smith et al. 2017).",
    "centering": "subtracts each class's mean cosine over the folder's images.",
    "mp": "Gaussian mutual proximity: a pair scores high only if each side ranks the other high "
    "(mean and std of each image's and each class's cosines; Schnitzer et al. 2012).",
}

HUBNESS_HELP = (
    "Measure hubness: classes that are among the k nearest classes of far too many images. "
    "For each reduction method: skewness of the k-occurrence distribution (large positive = "
    "a few hubs swallow the images), hub occupancy, antihub rate (classes nobody picks), the "
    "Robin Hood index, the top hubs, and with --truth the accuracy each method gets. The "
    "images given (with --embeddings and no PATH, the store's) are the query bank that the "
    "reductions below are fitted on. The table goes to stdout; progress and warnings go to "
    "stderr.\n\n" + "\n\n".join(f"{name}: {HUBNESS_METHOD_HELP[name]}" for name in HUBNESS_METHODS)
)


@app.command(
    cls=ZslCommand,
    no_args_is_help=True,
    epilog=HUBNESS_EXAMPLES,
    help=HUBNESS_HELP,
    short_help="Measure hubness and what each reduction method does to it.",
)
def hubness(
    paths: Paths = None,
    classes: Classes = None,
    model: ModelName = DEFAULT_MODEL,
    k: Annotated[
        int | None,
        typer.Option(
            "--neighbours",
            "-k",
            click_type=WholeNumbers(min=1),
            metavar="N",
            show_default=False,
            help="Neighbourhood size k (clipped to the number of classes less one): k-occurrence "
            "counts each image's k nearest classes. Above half the classes no class can be a hub "
            "and the advice gives no verdict. Not a top-k accuracy (the accuracy column is "
            "top-1), nor CSLS's K.  [default: 10, or a quarter of the classes under 40]",
        ),
    ] = None,
    methods: Annotated[
        list[str] | None,
        typer.Option(
            "--methods",
            metavar="METHODS",
            help=f"Comma-separated methods to compare, from {', '.join(HUBNESS_METHODS[:-1])} "
            f"and {HUBNESS_METHODS[-1]} (repeatable), or all.  [default: all]",
            show_default=False,
        ),
    ] = None,
    truth: Annotated[
        str | None,
        typer.Option(
            "--truth",
            parser=file_name,
            metavar="TRUTH",
            help=TRUTH_HELP + "; adds each method's accuracy.",
            show_default=False,
        ),
    ] = None,
    seen: Annotated[
        str | None,
        typer.Option(
            parser=file_name,
            metavar="FILE",
            help="Seen classes, one per line (the others are unseen; needs --truth): adds "
            "each method's accuracy on the seen and on the unseen classes, and their harmonic "
            "mean H.",
            show_default=False,
        ),
    ] = None,
    json_out: Annotated[
        str | None,
        typer.Option(
            "--json",
            parser=file_name,
            metavar="FILE",
            help="Also write the comparison as JSON to FILE ('-': stdout, the table then goes "
            "to stderr), with the run's model, classes and templates under 'run', as label "
            "records them.",
            show_default=False,
        ),
    ] = None,
    templates: Templates = "default",
    attributes: Attributes = None,
    descriptions: Descriptions = None,
    attribute_template: AttributeTemplate = DEFAULT_ATTRIBUTE_TEMPLATE,
    description_template: DescriptionTemplate = DEFAULT_DESCRIPTION_TEMPLATE,
    embeddings: Embeddings = None,
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
    show_prompts: ShowPrompts = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Nothing on stderr but errors: no progress bar, warnings, nor the table when "
            "--json - puts the JSON on stdout.",
        ),
    ] = False,
) -> None:
    """Measure hubness over the images (or a store's vectors) and the classes given, for each
    reduction method, and show the comparison. Not the --help text: that is HUBNESS_HELP,
    which lists the methods from HUBNESS_METHOD_HELP, as a docstring cannot be built."""
    from zsl_cli import api
    from zsl_cli.summary import ProgressBar, render_hubness, render_warnings, stderr_console

    class_options = _class_options(
        classes=classes,
        attributes=attributes,
        descriptions=descriptions,
        templates=templates,
        attribute_template=attribute_template,
        description_template=description_template,
    )
    model_options = _model_options(
        model,
        device=device,
        precision=precision,
        batch_size=batch_size,
        workers=workers,
        exact_preprocessing=exact_preprocessing,
        trust_remote_code=trust_remote_code,
        revision=revision,
    )
    compared = _hubness_methods(methods)
    # Made for --show-prompts too, which reads no image: what the request refuses of the
    # options given (-0 without '-', --max-pixels with --embeddings), it refuses as a run does.
    request = api.HubnessRequest(
        inputs=_inputs(
            paths,
            null=null,
            ext=ext,
            include_hidden=include_hidden,
            max_pixels=max_pixels,
            quiet=quiet,
            instead=("--embeddings STORE", embeddings),
            paths_needed=not show_prompts,
        ),
        classes=class_options,
        model=model_options,
        embeddings=embeddings,
        k=k,
        methods=compared,
        truth=truth,
        seen=seen,
        json_out=json_out,
    )
    if show_prompts:  # before --json's console: it is one of the options ignored
        _check_options_ignored(
            ext=ext,
            max_pixels=max_pixels,
            model=model_options,
            methods=compared,
            methods_option="--methods",
        )
        # The truth, the seen list and the images are not read, nor the model looked for.
        _show_prompts(request, quiet, ["--json"] if json_out not in (None, "-") else [])
        return
    console = _report_console(json_out, quiet)  # before the work: stdout may be closed
    shown = _WarningsShown()

    def show(report: HubnessReport) -> None:
        if not quiet:
            render_warnings(stderr_console(), shown.not_shown(report.warnings))
        if console is not None:
            render_hubness(console, report)

    _show_report(
        lambda: api.hubness(request, progress=ProgressBar(quiet), warn=None if quiet else shown),
        show,
        json_out=json_out,
        files=[("--json", json_out)],
    )


def _hubness_methods(values: list[str] | None) -> tuple[str, ...] | None:
    """--methods' list; None (every method) where 'all' is among them, as in `all,csls`, whose
    other names the library then never sees: they are checked here."""
    methods = _comma_list(values)
    if methods is None or "all" not in methods:
        return methods
    from zsl_cli.hubness import check_methods

    others = [method for method in methods if method != "all"]
    if others:
        check_methods(others)
    return None
