"""The `zsl` command line: parse options, call the library, render results, map errors
to exit codes.

Nothing heavy is imported at module level so `zsl --help` answers at once.
"""

from __future__ import annotations

import dataclasses
import errno
import inspect
import io
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar, cast

import typer

# typer (0.26+, as pyproject asks) carries its own copy of click: its classes, not click's.
from typer._click.exceptions import NoArgsIsHelpError, NoSuchOption, UsageError
from typer._click.globals import get_current_context
from typer.core import TyperCommand, TyperGroup

from zsl_cli import __version__
from zsl_cli.defaults import (
    DEFAULT_ATTRIBUTE_TEMPLATE,
    DEFAULT_DESCRIPTION_TEMPLATE,
    DEFAULT_MODEL,
    HUBNESS_METHODS,
    IMAGE_EXTENSIONS,
)
from zsl_cli.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    Interrupted,
    ZslError,
    stop_signals,
)

if TYPE_CHECKING:
    from rich.console import Console
    from typer._click.core import Context, Parameter

    from zsl_cli.api import (
        ClassOptions,
        EmbedReport,
        InputOptions,
        LabelReport,
        LabelStudioOptions,
        ModelOptions,
    )


class ZslGroup(TyperGroup):
    """Turns the library's ZslError, and a command line that does not parse, into one stderr line
    and its exit code, for every command; no command runs in a deleted current folder."""

    def get_help(self, ctx):  # type: ignore[no-untyped-def]
        _require_stdout()
        return super().get_help(ctx)

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as error:  # options of `zsl` itself
            _exit_on_usage_error(error, info_name or PROG)
        except OSError as error:  # the help or version into `| head -0` or /dev/full
            _exit_help_unwritten(error, info_name or PROG)

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            _require_current_folder()
            return super().invoke(ctx)
        except ZslError as error:
            _say(f"{_program(ctx)}: error: {error.message}")
            _drop_what_stdout_kept()
            raise typer.Exit(error.exit_code) from None
        except UsageError as error:  # a command's options and arguments
            _exit_on_usage_error(error, _program(ctx), ctx.invoked_subcommand)
        except KeyboardInterrupt:  # before any work was done (a run's own is reported by it)
            _say(f"{_program(ctx)}: interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            _exit_reader_gone()


class ZslCommand(TyperCommand):
    """A command whose usage line shows a required argument as its help does (`PREDICTIONS`):
    typer 0.27+ puts it in braces (`{PREDICTIONS}`), which read as a literal to type."""

    def collect_usage_pieces(self, ctx):  # type: ignore[no-untyped-def]
        braced = {f"{{{param.metavar}}}" for param in self.params if param.metavar}
        pieces = super().collect_usage_pieces(ctx)
        return [piece[1:-1] if piece in braced else piece for piece in pieces]

    def get_help(self, ctx):  # type: ignore[no-untyped-def]
        _require_stdout()
        return super().get_help(ctx)

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        # The parser's order of the options lists each as often as it was given; a bad command
        # line is left to the parse below, which says what is wrong with it.
        try:
            given, _, order = self.make_parser(ctx).parse_args(args=list(args))
        except UsageError:
            given, order = {}, []
        names = [param.name for param in order]
        if "help" not in names:
            _refuse_options_as_file_names(ctx, self.get_params(ctx), given, args)
        twice = next((name for name in _ONE_VALUE_ONLY if names.count(name) > 1), None)
        if twice is not None and "help" not in names:  # the help, whatever else the line holds
            param = next(param for param in order if param.name == twice)
            option = next(opt for opt in param.opts if opt.startswith("--"))
            hint = ""
            if twice in ("classes", "seen"):  # lists of names, which a file can hold together
                hint = ", joining the files (cat a.txt b.txt > all.txt)"
            elif twice in _OUTPUTS:
                hint = ", and run again for another file"
            raise UsageError(f"{option} given {names.count(twice)} times: give it once{hint}", ctx)
        try:
            return super().parse_args(ctx, args)  # prints the help, for --help
        except OSError as error:
            _exit_help_unwritten(error, _program(ctx))


# Files a run writes: given twice, the last alone was written, without a word (`--report
# r.html --report r.png` wrote no HTML report, `-s a.zsl -s b.zsl` stored nothing in a.zsl).
_OUTPUTS = ("output", "store", "export", "json_out", "report", "ls_config")

# Options of one value: given twice, the last won, so `-c seen.txt -c unseen.txt` labelled
# with the unseen classes alone, without a word; `--seen a.txt --seen b.txt` likewise measured
# with b's classes alone as the seen ones. `--truth` and `--embeddings` twice read as two truth
# folders or two stores, of which the first was dropped.
_ONE_VALUE_ONLY = (
    "classes",
    "attributes",
    "descriptions",
    "templates",
    "attribute_template",
    "description_template",
    "seen",
    "truth",
    "embeddings",
    *_OUTPUTS,
)


def _refuse_options_as_file_names(
    ctx: typer.Context, params: Sequence[Parameter], given: dict[str, Any], args: Sequence[str]
) -> None:
    """A UsageError where an option that names a file was given one of the command's own options
    as that name: the parser takes the word after `-o` as its value, so `-o -q` wrote the output
    to a file named '-q', without a word, where --quiet and stdout were meant."""
    options = [param for param in params if param.param_type_name == "option"]
    names = {name for param in options for name in (*param.opts, *param.secondary_opts)}
    naming_files = _options_naming_files(ctx.command.callback)
    for param in options:
        value = given.get(param.name or "")
        if param.name in naming_files and value in names:
            # As typed where it was a word of its own; `--output=-q` names the long option.
            typed = (opt for opt, word in pairwise(args) if opt in param.opts and word == value)
            option = next(typed, max(param.opts, key=len))
            raise UsageError(
                f"{option} got {value!r}, which is an option of {ctx.command_path}; to name a "
                f"file {value!r}, give ./{value}",
                ctx,
            )


def _options_naming_files(callback: Callable[..., Any] | None) -> frozenset[str]:
    """The parameters of a command's function whose option parses with file_name,
    read from the function's own annotations (`typer.Option(parser=...)`), as typer reads them:
    the parameter objects typer builds differ between releases (0.29's have no click `type`)."""
    if callback is None:
        return frozenset()
    return frozenset(
        name
        for name, parameter in inspect.signature(callback, eval_str=True).parameters.items()
        if any(
            getattr(info, "parser", None) is file_name
            for info in getattr(parameter.annotation, "__metadata__", ())
        )
    )


PROG = "zsl"  # the name `main` gives the program


def _program(ctx: Context | None = None) -> str:
    """The program's name as invoked, as the messages give it: `python -m zsl_cli.demo` runs
    this group too. Of `ctx`, else of the command running; PROG outside any (as typer builds
    the commands, or once they are done)."""
    ctx = ctx if ctx is not None else get_current_context(silent=True)
    return (ctx.find_root().info_name if ctx is not None else None) or PROG


def _require_stdout() -> None:
    """OSError where stdout is closed (`zsl --help >&-`): click writes nothing there, without a
    word, and the help or version went nowhere with exit status 0."""
    if sys.stdout is None or sys.stdout.closed:
        raise OSError(errno.EBADF, "it is closed")


def _exit_reader_gone() -> NoReturn:
    """The reader of stdout or stderr went away (`| head`): end quietly, with the status a
    process killed by SIGPIPE has, not 1 (which means failed images under --strict)."""
    from zsl_cli.files import point_at_devnull

    point_at_devnull(sys.stdout, sys.stderr)
    raise typer.Exit(EXIT_BROKEN_PIPE) from None


def _exit_help_unwritten(error: OSError, program: str) -> NoReturn:
    """The help or the version could not be written: its reader went away (typer's status was
    1), or stdout cannot take it (a full disk: a traceback and status 120)."""
    if isinstance(error, BrokenPipeError):
        _exit_reader_gone()
    _exit_stdout_failed(error, program)


def _exit_stdout_failed(error: OSError, program: str) -> NoReturn:
    """Stdout could not take the help: one line, not a traceback."""
    _say(f"{program}: error: cannot write to stdout: {error.strerror or error}")
    _drop_what_stdout_kept()
    raise typer.Exit(EXIT_USAGE) from None


def _drop_what_stdout_kept() -> None:
    """After an error, what stdout could not take (a full disk) may still be in its buffer:
    Python's flush at exit failed on it again, printed "Exception ignored" and exited 120."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):  # ValueError: closed
        from zsl_cli.files import point_at_devnull

        point_at_devnull(sys.stdout)


# Options that another command has for the same thing, by what this command calls it: after
# `zsl embed --store photos.zsl`, `zsl label --store photos.zsl` is what a user types first.
_READ_STORE = "a store made by 'zsl embed' is read with --embeddings STORE here"
_JSON_RESULTS = "the table goes to stdout (> FILE), and --json FILE writes the results as JSON"
_EMBED_OUTPUT = "the store is --store STORE (-s); --export FILE writes its embeddings out"
_EMBED_CLASSES = (
    "embed stores image embeddings only: give the classes to zsl label --embeddings STORE"
)
_EVALUATE_CLASSES = "evaluate takes the classes from the predictions, the true labels from --truth"
_NAMED_OTHERWISE = {
    ("label", "--store"): _READ_STORE,
    ("label", "-s"): _READ_STORE,
    ("hubness", "--store"): _READ_STORE,
    ("hubness", "-s"): _READ_STORE,
    ("embed", "--embeddings"): "the store to write is given with --store STORE (-s) here",
    ("label", "--json"): "write JSON with -f json (JSON Lines: -f jsonl), or -o FILE.json",
    ("evaluate", "-o"): _JSON_RESULTS,
    ("evaluate", "--output"): _JSON_RESULTS,
    ("hubness", "-o"): _JSON_RESULTS,
    ("hubness", "--output"): _JSON_RESULTS,
    ("embed", "-o"): _EMBED_OUTPUT,
    ("embed", "--output"): _EMBED_OUTPUT,
    ("hubness", "--hubness-reduction"): "hubness compares every method; --methods M,M picks which",
    ("hubness", "--top-k"): "its k is -k/--neighbours, the k-occurrence size; accuracy is top-1",
    ("embed", "-c"): _EMBED_CLASSES,
    ("embed", "--classes"): _EMBED_CLASSES,
    ("evaluate", "-c"): _EVALUATE_CLASSES,
    ("evaluate", "--classes"): _EVALUATE_CLASSES,
    ("label", "--methods"): "label applies one method, given with --hubness-reduction METHOD",
}


def _exit_on_usage_error(
    error: UsageError, program: str, subcommand: str | None = None
) -> NoReturn:
    """`program` as invoked and its `subcommand`: for an error that names no context."""
    if error.ctx is not None:
        program = error.ctx.find_root().info_name or program
    if isinstance(error, NoArgsIsHelpError):  # the help on stdout, as `zsl --help` prints it
        try:
            typer.echo(error.format_message())
        except BrokenPipeError:
            from zsl_cli.files import point_at_devnull

            point_at_devnull(sys.stdout)
        except OSError as write_error:
            _exit_stdout_failed(write_error, program)
        raise typer.Exit(error.exit_code) from None
    if error.ctx is not None:
        where = error.ctx.command_path
    else:
        where = " ".join(filter(None, [program, subcommand]))
    # click names the type where a value is not a number: "'abc' is not a valid int range".
    message = re.sub(
        r"is not a valid (int|integer|float) range",
        lambda match: "is not a whole number" if match[1] != "float" else "is not a number",
        error.format_message().rstrip("."),
    )
    hint = ""
    takes_files = error.ctx is not None and any(
        param.param_type_name == "argument" for param in error.ctx.command.params
    )
    unknown = error.option_name if isinstance(error, NoSuchOption) else None
    named_here = (
        _NAMED_OTHERWISE.get((error.ctx.info_name or "", unknown or "")) if error.ctx else None
    )
    if named_here is not None:
        # difflib's look-alikes of an option another command has (--ls-to-name, --strict and
        # --workers for label's --store) are no help.
        message = f"No such option: {unknown}: {named_here}"
    elif unknown is not None and takes_files and not unknown.startswith("--"):
        # `zsl label -x.jpg`: a short option to the parser, which cannot know the file.
        hint = "; a file whose name starts with '-': give it as ./NAME, or after --"
    _say(f"{program}: error: {message} (see '{where} --help'{hint})")
    raise typer.Exit(error.exit_code) from None


def _say(line: str) -> None:
    """One line on stderr, of a size to read even when it quotes a 100,000-character class name.
    Its reader going away, or a stderr that cannot be written, must not turn the exit status
    into 1."""
    from zsl_cli.formatting import clipped_middle, printable_text

    # Not every message quotes what the user typed through `printable` (a model name, a class
    # file's name, a --device): a newline there broke the line, and an escape sequence reached
    # the terminal. Bytes that are not UTF-8 then show as \xNN, as in the messages that do.
    line = clipped_middle(printable_text(line))
    try:
        # Not typer.echo: on an ASCII stderr it writes UTF-8 with '?' for what UTF-8 cannot
        # hold, losing a file name's undecodable bytes; Python's stderr escapes them.
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except OSError:  # its reader went away, or it cannot be written (EIO, ENOSPC)
        from zsl_cli.files import point_at_devnull

        point_at_devnull(sys.stderr)


TOP_EXAMPLES = """\
Examples:

\b
  zsl label ./photos --classes classes.txt -o predictions.csv
  zsl label sample_images -c sample_images/classes.txt -m shapes-demo   # in a zsl checkout
  zsl embed ./photos --store photos.zsl
  zsl evaluate predictions.csv --truth ./labelled-photos

Run 'zsl COMMAND --help' for a command's options and more examples.
"""

app = typer.Typer(
    cls=ZslGroup,
    name="zsl",
    help="Zero-shot labelling of image folders with CLIP/SigLIP-style models.\n\n"
    "Data goes to stdout or -o; progress, summaries and warnings go to stderr.\n\n"
    "Exit codes: 0 success; 1 no image labelled or embedded, or (only with --strict) some "
    "images failed or a folder could not be read; 2 usage error, bad input file or model not "
    "available; 70 internal error (a traceback, to report); 130 interrupted (Ctrl-C, SIGTERM "
    "or SIGHUP); 141 the reader of stdout or stderr went away (| head).",
    epilog=TOP_EXAMPLES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: Rich's panels cost more time than the rest of `zsl label --help` together.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)

# -- options shared by several commands ---------------------------------------------------------


def file_name(value: str) -> str:
    """The value of an option that names a file or folder, kept as typed: a Path drops a
    trailing '/' that says a folder was meant (`--ls-config cfg/` wrote a file named cfg). ''
    (`--truth "$TRUTH"` with the variable unset) names none: as a Path it was the current
    folder, and `--json ''` was taken for no --json at all."""
    if not value:
        raise typer.BadParameter("'' names no file or folder (an unset shell variable?)")
    return value


# Explicit metavars: typer's own (<str>, <path>, <int range>) say nothing about what to give.
Paths = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="PATH...",
        help="Image folders (walked recursively), image files, glob patterns, or '-' to read a "
        "path list from stdin.",
        show_default=False,
    ),
]
ModelName = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        metavar="MODEL",
        help="Bundled model name (shapes-demo, works offline), local save_pretrained "
        "directory, or Hugging Face hub id.",
    ),
]
TRUTH_HELP = (
    "Ground truth: a folder of class sub-folders, or a CSV with a path and a label column "
    "(or file/image, class/category; relative paths start at the CSV's folder)"
)
# An option whose metavar is its name in capitals is named explicitly: typer 0.27 took such a
# metavar for the name (`--DEVICE`), and `--device` was refused.
Device = Annotated[
    str,
    typer.Option(
        "--device",
        metavar="DEVICE",
        help="auto (CUDA if available, else MPS, else CPU), cpu, cuda, cuda:N or mps.",
    ),
]
Precision = Annotated[
    str,
    typer.Option(
        "--precision",
        metavar="PRECISION",
        help="auto (fp32 on CPU, fp16 on a GPU), fp32, fp16 or bf16.",
    ),
]
BatchSize = Annotated[
    int | None,
    typer.Option(
        "--batch-size",
        "-b",
        min=1,
        metavar="N",
        help="Images per forward pass.  [default: 256 on a CUDA GPU, else 16]",
        show_default=False,
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-j",
        min=1,
        metavar="N",
        help="Decode workers: threads, or processes when the model runs on a CUDA GPU.  "
        "[default: one per core, at most 32]",
        show_default=False,
    ),
]
ExactPreprocessing = Annotated[
    bool,
    typer.Option(
        "--exact-preprocessing",
        help="Decode JPEGs at full size (no draft mode) and resize with Pillow as the model's "
        "processor does, so pixels match the transformers reference exactly; slower.",
    ),
]
TrustRemoteCode = Annotated[
    bool,
    typer.Option(
        "--trust-remote-code", help="Allow models whose repository ships its own Python code."
    ),
]
Revision = Annotated[
    str | None,
    typer.Option(
        metavar="REV",
        help="A hub model's version: a branch, tag or commit hash.  [default: main]",
        show_default=False,
    ),
]
Classes = Annotated[
    str | None,
    typer.Option(
        "--classes",
        "-c",
        parser=file_name,
        metavar="FILE",
        help="classes.txt: one class per line ('#' lines are comments); "
        "'name: prompt one; prompt two' gives a class its own prompts.",
        show_default=False,
    ),
]
Attributes = Annotated[
    str | None,
    typer.Option(
        parser=file_name,
        metavar="FILE.csv",
        help="CSV 'class,<attr1>,...' with one row of attribute weights per class; it defines "
        "the classes (not with --classes or --descriptions).",
        show_default=False,
    ),
]
Descriptions = Annotated[
    str | None,
    typer.Option(
        parser=file_name,
        metavar="FILE.json",
        help='JSON {"class": ["descriptor", ...]}; alone or with --classes.',
        show_default=False,
    ),
]
Templates = Annotated[
    str,
    typer.Option(
        "--templates",
        "-t",
        metavar="TEMPLATES",
        help="Prompts for classes without their own: a built-in set (default = 'a photo of a "
        "{}.', imagenet80, imagenet7, bare = '{}'), a file with one template per line, or a "
        "literal such as 'a satellite photo of {}.'",
    ),
]
AttributeTemplate = Annotated[
    str,
    typer.Option(
        metavar="TEXT",
        help="Prompt for each attribute of --attributes ({} = the attribute's column name, or "
        "its phrase from a '#phrase' row under the header).",
    ),
]
DescriptionTemplate = Annotated[
    str,
    typer.Option(
        metavar="TEXT",
        help="Prompt for --descriptions (the first {} = class, the second = descriptor; or "
        "{0} and {1}: '{1}' uses descriptors that are whole prompts as they are).",
    ),
]
Embeddings = Annotated[
    str | None,
    typer.Option(
        parser=file_name,
        metavar="STORE",
        help="Embedding store made by 'zsl embed': read the images' vectors from it instead "
        "of the images (without PATHs: every image it holds for the model).",
        show_default=False,
    ),
]
StdinNul = Annotated[
    bool, typer.Option("--null", "-0", help="With '-', the stdin path list is NUL-separated.")
]
DEFAULT_EXTENSIONS = ", ".join(sorted(extension[1:] for extension in IMAGE_EXTENSIONS))
# Options that take comma-separated lists may also be repeated, each adding to the list: where
# `--ext jpg --ext png` kept only png, a run left out every JPEG with no word said.
Extensions = Annotated[
    list[str] | None,
    typer.Option(
        "--ext",
        metavar="EXTS",
        help="Comma-separated file extensions to pick up in folders and globs, such as jpg,png "
        f"(replaces the default list; repeatable).  [default: {DEFAULT_EXTENSIONS}]",
        show_default=False,
    ),
]
IncludeHidden = Annotated[
    bool,
    typer.Option(
        "--include-hidden", help="Also walk hidden files and folders (names starting with '.')."
    ),
]
MaxPixels = Annotated[
    int | None,
    typer.Option(
        min=1,
        metavar="N",
        help="Skip images larger than this many pixels (status "
        "too_large).  [default: Pillow's limit, about 89.5 MP]",
        show_default=False,
    ),
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="Nothing on stderr but errors: no progress bar, summary or warnings."
    ),
]
# label and hubness take the same class options, so both can show the prompts they make.
ShowPrompts = Annotated[
    bool,
    typer.Option(
        "--show-prompts",
        help="Print the prompts each class is scored with to stdout, as CSV 'class,weight,"
        "prompt' (a class's vector is the weighted sum of its prompts' embeddings), and "
        "exit: only the class options (-c, --attributes, --descriptions and the templates) "
        "are read, no image and no model (the prompts do not depend on it), so PATHs and the "
        "other options are not needed and are ignored if given.",
    ),
]
ReportQuiet = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Nothing on stderr but errors: no warnings, nor the table when --json - puts the "
        "JSON on stdout.",
    ),
]


def _version(value: bool) -> None:
    if value:
        _require_stdout()
        typer.echo(f"zsl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """The app's help says what `zsl` does; this only adds --version."""


def _require_current_folder() -> None:
    """Refuse to run in a current folder that was deleted (`cd x; rmdir ../x`): relative paths
    mean nothing there, and torch's oneMKL cannot even load."""
    try:
        os.getcwd()
    except OSError as error:
        raise ZslError(
            f"the current folder cannot be found ({error.strerror}; deleted?): "
            "cd to a folder that exists and run again"
        ) from None


def _comma_list(values: list[str] | None) -> tuple[str, ...] | None:
    """The items of a repeatable option like `--methods a,b --methods c`; '' is no item (an
    error where one is needed), not the option left out."""
    if values is None:
        return None
    return tuple(filter(None, map(str.strip, ",".join(values).split(","))))


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


def _inputs(
    paths: list[str] | None,
    *,
    null: bool,
    ext: list[str] | None,
    include_hidden: bool,
    max_pixels: int | None,
    quiet: bool,
    instead: tuple[str, str | None],
) -> InputOptions:
    """The input options shared by label, embed and hubness. `instead`: the option that makes
    the paths optional (label's --embeddings, embed's --export) and its value."""
    from zsl_cli.api import InputOptions

    paths = list(paths or [])
    option, value = instead
    if not paths and value is None:
        raise ZslError(
            f"no images given: pass folders/files, or '-' for a path list on stdin, or {option}"
        )
    listed = "-" in paths
    return InputOptions(
        paths=tuple(paths),
        stdin=_stdin(quiet, "image paths", "one per line", "the list") if listed else None,
        nul_separated=null,
        extensions=_comma_list(ext),
        include_hidden=include_hidden,
        max_pixels=max_pixels,
    )


def _stdin(quiet: bool, what: str, how: str, ending: str) -> IO[bytes] | None:
    """The process's stdin as bytes (None where it is closed) that, unless `quiet`, says as it is
    first read, where it is a terminal, that `what` is read from it: said then, not now, the
    errors that the command line alone shows (no --classes, a --truth not there) come first."""
    if sys.stdin is None or quiet:
        return None if sys.stdin is None else sys.stdin.buffer
    told = _SaysWhenRead(sys.stdin.buffer, lambda: _tell_reading_a_terminal(what, how, ending))
    return cast(IO[bytes], told)  # read as discovery and readers read a stream


class _SaysWhenRead(io.BufferedIOBase):
    """A binary stream that calls `say` once, before it is first read; a file it reads (`<
    p.csv`) is read in place, as without it, not copied as a pipe is."""

    def __init__(self, stream: IO[bytes], say: Callable[[], None]) -> None:
        super().__init__()
        self._stream = stream
        self._say: Callable[[], None] | None = say

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:  # the file `< list.txt` reads, which no output may replace
        return self._stream.fileno()

    def read(self, size: int | None = -1) -> bytes:
        self._said()
        return self._stream.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        self._said()
        return getattr(self._stream, "read1", self._stream.read)(size)

    def seekable(self) -> bool:
        return self._stream.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def _said(self) -> None:
        if self._say is not None:
            say, self._say = self._say, None
            say()


def _tell_reading_a_terminal(what: str, how: str, ending: str) -> None:
    """Say that stdin is read when it is a terminal: else the command waits without a word for
    input the user may not know it wants."""
    if sys.stdin is not None and sys.stdin.isatty():
        end = "Ctrl-Z then Enter" if os.name == "nt" else "Ctrl-D"
        _say(f"{_program()}: reading {what} from the terminal, {how}; {end} ends {ending}")


def _model_options(
    name: str,
    *,
    device: str,
    precision: str,
    batch_size: int | None,
    workers: int | None,
    exact_preprocessing: bool,
    trust_remote_code: bool,
    revision: str | None,
) -> ModelOptions:
    """The model options shared by label, embed and hubness."""
    from zsl_cli.api import ModelOptions

    # The process ends after one command: freezing what the load allocated spares the collector
    # a full pass over it after the load and its final passes at exit.
    return ModelOptions(
        name,
        device=device,
        precision=precision,
        batch_size=batch_size,
        workers=workers,
        exact_preprocessing=exact_preprocessing,
        trust_remote_code=trust_remote_code,
        revision=revision,
        freeze_after_load=True,
    )


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
            help="Output file, or '-' for stdout; the run's settings go to FILE.run.json beside "
            "it (into the file itself for --format json).  [default: stdout]",
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
            min=0,
            metavar="N",
            help="Classes to list per image with their scores, best first, the label included "
            "(0 = all). 'zsl evaluate -k K' needs K or more; its --seen calibrated stacking "
            "needs all.",
        ),
    ] = 5,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
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
            help="Label Studio: name of the Image tag in your labelling config (its value "
            "must be $image, the task's data key).",
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
        on_stderr_terminal,
        render_label_summary,
        stderr_console,
    )

    class_options = _class_options(
        classes=classes,
        attributes=attributes,
        descriptions=descriptions,
        templates=templates,
        attribute_template=attribute_template,
        description_template=description_template,
    )
    if show_prompts:
        _show_prompts(class_options, quiet)
        return
    studio = _ls_options(
        output,
        fmt,
        ls_from_name,
        ls_to_name,
        ls_document_root,
        ls_url_prefix,
        ls_model_version,
        ls_config,
    )
    request = api.LabelRequest(
        inputs=_inputs(
            paths,
            null=null,
            ext=ext,
            include_hidden=include_hidden,
            max_pixels=max_pixels,
            quiet=quiet,
            instead=("--embeddings STORE", embeddings),
        ),
        classes=class_options,
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
        decision=api.Decision(top_k, threshold),
        output=api.OutputOptions(output, fmt, studio),
        embeddings=embeddings,
        hubness_reduction=hubness_reduction,
    )
    # The rows are the progress where they show on the terminal the bar would be drawn on.
    progress = ProgressBar(quiet or on_stderr_terminal(output))
    report = _run(lambda warn: api.label(request, progress=progress, warn=warn), quiet)
    if not quiet:
        render_label_summary(
            stderr_console(),
            report.run_info["summary"],
            report.output,
            store=report.run_info["embeddings"],
            model_options=_chosen_model(model, revision),
            config=ls_config,
            none_labelled=report.none_labelled,
            failed_examples=report.failed_examples,
        )
    partial = report.failed or report.unreadable_folders
    _exit(report, none_usable=report.none_labelled, partial=bool(partial), strict=strict)


# What `_run` gives back: the report of the library's call it makes.
_Report = TypeVar("_Report", "LabelReport", "EmbedReport")


def _run(call: Callable[[Callable[[str], None] | None], _Report], quiet: bool) -> _Report:
    """The report of label's or embed's `call`, given where to tell warnings: a Ctrl-C comes as
    Interrupted once the finished work is saved, and its report is shown as a finished run's.
    Warnings show as the library tells them; those it did not tell, once the run is over."""
    from zsl_cli.summary import render_warnings, stderr_console

    shown = _WarningsShown()
    try:
        report = call(None if quiet else shown)
    except Interrupted as stop:
        report = cast(_Report, stop.report)  # what `call` stops with
    if not quiet:
        render_warnings(stderr_console(), shown.not_shown(report.warnings))
    return report


def _exit(
    report: LabelReport | EmbedReport, *, none_usable: bool, partial: bool, strict: bool
) -> NoReturn:
    """Ends label and embed. A run that labelled or embedded none of its images failed, --strict
    or not: a `set -e` script must not go on with an output of failure rows only (written all
    the same: their reasons are the run's result; the store keeps the failures). `partial`:
    some images failed or a folder could not be read, which fails the run under --strict."""
    if report.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(EXIT_PARTIAL if none_usable or (strict and partial) else EXIT_OK)


def _show_prompts(options: ClassOptions, quiet: bool) -> None:
    """label's and hubness's --show-prompts: the class files' warnings on stderr, then the
    prompts on stdout."""
    from zsl_cli import api
    from zsl_cli.files import open_sink
    from zsl_cli.summary import render_warnings, stderr_console
    from zsl_cli.writers import write_class_prompts

    sink = open_sink(None)  # a closed stdout fails before the class files are read
    listed = api.class_prompts(options)
    if not quiet:
        render_warnings(stderr_console(), listed.warnings)
    write_class_prompts(sink, listed.prompts)
    sink.publish(None)


class _WarningsShown:
    """Shows each warning on stderr as the library hears it (those of the class file before the
    images are encoded, not after the last), and tells which of a run's warnings it has not
    shown: the library lists the warnings it told first, in the order told."""

    def __init__(self) -> None:
        self._shown = 0

    def __call__(self, warning: str) -> None:
        from zsl_cli.summary import render_warnings, stderr_console

        render_warnings(stderr_console(), [warning])
        self._shown += 1

    def not_shown(self, warnings: Sequence[str]) -> list[str]:
        return list(warnings[self._shown :])


def _chosen_model(name: str, revision: str | None) -> tuple[str, ...]:
    """The options that chose the model, as another command takes them: a store keeps each
    model's images apart, and `zsl embed` without them encodes with the default model."""
    chosen = () if name == DEFAULT_MODEL else ("-m", name)
    return chosen if revision is None else (*chosen, "--revision", revision)


def _ls_options(
    output: str | None,
    fmt: str | None,
    from_name: str,
    to_name: str,
    document_root: str | None,
    url_prefix: str | None,
    model_version: str | None,
    config: str | None,
) -> LabelStudioOptions | None:
    """The --ls-* options for label-studio output; None for another format, where they would be
    ignored, so giving one is an error."""
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
    )
    given = [
        "--ls-" + field.name.replace("_", "-")
        for field in dataclasses.fields(studio)
        if getattr(studio, field.name) != field.default
    ]
    if output_format(output, fmt) == "label-studio":
        return studio
    if given:
        raise ZslError(f"{', '.join(given)}: only for label-studio output (add -f label-studio)")
    return None


def _typed_text(value: str, option: str) -> str:
    """Text typed on the command line (a template, a model version). In a C locale Python reads
    its non-ASCII bytes as surrogate escapes, which tokenizers refuse and JSON would keep as
    \\udcXX: they are the UTF-8 that terminals send."""
    if value.isascii() or not any("\udc80" <= character <= "\udcff" for character in value):
        return value
    try:
        return os.fsencode(value).decode("utf-8")
    except UnicodeDecodeError:
        raise ZslError(f"{option}: the text given is not UTF-8") from None


def _class_options(
    *,
    classes: str | None,
    attributes: str | None,
    descriptions: str | None,
    templates: str,
    attribute_template: str,
    description_template: str,
) -> ClassOptions:
    from zsl_cli import api
    from zsl_cli.prompts import is_template_file

    if not is_template_file(templates):  # a file's name stays a path
        templates = _typed_text(templates, "--templates")
    return api.ClassOptions(
        classes=classes,
        attributes=attributes,
        descriptions=descriptions,
        templates=templates,
        attribute_template=_typed_text(attribute_template, "--attribute-template"),
        description_template=_typed_text(description_template, "--description-template"),
    )


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
                "Exit with code 1 when any image failed, in this run or stored as failed, or a "
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
    from zsl_cli.summary import ProgressBar, render_embed_summary, stderr_console

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
    report = _run(lambda warn: api.embed(request, progress=progress, warn=warn), quiet)
    if not quiet:
        render_embed_summary(
            stderr_console(),
            report.to_json(),
            failed_retried=report.failed_retried,
            none_usable=report.none_usable,
        )
    partial = (
        report.failed or report.reused_failed or report.unreachable or report.unreadable_folders
    )
    _exit(report, none_usable=report.none_usable, partial=bool(partial), strict=strict)


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
            parser=file_name,
            metavar="DIR_OR_CSV",
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
            "('unknown' misses at every k); a k above the --top-k the predictions were labelled "
            "with is n/a.  [default: 1,5]",
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
    result = api.evaluate(request)
    if not quiet:
        render_warnings(stderr_console(), result.warnings)
    if console is not None:
        # The whole table in a file or a pipe; on a terminal, the worst classes. The stream's
        # own answer: rich's is_terminal is True anywhere under FORCE_COLOR or TTY_COMPATIBLE=1.
        render_evaluation(console, result, max_rows=20 if console.file.isatty() else None)


def _report_console(json_out: str | None, quiet: bool) -> Console | None:
    """Where a report's tables go: they are the command's output, so stdout, unless --json
    puts the JSON there (then stderr, or nowhere under --quiet)."""
    from zsl_cli.summary import stderr_console, stdout_console

    if json_out != "-" and not _writes_into_stdout(json_out):
        return stdout_console()
    return None if quiet else stderr_console()


def _writes_into_stdout(path: str | None) -> bool:
    """Whether `path` is what stdout writes into (/dev/stdout, /dev/fd/1, the file `>` named):
    a table written there as well broke into the JSON, or was lost when the JSON replaced it."""
    from zsl_cli.files import stdout_status

    status = stdout_status()
    if path is None or status is None:
        return False
    try:
        return os.path.samestat(os.stat(path), status)
    except (OSError, ValueError):  # not there yet; a name no file can have (a NUL in it)
        return False


def _ks(values: list[str] | None) -> tuple[int, ...]:
    value = "1,5" if values is None else ",".join(values)
    try:
        ks = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        ks = ()
    if not ks:
        raise ZslError(f"--top-k '{value}': give comma-separated whole numbers, e.g. 1,5")
    return ks


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
            min=1,
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
            parser=file_name,
            metavar="DIR_OR_CSV",
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
    if show_prompts:  # before --json's checks: it is one of the options ignored
        _show_prompts(class_options, quiet)
        return
    console = _report_console(json_out, quiet)  # before the work: stdout may be closed
    shown = _WarningsShown()
    report = api.hubness(
        api.HubnessRequest(
            inputs=_inputs(
                paths,
                null=null,
                ext=ext,
                include_hidden=include_hidden,
                max_pixels=max_pixels,
                quiet=quiet,
                instead=("--embeddings STORE", embeddings),
            ),
            classes=class_options,
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
            embeddings=embeddings,
            k=k,
            methods=_hubness_methods(methods),
            truth=truth,
            seen=seen,
            json_out=json_out,
        ),
        progress=ProgressBar(quiet),
        warn=None if quiet else shown,
    )
    if not quiet:
        render_warnings(stderr_console(), shown.not_shown(report.warnings))
    if console is not None:
        render_hubness(console, report)


def main() -> None:
    # `timeout`, `kill` and container stops send SIGTERM: stop as on Ctrl-C, keeping finished work.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # A closed terminal or dropped ssh session sends SIGHUP: by default it kills the process
    # mid-write, leaving the output's temporary file behind and the finished work unsaved.
    # Under nohup (SIGHUP ignored) it stays ignored.
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) == signal.SIG_DFL:
        signal.signal(signal.SIGHUP, signal.default_int_handler)
    if sys.stderr is None:  # started with stderr closed (`2>&-`): messages go nowhere
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    try:
        app(prog_name=PROG)
    except KeyboardInterrupt:  # while typer builds the commands, before any of them runs
        _say(f"{PROG}: interrupted")
        _exit_interrupted()
    except SystemExit as stop:
        if stop.code == EXIT_INTERRUPTED:
            _exit_interrupted()
        # The command is over, its files published: a stop signal while the interpreter shuts
        # down (0.2 s) printed a KeyboardInterrupt traceback or ended the process by the signal.
        _ignore_stop_signals()
        raise
    except Exception as error:  # noqa: BLE001 - what no check foresaw: a bug, to report
        _exit_internal_error(error)


def _exit_internal_error(error: Exception) -> NoReturn:
    """The traceback, which a bug report needs, then one line saying what it is, and exit status
    EXIT_INTERNAL: Python's own status for it, 1, is the one a script reads as a run that
    completed with some images failed."""
    import traceback

    traceback.print_exception(error)
    _say(
        f"{PROG}: internal error: {type(error).__name__} (unexpected; please report it with the "
        "traceback above)"
    )
    _ignore_stop_signals()
    sys.exit(EXIT_INTERNAL)


def _ignore_stop_signals() -> None:
    for number in stop_signals():
        signal.signal(number, signal.SIG_IGN)


def _exit_interrupted() -> NoReturn:
    """End the process now with EXIT_INTERRUPTED.

    Under `python -m zsl_cli`, a KeyboardInterrupt raised while exec() or eval() ran a string
    (dataclasses and typer build functions that way, so a signal can land there while modules
    load) makes CPython end the process by SIGINT at exit even though zsl handled it: a parent
    saw the process killed by SIGINT, also for a SIGTERM, instead of exit status 130. Ending
    here skips the interpreter's exit handlers: the run has published or removed its files by
    now, and the one handler that mattered, which stopped decode processes, is done here."""
    _ignore_stop_signals()  # another Ctrl-C must not break the ending
    # A decode process pool that the interrupt caught before its queue could be closed (as it
    # started, while the model loads) would run on for ever, holding stdout and stderr open.
    import multiprocessing

    for child in multiprocessing.active_children():
        child.kill()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader gone, a full disk, a stream closed
            pass
    os._exit(EXIT_INTERRUPTED)
