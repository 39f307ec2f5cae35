"""What every `zsl` command shares: the Typer app and its group and command classes, which
turn a ZslError or a command line that does not parse into one stderr line and its exit code;
the handling of stdout and stderr; the options several commands take, and the helpers that
turn them into the library's requests and show its warnings.

Nothing heavy is imported at module level so `zsl --help` answers at once.
"""

from __future__ import annotations

import errno
import inspect
import io
import os
import re
import sys
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import IO, TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar, cast

import typer

# typer (0.26+, as pyproject asks) carries its own copy of click: its classes, not click's.
from typer._click.exceptions import NoArgsIsHelpError, NoSuchOption, UsageError
from typer._click.globals import get_current_context
from typer._click.types import FloatRange, IntRange
from typer.core import TyperCommand, TyperGroup

from zsl_cli import __version__
from zsl_cli.defaults import IMAGE_EXTENSIONS
from zsl_cli.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    Interrupted,
    OutputKept,
    ZslError,
)
from zsl_cli.formatting import grapheme_boundary, printable, quoted_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text
    from typer._click.core import Context, Parameter

    from zsl_cli.api import (
        ClassOptions,
        EmbedReport,
        HubnessRequest,
        InputOptions,
        LabelReport,
        LabelRequest,
        ModelOptions,
    )


class ZslGroup(TyperGroup):
    """Turns the library's ZslError, and a command line that does not parse, into one stderr line
    and its exit code, for every command; no command runs in a deleted current folder."""

    def get_help(self, ctx: Context) -> str:
        require_stdout()
        return super().get_help(ctx)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as error:  # options of `zsl` itself
            _exit_on_usage_error(error, info_name or PROG)
        except OSError as error:  # the help or version into `| head -0` or /dev/full
            _exit_help_unwritten(error, info_name or PROG)

    def invoke(self, ctx: Context) -> Any:
        try:
            _require_current_folder()
            return super().invoke(ctx)
        except ZslError as error:
            _say(f"{_program(ctx)}: error: {error.cli_message or error.message}")
            _drop_what_stdout_kept()
            raise typer.Exit(error.exit_code) from None
        except UsageError as error:  # a command's options and arguments
            _exit_on_usage_error(error, _program(ctx), ctx.invoked_subcommand)
        except KeyboardInterrupt:  # before any work was done (a run's own is reported by it)
            _say(f"{_program(ctx)}: interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            _exit_reader_gone()
        except MemoryError as error:
            # A limit of the system (ulimit -v, strict overcommit), not a bug to report: said
            # as out of memory while the model loads is, with the limit to raise.
            from zsl_cli.encoders.limits import system_limit

            _say(f"{_program(ctx)}: error: {system_limit(error)}")
            _drop_what_stdout_kept()
            raise typer.Exit(EXIT_USAGE) from None


class ZslCommand(TyperCommand):
    """A command whose usage line shows a required argument as its help does (`PREDICTIONS`):
    typer 0.27+ puts it in braces (`{PREDICTIONS}`), which read as a literal to type."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        braced = {f"{{{param.metavar}}}" for param in self.params if param.metavar}
        pieces = super().collect_usage_pieces(ctx)
        return [piece[1:-1] if piece in braced else piece for piece in pieces]

    def get_help(self, ctx: Context) -> str:
        require_stdout()
        return super().get_help(ctx)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
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
    ctx: Context, params: Sequence[Parameter], given: dict[str, Any], args: Sequence[str]
) -> None:
    """A UsageError where an option that names a file was given one of the command's own options
    as that name: the parser takes the word after `-o` as its value, so `-o -q` wrote the output
    to a file named '-q', without a word, where --quiet and stdout were meant; so did `-o
    --top-k=3` and `-o -k3.csv`, an option with its value attached. Also where the name starts
    with '=': `-o=out.csv` gives -o the value '=out.csv', and wrote a file of that name."""
    options = [param for param in params if param.param_type_name == "option"]
    naming_files = _options_naming_files(ctx.command.callback)
    for param in options:
        value = given.get(param.name or "")
        if param.name not in naming_files or not isinstance(value, str):
            continue
        if value.startswith("="):
            short = min(param.opts, key=len)
            long = max(param.opts, key=len)
            meant = value[1:]
            raise UsageError(
                f"{_typed_option(param.opts, value, args)} got {value!r}: to name {meant!r}, "
                f"write {short} {meant} or {long}={meant}; to name a file {value!r}, give "
                f"./{value}",
                ctx,
            )
        what = _option_in(value, options)
        if what is not None:
            raise UsageError(
                f"{_typed_option(param.opts, value, args)} got {value!r}, which "
                f"{'is' if what == 'an option' else 'reads as'} {what} of {ctx.command_path}; "
                f"to name a file {value!r}, give ./{value}",
                ctx,
            )


def _typed_option(opts: Sequence[str], value: str, args: Sequence[str]) -> str:
    """The option of `opts` that was given `value`, as typed: before it as a word of its own, or
    with the value attached (`-o=x`); the long option where that cannot be told."""
    for word, following in pairwise([*args, ""]):
        if word in opts and following == value:
            return word
        for name in opts:
            if word in (name + value, f"{name}={value}"):
                return name
    return max(opts, key=len)


def _option_in(value: str, options: Sequence[Parameter]) -> str | None:
    """What `value` reads as among the command's `options`, as the parser would read it as a
    word of its own: one of them (`-q`, `--top-k`), a long one with its value (`--top-k=3`), a
    short one that takes a value with it attached (`-k3`), or a bundle of short flags, perhaps
    ending in one that takes a value (`-q0`, `-qk3`); None where it is none of these (`-x.png`,
    `-`, `--store.csv`)."""
    by_name = {name: param for param in options for name in (*param.opts, *param.secondary_opts)}
    if value in by_name:
        return "an option"
    if value.startswith("--"):
        head, equals, _ = value.partition("=")
        return f"the option {head} with its value" if equals and head in by_name else None
    if not value.startswith("-") or len(value) < 2:
        return None
    read = []
    for letter in value[1:]:
        param = by_name.get("-" + letter)
        if param is None:
            return None
        read.append("-" + letter)
        if not (getattr(param, "is_flag", False) or getattr(param, "count", False)):
            break  # the rest of the word is its value
    else:
        return f"the options {' '.join(read)}"
    if len(read) == 1:
        return f"the option {read[0]} with its value"
    return f"the options {' '.join(read)} with {read[-1]}'s value"


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


def require_stdout() -> None:
    """OSError where stdout is closed (`zsl --help >&-`): click writes nothing there, without a
    word, and the help or version went nowhere with exit status 0."""
    if sys.stdout is None or sys.stdout.closed:
        raise OSError(errno.EBADF, "it is closed")


def _exit_reader_gone() -> NoReturn:
    """The reader of stdout or stderr went away (`| head`): end quietly, with the status a
    process killed by SIGPIPE has, not 1 (which means failed images under --strict). The
    program's entry point (cli.main) then ends the process by SIGPIPE itself."""
    from zsl_cli.files import point_at_devnull

    point_at_devnull(sys.stdout, sys.stderr)
    raise typer.Exit(EXIT_BROKEN_PIPE) from None


def _exit_help_unwritten(error: OSError, program: str) -> NoReturn:
    """The help or the version could not be written: its reader went away (typer's status was
    1), or stdout cannot take it (a full disk: a traceback and status 120)."""
    if isinstance(error, BrokenPipeError):
        _exit_reader_gone()
    exit_stdout_failed(error, program)


def exit_stdout_failed(error: OSError, program: str) -> NoReturn:
    """Stdout could not take the help (or the demo's table): one line, not a traceback."""
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
            exit_stdout_failed(write_error, program)
        raise typer.Exit(error.exit_code) from None
    if error.ctx is not None:
        where = error.ctx.command_path
    else:
        where = " ".join(filter(None, [program, subcommand]))
    # A value that is not a number is said so in words by WholeNumbers and Numbers, not by
    # click's name of the type ("'abc' is not a valid int range").
    message = error.format_message().rstrip(".")
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
    from zsl_cli.formatting import clipped_middle, encodable, printable_text

    # Not every message quotes what the user typed through `printable` (a model name, a class
    # file's name, a --device): a newline there broke the line, and an escape sequence reached
    # the terminal. Bytes that are not UTF-8 then show as \xNN, as in the messages that do.
    line = clipped_middle(printable_text(line))
    try:
        # Not typer.echo: on an ASCII stderr it writes UTF-8 with '?' for what UTF-8 cannot
        # hold, losing a file name's undecodable bytes. Nor Python's stderr escapes alone: they
        # write é as \xe9, as a byte that is not UTF-8 shows; `encodable` writes \u00e9.
        line = encodable(line, getattr(sys.stderr, "encoding", None) or "utf-8")
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
    "images failed or a path or folder could not be read; 2 usage error, bad input file or "
    "model not available; 70 internal error (a traceback, to report); 130 interrupted "
    "(Ctrl-C, SIGTERM or SIGHUP; after a Ctrl-C the process ends by SIGINT, which a shell "
    "shows as 130); 141 the reader of stdout or stderr went away (| head; the process ends by "
    "SIGPIPE).",
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


# Python's int() and float() read more than a number typed in ASCII: '1_5' as 15, and other
# scripts' digits ('١٥', full-width '１５'), so a mistyped value ran with a number never meant.
# White space around it means nothing: `wc -l` on macOS pads its count with spaces, and a
# number copied from a web page or a PDF may bring a no-break or thin space.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
# A decimal with an optional exponent, or NaN or an infinity: those the ranges and the library
# check, with their own refusals.
_NUMBER = re.compile(
    r"[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?|nan|inf|infinity)", re.IGNORECASE
)


def whole_number(text: str) -> int:
    """The whole number `text` is, typed in the digits 0-9 with an optional sign; ValueError
    for anything else int() reads."""
    text = text.strip()
    if _WHOLE_NUMBER.fullmatch(text) is None:
        raise ValueError(f"not a whole number: {text!r}")
    return int(text)


def number(text: str) -> float:
    """The number `text` is, as a decimal in the digits 0-9 with an optional exponent, or NaN
    or an infinity; ValueError for anything else float() reads."""
    text = text.strip()
    if _NUMBER.fullmatch(text) is None:
        raise ValueError(f"not a number: {text!r}")
    return float(text)


# `0,5`, a half as most of Europe, Russia and Latin America write it; not `1,000`, a thousand
# where a point is the decimal mark (as the attributes table's cells are told).
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]*,[0-9]+")
_THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2},[0-9]{3}")


def misread_number(text: str, what: str, python_reads: Callable[[str], object]) -> str | None:
    """Why `text` is not `what` where a user sees one: Python would read it ('1_5', '١٥'), or
    it has too many digits; None for text that is no number."""
    try:
        python_reads(text)
    except ValueError:
        if _WHOLE_NUMBER.fullmatch(text.strip()):  # past int()'s 4,300 digits
            return f"{_shown(text)} has too many digits"
        return None
    return f"{_shown(text)} is not {what} written in the digits 0-9"


def _shown(text: str) -> str:
    """A value as a message quotes a name (`quoted_text`): one pasted by mistake may be long,
    and its start, cut between grapheme clusters, and length are enough to tell it."""
    if len(text) <= 40:
        return quoted_text(text)
    start = text[: grapheme_boundary(text, 20, forward=False)]
    return f"{quoted_text(start)}... ({len(text):,} characters)"


def _not_a_number(text: str, what: str, python_reads: Callable[[str], object]) -> str:
    """Why `text` is not `what`: where Python would read it as one ('1_5', '١٥'), a user
    sees a number, and is told what is missing."""
    return misread_number(text, what, python_reads) or f"{_shown(text)} is not {what}"


def _decimal_point_hint(text: str) -> str:
    """What to write for a number typed with a decimal comma, `0,5`."""
    typed = text.strip()
    if _DECIMAL_COMMA.fullmatch(typed) and not _THOUSANDS.fullmatch(typed):
        return f" (write it with a decimal point: {typed.replace(',', '.')})"
    return ""


class _RangeShownWhenBounded:
    """A range type's help says its bounds, and nothing where it has none: click's says
    `x<=None` then."""

    min: Any
    max: Any

    def _describe_range(self) -> str:
        if self.min is None and self.max is None:
            return ""
        return super()._describe_range()  # type: ignore[misc]


class WholeNumbers(_RangeShownWhenBounded, IntRange):
    """An int option's type (typer's `click_type`, with its range here: typer's min= and max=
    apply only to the types it makes): whole numbers typed as whole_number reads them."""

    def convert(self, value: Any, param: Parameter | None, ctx: Context | None) -> Any:
        if isinstance(value, str):  # not the default, which is a number already
            try:
                value = whole_number(value)
            except ValueError:
                self.fail(_not_a_number(value, "a whole number", int), param, ctx)
        return super().convert(value, param, ctx)


class Numbers(_RangeShownWhenBounded, FloatRange):
    """A float option's type (typer's `click_type`, with its range here): numbers typed as
    `number` reads them."""

    def convert(self, value: Any, param: Parameter | None, ctx: Context | None) -> Any:
        if isinstance(value, str):
            try:
                value = number(value)
            except ValueError:
                why = _not_a_number(value, "a number", float) + _decimal_point_hint(value)
                self.fail(why, param, ctx)
        return super().convert(value, param, ctx)


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
    "(or file/image, class/category; relative paths start at the CSV's folder); or a Label "
    "Studio project's JSON or JSON_MIN export, its annotations' choices the true classes (tasks "
    "without one are left out)"
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
        help="auto (fp32 on CPU, fp16 on a GPU), fp32, fp16 or bf16 (or as run info records "
        "them: float32, float16, bfloat16).",
    ),
]
BatchSize = Annotated[
    int | None,
    typer.Option(
        "--batch-size",
        "-b",
        click_type=WholeNumbers(min=1),
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
        click_type=WholeNumbers(min=1),
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
        help=(
            "A hub model's version: a branch, tag or commit hash; without it, its default branch "
            "(main). Not for a local or bundled model."
        ),
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
        click_type=WholeNumbers(min=1),
        metavar="N",
        help="Skip images larger than this many pixels (status "
        "too_large).  [default: Pillow's limit, about 89.5 MP]",
        show_default=False,
    ),
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Nothing on stderr but errors, and one line saying why a run exits 1: no progress "
        "bar, summary or warnings.",
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
        "other options are not needed, and are ignored if given, though each must still be a "
        "valid value; an output file given is not written, with a warning.",
    ),
]


def _version(value: bool) -> None:
    if value:
        require_stdout()
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


# -- the shared options' values, as the library's requests take them ----------------------------


def _comma_list(values: list[str] | None) -> tuple[str, ...] | None:
    """The items of a repeatable option like `--methods a,b --methods c`; '' is no item (an
    error where one is needed), not the option left out."""
    if values is None:
        return None
    return tuple(filter(None, map(str.strip, ",".join(values).split(","))))


def _inputs(
    paths: list[str] | None,
    *,
    null: bool,
    ext: list[str] | None,
    include_hidden: bool,
    max_pixels: int | None,
    quiet: bool,
    instead: tuple[str, str | None],
    paths_needed: bool = True,
) -> InputOptions:
    """The input options shared by label, embed and hubness. `instead`: the option that makes
    the paths optional (label's --embeddings, embed's --export) and its value. `paths_needed`:
    False for --show-prompts, which reads no image, yet refuses what a run refuses of the
    options given (-0 without '-')."""
    from zsl_cli.api import InputOptions

    paths = list(paths or [])
    option, value = instead
    if paths_needed and not paths and value is None:
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


def _check_options_ignored(
    *,
    ext: list[str] | None,
    max_pixels: int | None,
    model: ModelOptions,
    methods: Sequence[str] | None,
    methods_option: str,
) -> None:
    """For --show-prompts, which reads no image and loads no model: refuse the values of the
    options it ignores as a run refuses them (README: each must still be a valid value), with
    the run's own checks: a Makefile target that checks a run's flags with --show-prompts
    passed `--device bogus`, which the run then refused. What those options name need not be
    there, as the PATHs need not: the model is not looked for, only its name's form checked."""
    from zsl_cli import api
    from zsl_cli.encoders.loading import check_revision, resolve_model
    from zsl_cli.hubness import check_methods

    api.InputOptions(extensions=_comma_list(ext), max_pixels=max_pixels)
    if methods is not None:
        check_methods(methods, methods_option)
    check_revision(model.name, model.revision)
    if not os.fspath(model.name).strip():  # `-m "$MODEL"` unset: the run's refusal of no model
        resolve_model(model.name)


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
        precision=precision,  # also as run info records it (float16): ModelOptions maps it
        batch_size=batch_size,
        workers=workers,
        exact_preprocessing=exact_preprocessing,
        trust_remote_code=trust_remote_code,
        revision=revision,
        freeze_after_load=True,
    )


# -- running label's and embed's work, and showing warnings -------------------------------------

# What `_run` gives back: the report of the library's call it makes.
_Report = TypeVar("_Report", "LabelReport", "EmbedReport")
_Result = TypeVar("_Result")


def _run(
    call: Callable[[Callable[[str], None] | None], _Report],
    quiet: bool,
    summary: Callable[[_Report], None],
    outputs: Callable[[_Report], Sequence[str]] | None = None,
) -> _Report:
    """The report of label's or embed's `call`, given where to tell warnings: a Ctrl-C comes as
    Interrupted once the finished work is saved, and its report is shown as a finished run's.
    Warnings show as the library tells them; those it did not tell, once the run is over; then
    the `summary` of the report (not under `quiet`). An output kept beside a file held open
    ends the run with its error after the summary, which says what became of the images (exit
    status 2, or 130 where the run was interrupted).

    A stop signal once a finished run's `outputs` (named as the summary names them) are all in
    place, while they were moved there or the summary is shown, cuts the summary short: one
    line says so and that they are complete, and the run ends with its own exit status, which
    a script reads to tell a complete `-o -` from an interrupted one. The summary itself is
    never shown with the signal held: stderr may be a terminal or pipe that does not drain."""
    from zsl_cli.api import InterruptedOnceWritten
    from zsl_cli.summary import render_warnings, stderr_console

    shown = _WarningsShown()
    try:
        report, kept = _kept_or_returned(lambda: call(None if quiet else shown))
    except Interrupted as stop:
        report, kept = cast(_Report, stop.report), None  # what `call` stops with
    except InterruptedOnceWritten as stop:
        if outputs is None:
            raise
        report = cast(_Report, stop.result)
        _say_cut_short("the summary", outputs(report))
        return report
    if not quiet:
        try:
            render_warnings(stderr_console(), shown.not_shown(report.warnings))
            summary(report)
        except KeyboardInterrupt:
            if outputs is None or report.interrupted:
                raise
            _say_cut_short("the summary", [] if kept is not None else outputs(report))
    if kept is not None:
        if report.interrupted:  # a Ctrl-C stopped the run, whatever became of its output
            kept.exit_code = EXIT_INTERRUPTED
        raise kept
    return report


def _say_cut_short(what: str, complete: Sequence[str], *, interrupted: bool = False) -> None:
    """The line of a run that a stop signal ended after its outputs were in place, before `what`
    (the summary, the table) was shown in full; `complete`: the outputs, named as the summary
    names them; `interrupted`: `what` was the run's output, now incomplete."""
    from zsl_cli.summary import outputs_complete_line

    _say(f"{_program()}: {outputs_complete_line(what, complete, interrupted=interrupted)}")


def _kept_or_returned(call: Callable[[], _Result]) -> tuple[_Result, OutputKept | None]:
    """What `call` returns, or the result its OutputKept carries (an output kept beside a file
    held open, after all the work was done) with that error, to raise once the result is shown."""
    try:
        return call(), None
    except OutputKept as kept:
        if kept.result is None:
            raise
        return cast(_Result, kept.result), kept


def _exit(
    report: LabelReport | EmbedReport,
    *,
    none_usable: bool,
    partial: bool,
    strict: bool,
    quiet: bool,
    why: Callable[[], Text],
) -> NoReturn:
    """Ends label and embed. A run that labelled or embedded none of its images failed, --strict
    or not: a `set -e` script must not go on with an output of failure rows only (written all
    the same: their reasons are the run's result; the store keeps the failures). `partial`:
    some images failed or a folder could not be read, which fails the run under --strict.
    `why`: the one line that a `quiet` run failed so prints, which no summary says for it: a
    failed run must say why, as one with an error does."""
    from zsl_cli.summary import stderr_console

    if report.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    if not (none_usable or (strict and partial)):
        raise typer.Exit(EXIT_OK)
    if quiet:
        stderr_console().print(why())
    raise typer.Exit(EXIT_PARTIAL)


def _show_prompts(
    request: LabelRequest | HubnessRequest, quiet: bool, unwritten: Sequence[str] = ()
) -> None:
    """label's and hubness's --show-prompts: the class files' warnings on stderr, then the
    prompts on stdout, then a warning of the prompts a spreadsheet runs as formulas; what the
    run refuses before its model loads is refused first (`api.class_prompts`). `unwritten`: the
    options given that name an output file or format, which the prompts do not go to: a user
    who wrote `-o prompts.csv` looks for the file."""
    from zsl_cli import api
    from zsl_cli.files import open_sink
    from zsl_cli.summary import render_warnings, stderr_console
    from zsl_cli.writers import write_class_prompts

    sink = open_sink(None)  # a closed stdout fails before the class files are read
    listed = api.class_prompts(request)
    if not quiet:
        render_warnings(stderr_console(), listed.warnings)
        if unwritten:
            render_warnings(
                stderr_console(),
                [
                    f"{', '.join(unwritten)}: --show-prompts writes the prompts to stdout as "
                    "CSV; no file is written"
                ],
            )
    formulas = write_class_prompts(sink, listed.prompts)
    sink.publish(None)
    if not quiet:  # after the rows, as a run warns of its CSV's cells once it is written
        render_warnings(stderr_console(), formulas.warnings("stdout"))


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


# -- where evaluate's and hubness's tables go ---------------------------------------------------


def _report_console(json_out: str | None, quiet: bool) -> Console | None:
    """Where a report's tables go: they are the command's output, so stdout, unless --json
    puts the JSON there (then stderr, or nowhere under --quiet)."""
    from zsl_cli.summary import stderr_console, stdout_console

    if _tables_on_stdout(json_out):
        return stdout_console()
    return None if quiet else stderr_console()


def _tables_on_stdout(json_out: str | None) -> bool:
    return json_out != "-" and not _writes_into_stdout(json_out)


def _show_report(
    call: Callable[[], _Result],
    show: Callable[[_Result], None],
    *,
    json_out: str | None,
    files: Sequence[tuple[str, str | None]],
) -> None:
    """Run evaluate's or hubness's `call` and `show` its result (warnings, then the tables). A
    --json or --report FILE kept beside a file held open: the tables still show, then the error.

    A stop signal once the run's `files` ((option, path); None: not asked for) are in place,
    while they were moved there or the result is shown, ends the run with one line that names
    them as complete: with exit status 130 where stdout's output (the tables, unless --json
    puts the JSON there) was not written in full, else with the run's own. Nothing is shown
    with the signal held: stdout may be a terminal or pipe that does not drain."""
    from zsl_cli.api import InterruptedOnceWritten

    written = [f"{option} {printable(path)}" for option, path in files if path]
    tables_are_output = _tables_on_stdout(json_out)
    try:
        result, kept = _kept_or_returned(call)
    except InterruptedOnceWritten as stop:
        result, kept = cast(_Result, stop.result), None
        _stop_cut_short(tables_are_output, written, kept)
    try:
        show(result)
    except KeyboardInterrupt:
        _stop_cut_short(tables_are_output, written, kept)
    if kept is not None:
        raise kept


def _stop_cut_short(
    tables_are_output: bool, written: Sequence[str], kept: OutputKept | None
) -> NoReturn:
    """End a report run that a stop signal cut short once its files were in place, before its
    tables were shown in full (see `_show_report`)."""
    if kept is not None:  # its error names where this run's files are
        if tables_are_output:
            kept.exit_code = EXIT_INTERRUPTED
        raise kept
    _say_cut_short("the table", written, interrupted=tables_are_output)
    raise typer.Exit(EXIT_INTERRUPTED if tables_are_output else EXIT_OK)


def _writes_into_stdout(path: str | None) -> bool:
    """Whether `path` is what stdout writes into (/dev/stdout, /dev/fd/1, the file `>` named):
    a table written there as well broke into the JSON, or was lost when the JSON replaced it."""
    from zsl_cli.files import same_file, stdout_status

    status = stdout_status()
    if path is None or status is None:
        return False
    try:
        return same_file(os.stat(path), status)
    except (OSError, ValueError):  # not there yet; a name no file can have (a NUL in it)
        return False
