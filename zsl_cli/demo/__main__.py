"""Command line of the shapes world: `python -m zsl_cli.demo --help`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

# The main CLI's group gives every command its error handling: a ZslError or a command line that
# does not parse is one stderr line and its exit code, Ctrl-C is 130, a closed pipe 141 (and
# `run` ends the process by SIGINT or SIGPIPE then). Its command class gives them its usage line.
# zsl_cli.cli imports nothing heavy at module level, and nothing of the demo.
from zsl_cli.cli import UsageError, ZslCommand, ZslGroup, file_name, run

# zsl's own handling of stdout: closed or full, it is one line and exit 2.
from zsl_cli.cli.common import WholeNumbers, exit_stdout_failed, require_stdout
from zsl_cli.demo.train import TRAIN_SEED_OFFSET, TrainSettings
from zsl_cli.encoders import BUNDLED_DIR, bundled_models
from zsl_cli.encoders.limits import no_temporary_folder
from zsl_cli.errors import ZslError
from zsl_cli.files import point_at_devnull
from zsl_cli.formatting import encodable, printable

PROG = "python -m zsl_cli.demo"
DEFAULT_EVALUATE_SEEDS = range(101, 106)
# train renders its images as make-images seed TRAIN_SEED_OFFSET + its --seed, and the bundled
# model was trained with the default --seed (its model card): this seed's set is its training set.
BUNDLED_TRAINING_SEED = TRAIN_SEED_OFFSET + TrainSettings.seed

TOP_EXAMPLES = f"""\
Examples:

\b
  {PROG} make-images ./shapes
  zsl label ./shapes -c ./shapes/classes.txt -m shapes-demo -k 0 -o all.jsonl
  {PROG} evaluate shapes-demo   # the bundled model
  {PROG} train ./my-shapes-demo

Run '{PROG} COMMAND --help' for a command's options and more examples.
"""

app = typer.Typer(
    cls=ZslGroup,
    name=PROG,  # what tests that run it in-process see as its name, as `python -m` shows it
    help="The shapes world: render labelled test images, train the bundled shapes-demo model "
    "and measure its zero-shot accuracy.\n\n"
    "Images and model files go to the folder given, the accuracy table to stdout; progress and "
    "messages go to stderr.\n\n"
    "Exit codes: 0 success; 2 usage error or bad input (one line on stderr); 70 internal error "
    "(a bug: the traceback, and one line saying to report it); 130 interrupted (Ctrl-C: the "
    "process ends by SIGINT, which a shell shows as 130); 141 the reader of stdout or stderr "
    "went away (| head; the process ends by SIGPIPE).",
    epilog=TOP_EXAMPLES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help, as `zsl --help`
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _say(message: str) -> None:
    """A message on stderr. A stderr that cannot be written (a full disk) loses the messages,
    not the exit status (it was 1, after a run that wrote everything), as in zsl; its reader
    going away (`2>&1 | head`) still ends the run by SIGPIPE, 141, which zsl's own `_say`,
    meant for a last error line, would turn into a success."""
    # As zsl's own messages: what the stream cannot hold escaped (\u00e9), not typer.echo's
    # UTF-8 bytes on an ASCII stderr or '?'.
    message = encodable(message, getattr(sys.stderr, "encoding", None) or "utf-8")
    try:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    except BrokenPipeError:
        raise
    except OSError:
        point_at_devnull(sys.stderr)


@contextmanager
def _temporary_folder_needed() -> Iterator[None]:
    """torch and transformers write to a temporary folder as they import and load: without a
    writable one, zsl's one line (exit 2) that says to set TMPDIR, not a traceback (exit 70)."""
    try:
        yield
    except Exception as error:
        message = no_temporary_folder(error)
        if message is None:
            raise
        raise ZslError(message) from None


def _warn_if_training_images(seed: int) -> None:
    """One stderr line where a "fresh" set is the bundled model's training set."""
    if seed == BUNDLED_TRAINING_SEED:
        _say(
            f"warning: seed {seed} renders the bundled shapes-demo model's own training images "
            f"(the first {TrainSettings.images_per_class} of each seen class): accuracy on them "
            "is not a zero-shot measure"
        )


class OneSeedCommand(ZslCommand):
    """A command of one seed (make-images, train): --seed given twice is refused. Click kept the
    last one without a word, where evaluate scores a set for each."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        try:
            _, _, order = self.make_parser(ctx).parse_args(args=list(args))
        except UsageError:  # left to the parse below, which says what is wrong
            order = []
        names = [param.name for param in order]
        if names.count("seed") > 1 and "help" not in names:
            raise UsageError(
                f"--seed given {names.count('seed')} times: give it once, and run again for "
                "another seed",
                ctx,
            )
        return super().parse_args(ctx, args)


MAKE_IMAGES_EXAMPLES = f"""\
Examples:

\b
  {PROG} make-images ./shapes
  {PROG} make-images ./shapes-small --per-class 2 --seed 7
  zsl label ./shapes -c ./shapes/classes.txt -m shapes-demo -k 0 -o all.jsonl
  zsl evaluate all.jsonl --truth ./shapes --seen ./shapes/seen.txt
"""


@app.command("make-images", cls=OneSeedCommand, epilog=MAKE_IMAGES_EXAMPLES)
def make_images(
    out: Annotated[
        str,
        typer.Argument(
            parser=file_name,
            metavar="DIR",
            help="Output folder (created if missing).",
            show_default=False,
        ),
    ],
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            click_type=WholeNumbers(),
            metavar="SEED",
            help="Random seed, 0 to 4294967295; the same seed gives the same bytes.",
        ),
    ] = 0,
    per_class: Annotated[
        int,
        typer.Option(
            click_type=WholeNumbers(),
            metavar="N",
            help="Images per class (30 classes), 1 to 10,000; a smaller set is the start of a "
            "larger one with the same seed.",
        ),
    ] = 20,
) -> None:
    """Render a labelled folder of the shapes world.

    Writes DIR/CLASS NAME/*.png (one folder per class: 6 colours x 5 shapes) and DIR/classes.txt,
    seen.txt, unseen.txt (the 6 classes the shapes-demo model never saw), attributes.csv and
    descriptions.json, ready for zsl label, evaluate and hubness. Rendering into an earlier set
    replaces it, images and class files; other files in DIR are left alone.

    Seed 1,000,000 + S renders the images that train --seed S trains on: seed 1,000,000 gives the
    bundled shapes-demo model's own training images (the first 480 of each seen class), and
    accuracy on them is not a zero-shot measure.
    """
    from zsl_cli.demo.imageset import make_image_set

    summary = make_image_set(Path(out), seed=seed, per_class=per_class)
    _say(f"wrote {summary.images} images of {summary.classes} classes to {printable(summary.root)}")
    _warn_if_training_images(seed)


TRAIN_EXAMPLES = f"""\
Examples:

\b
  {PROG} train ./my-shapes-demo
  {PROG} train ./quick --steps 100   # a smoke test: about a minute, a weak model
  zsl label ./shapes -c ./shapes/classes.txt -m ./my-shapes-demo
"""


@app.command(cls=OneSeedCommand, epilog=TRAIN_EXAMPLES)
def train(
    out_dir: Annotated[
        str,
        typer.Argument(
            parser=file_name,
            metavar="DIR",
            help="Folder for the save_pretrained model files (created if missing).",
            show_default=False,
        ),
    ],
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            click_type=WholeNumbers(),
            metavar="SEED",
            help="Seed for the weights, training images and batches, 0 to "
            f"{TrainSettings().largest_seed}.",
        ),
    ] = TrainSettings.seed,
    steps: Annotated[
        int,
        typer.Option(
            click_type=WholeNumbers(),
            metavar="N",
            help=f"Optimiser steps, after {TrainSettings.text_warmup_steps} text-only warm-up "
            "steps.",
        ),
    ] = TrainSettings.steps,
    threads: Annotated[
        int,
        typer.Option(
            click_type=WholeNumbers(),
            metavar="N",
            help="torch CPU threads: fixed, not one per core, for reproducible runs.",
        ),
    ] = TrainSettings.threads,
) -> None:
    """Train the demo CLIP from scratch on the seen classes.

    Images and captions of the 6 unseen classes are never used. Writes the save_pretrained files
    into DIR (replacing files of the same names), then scores the model on 3 fresh sets of 20
    images per class. Progress and scores go to stderr. The defaults reproduce the bundled
    shapes-demo model, in about 4 minutes on one CPU core.
    """
    from zsl_cli.demo.train import train as run_training

    settings = TrainSettings(seed=seed, steps=steps, threads=threads)
    with _temporary_folder_needed():
        run_training(Path(out_dir), settings, log=_say)


EVALUATE_EXAMPLES = f"""\
Examples:

\b
  {PROG} evaluate shapes-demo   # the bundled model
  {PROG} evaluate ./my-shapes-demo --seed 201 --seed 202 --per-class 40
"""


@app.command(cls=ZslCommand, epilog=EVALUATE_EXAMPLES)
def evaluate(
    model_dir: Annotated[
        str,
        typer.Argument(
            parser=file_name,
            metavar="DIR",
            help="A save_pretrained CLIP model folder, or a bundled model's name (shapes-demo).",
            show_default=False,
        ),
    ],
    seed: Annotated[
        list[int] | None,
        typer.Option(
            "--seed",
            click_type=WholeNumbers(),
            metavar="SEED",
            help="Seed of a fresh set, 0 to 4294967295; repeat for more.  [default: 101 to 105]",
            show_default=False,
        ),
    ] = None,
    per_class: Annotated[
        int,
        typer.Option(
            click_type=WholeNumbers(),
            metavar="N",
            help="Images per class in each set, 1 to 1,000 (a set is held in memory at once).",
        ),
    ] = 20,
) -> None:
    """Print a model's zero-shot accuracies on fresh image sets.

    Mean per-class top-1 with the prompt "a photo of a {}.": unseen images among the 6 unseen
    classes (unseen_only), all images among all 30 classes (all_classes, with its seen_gzsl and
    unseen_gzsl parts), and unseen images among unseen classes built from the attribute prompts
    "a photo of something {}." (attributes_unseen). Tab-separated on stdout: one row per seed,
    then the min and the mean of each column.

    Seed 1,000,000 + S renders the images that train --seed S trains on: seed 1,000,000 gives the
    bundled shapes-demo model's own training images (the first 480 of each seen class), and
    accuracy on them is not a zero-shot measure.
    """
    from zsl_cli.demo.evaluate import evaluate_saved

    # Before the work, as zsl evaluate does: with stdout closed the table would go nowhere,
    # without a word, after minutes of scoring.
    try:
        require_stdout()
    except OSError as error:
        exit_stdout_failed(error, PROG)
    seeds = seed or list(DEFAULT_EVALUATE_SEEDS)
    # pathlib's is_dir() lets ENAMETOOLONG through.
    folder = Path(model_dir)
    if not os.path.isdir(folder) and model_dir in bundled_models():
        folder = BUNDLED_DIR / model_dir  # as zsl label -m shapes-demo names it
    if not os.path.isdir(folder):
        raise ZslError(f"{folder} is not a model folder")
    with _temporary_folder_needed():
        results = evaluate_saved(folder, seeds, per_class)
    for set_seed in results:  # after the checks of evaluate_saved: an error stays one line
        _warn_if_training_images(set_seed)
    columns = ["unseen_only", "all_classes", "seen_gzsl", "unseen_gzsl", "attributes_unseen"]
    rows = ["seed\t" + "\t".join(columns)]
    for set_seed, scores in results.items():
        rows.append(f"{set_seed}\t" + "\t".join(f"{getattr(scores, c):.3f}" for c in columns))
    for name, reduce in (("min", min), ("mean", lambda v: sum(v) / len(v))):
        values = [reduce([getattr(s, c) for s in results.values()]) for c in columns]
        rows.append(f"{name}\t" + "\t".join(f"{v:.3f}" for v in values))
    try:
        typer.echo("\n".join(rows))
    except BrokenPipeError:
        raise  # its reader went away (| head): the group ends the run as zsl's, 141
    except OSError as error:  # a full disk: a traceback and exit 70, which means a bug
        exit_stdout_failed(error, PROG)


if __name__ == "__main__":
    run(app, PROG)
