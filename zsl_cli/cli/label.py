"""`zsl label`: label images with zero-shot class prompts and write predictions, with the
Label Studio options that only it takes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer._click.core import ParameterSource

from zsl_cli.cli.common import (
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
    Numbers,
    Paths,
    Precision,
    Quiet,
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
    _exit,
    _inputs,
    _model_options,
    _run,
    _show_prompts,
    _typed_text,
    app,
    file_name,
)
from zsl_cli.defaults import (
    DEFAULT_ATTRIBUTE_TEMPLATE,
    DEFAULT_DESCRIPTION_TEMPLATE,
    DEFAULT_MODEL,
    HUBNESS_METHODS,
)
from zsl_cli.errors import ZslError

if TYPE_CHECKING:
    from rich.text import Text

    from zsl_cli.api import LabelReport, LabelStudioOptions


LABEL_EXAMPLES = """\
Examples:

\b
  zsl label ./photos --classes classes.txt -o predictions.csv
  zsl label ./photos -c classes.txt --model shapes-demo --top-k 3 --format jsonl
  zsl label -c classes.txt -t imagenet7 --show-prompts | head   # the prompts, no model
  find . -name '*.jpg' -print0 | zsl label - -0 -c classes.txt > predictions.csv
  zsl label --embeddings photos.zsl -c classes.txt --threshold 0.4 -o out.jsonl
  zsl label /data/photos -c classes.txt -f label-studio --ls-document-root /data \\
      -o tasks.json --ls-config config.xml
"""


@app.command(cls=ZslCommand, epilog=LABEL_EXAMPLES, no_args_is_help=True)
def label(
    ctx: typer.Context,
    paths: Paths = None,
    classes: Classes = None,
    model: ModelName = DEFAULT_MODEL,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            parser=file_name,
            metavar="FILE",
            help="Output file: a .csv, .jsonl, .ndjson or .json name, or another with "
            "--format; '-' for stdout. The run's settings go to FILE.run.json beside it (into "
            "the file itself for --format json).  [default: stdout]",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="csv, jsonl, json or label-studio (JSON); refused where -o's extension names "
            "another format.  [default: from the output extension; csv on stdout]",
            show_default=False,
        ),
    ] = None,
    top_k: Annotated[
        int,
        typer.Option(
            "--top-k",
            "-k",
            click_type=WholeNumbers(min=0),
            metavar="N",
            help="Classes to list per image with their scores, best first, the label included "
            "(0 = all). 'zsl evaluate -k K' needs K or more; its --seen calibrated stacking "
            "needs all.",
        ),
    ] = 5,
    threshold: Annotated[
        float | None,
        typer.Option(
            click_type=Numbers(min=0.0, max=1.0),
            metavar="SCORE",
            help="Write 'unknown' when the top score, as written (7 significant digits), is "
            "below this.  [default: none: every image keeps its top class]",
            show_default=False,
        ),
    ] = None,
    templates: Templates = "default",
    attributes: Attributes = None,
    descriptions: Descriptions = None,
    attribute_template: AttributeTemplate = DEFAULT_ATTRIBUTE_TEMPLATE,
    description_template: DescriptionTemplate = DEFAULT_DESCRIPTION_TEMPLATE,
    embeddings: Embeddings = None,
    hubness_reduction: Annotated[
        str,
        typer.Option(
            metavar="METHOD",
            help="Reduce hubness over all the images labelled before ranking: "
            f"{', '.join(HUBNESS_METHODS[:-1])} or {HUBNESS_METHODS[-1]} (see 'zsl hubness "
            "--help').",
        ),
    ] = "none",
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
    ls_from_name: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            help="Label Studio: name of the Choices tag in your labelling config.",
        ),
    ] = "choice",
    ls_to_name: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            help="Label Studio: name of the Image tag in your labelling config.",
        ),
    ] = "image",
    ls_data_key: Annotated[
        str,
        typer.Option(
            metavar="KEY",
            help="Label Studio: the tasks' data key holding the image URL, which the Image tag "
            'reads as value="$KEY" (ASCII letters, digits and _; not zsl_..., zsl\'s own keys, '
            "nor __proto__, which Label Studio's labelling screen skips).",
        ),
    ] = "image",
    ls_document_root: Annotated[
        str | None,
        typer.Option(
            parser=file_name,
            metavar="DIR",
            help="Label Studio: local-files document root; image URLs "
            "become /data/local-files/?d=<path under it>.  [default: "
            "$LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT; none with --ls-url-prefix]",
            show_default=False,
        ),
    ] = None,
    ls_url_prefix: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="Label Studio: serve images from this URL prefix instead "
            "(prefix + path under --ls-document-root or the current folder).",
            show_default=False,
        ),
    ] = None,
    ls_model_version: Annotated[
        str | None,
        typer.Option(
            metavar="VERSION",
            help="Label Studio: the predictions' model version, by which a project chooses "
            "the predictions it pre-annotates with.  [default: zsl-<zsl version>:<model>, "
            "and @<revision> with --revision; a model folder as <folder name>#<weights hash>]",
            show_default=False,
        ),
    ] = None,
    ls_config: Annotated[
        str | None,
        typer.Option(
            parser=file_name,
            metavar="FILE",
            help="Label Studio: also write a labelling config that fits the tasks (the Image "
            "tag, a Choice per class) to this file, to paste into the project's settings.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit with code 1 when any image failed or a folder was unreadable."
        ),
    ] = False,
    show_prompts: ShowPrompts = False,
    quiet: Quiet = False,
) -> None:
    """Label images with zero-shot class prompts and write predictions.

    Predictions go to stdout or -o; progress and the summary go to stderr. Bad images are
    skipped with a status and a reason, and never stop the run. Scores are the model's own:
    a softmax over the classes for CLIP-style models (an image's scores sum to 1), a sigmoid
    per class for SigLIP (each class scored on its own).
    """
    from zsl_cli import api
    from zsl_cli.summary import (
        ProgressBar,
        label_outputs_named,
        label_strict_line,
        none_labelled_line,
        render_label_summary,
        shown_with_stderr,
        stderr_console,
    )
    from zsl_cli.writers import output_format

    class_options = _class_options(
        classes=classes,
        attributes=attributes,
        descriptions=descriptions,
        templates=templates,
        attribute_template=attribute_template,
        description_template=description_template,
    )
    studio = _ls_options(
        ctx,
        output,
        fmt,
        ls_from_name,
        ls_to_name,
        ls_data_key,
        ls_document_root,
        ls_url_prefix,
        ls_model_version,
        ls_config,
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
    # Made for --show-prompts too, which reads no image: what the request refuses of the
    # options given (-0 without '-', --max-pixels with --embeddings), it refuses as a run does.
    request = api.LabelRequest(
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
        decision=api.Decision(top_k, threshold),
        output=api.OutputOptions(output, fmt, studio),
        embeddings=embeddings,
        hubness_reduction=hubness_reduction,
    )
    if show_prompts:
        _check_options_ignored(
            ext=ext,
            max_pixels=max_pixels,
            model=model_options,
            methods=[hubness_reduction],
            methods_option="--hubness-reduction",
        )
        given = {"-o": output not in (None, "-"), "-f": fmt, "--ls-config": ls_config}
        _show_prompts(request, quiet, [option for option, used in given.items() if used])
        return
    # The rows are the progress where they go where the bar or its lines would.
    progress = ProgressBar(quiet or shown_with_stderr(output))

    def summary(report: LabelReport) -> None:
        render_label_summary(
            stderr_console(),
            report.run_info["summary"],
            report.output,
            store=report.run_info["embeddings"],
            embed_options=report.embed_options,
            config=report.config,
            none_labelled=report.none_labelled,
            failed_examples=report.failed_examples,
            run_info_inside=output_format(output, fmt) == "json",
        )

    report = _run(
        lambda warn: api.label(request, progress=progress, warn=warn),
        quiet,
        summary,
        lambda report: label_outputs_named(report.output, report.config),
    )
    partial = report.failed or report.unreadable_folders

    def why() -> Text:
        run = report.run_info["summary"]
        if report.none_labelled:
            return none_labelled_line(run, report.failed_examples)
        return label_strict_line(run, report.failed_examples, len(report.unreadable_folders))

    _exit(
        report,
        none_usable=report.none_labelled,
        partial=bool(partial),
        strict=strict,
        quiet=quiet,
        why=why,
    )


def _ls_options(
    ctx: typer.Context,
    output: str | None,
    fmt: str | None,
    from_name: str,
    to_name: str,
    data_key: str,
    document_root: str | None,
    url_prefix: str | None,
    model_version: str | None,
    config: str | None,
) -> LabelStudioOptions | None:
    """The --ls-* options for label-studio output; None for another format, where they would be
    ignored, so giving one is an error (`ctx` tells which were given)."""
    from zsl_cli.api import LabelStudioOptions
    from zsl_cli.writers import output_format

    if model_version is not None and not model_version.strip():
        # `--ls-model-version "$VERSION"` with the variable unset: '' stood for the default.
        raise ZslError(
            "--ls-model-version is empty: give a version, or leave the option out for "
            "zsl-<zsl version>:<model>[@<revision>] (a model folder: <folder name>#<weights hash>)"
        )
    studio = LabelStudioOptions(
        from_name=_typed_text(from_name, "--ls-from-name"),
        to_name=_typed_text(to_name, "--ls-to-name"),
        document_root=None if document_root is None else Path(document_root),
        url_prefix=url_prefix and _typed_text(url_prefix, "--ls-url-prefix"),
        model_version=_typed_text(model_version or "", "--ls-model-version"),
        config=config,
        data_key=_typed_text(data_key, "--ls-data-key"),
    )
    # Given on the command line, whatever the value: `--ls-from-name choice`, its default, did
    # nothing as well where -f label-studio was forgotten.
    given = [
        "--ls-" + field.name.replace("_", "-")
        for field in dataclasses.fields(studio)
        if ctx.get_parameter_source(f"ls_{field.name}") not in (None, ParameterSource.DEFAULT)
    ]
    if output_format(output, fmt) == "label-studio":
        # Here, not only in api.label, so that --show-prompts refuses it as a run does.
        if config == "-" and output in (None, "-"):
            raise ZslError("--ls-config -: the tasks go to stdout; give the config a file name")
        return studio
    if given:
        raise ZslError(f"{', '.join(given)}: only for label-studio output (add -f label-studio)")
    return None
