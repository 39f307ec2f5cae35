"""Command line of the shapes world: `python -m zsl_cli.demo --help`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from zsl_cli.demo.train import TrainSettings
from zsl_cli.errors import ZslError

app = typer.Typer(
    help="The shapes world: render test images and train the bundled shapes-demo model.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",  # joins the lines of a docstring paragraph
)


def _say(message: str) -> None:
    typer.echo(message, err=True)


@contextmanager
def _user_errors() -> Iterator[None]:
    """A ZslError ends the command with its line on stderr and its exit code."""
    try:
        yield
    except ZslError as error:
        _say(f"error: {error.message}")
        raise typer.Exit(error.exit_code) from None


@app.command("make-images")
def make_images(
    out: Annotated[Path, typer.Argument(help="Output folder (created if missing).")],
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same bytes.")] = 0,
    per_class: Annotated[int, typer.Option(help="Images per class (30 classes).")] = 20,
) -> None:
    """Render an ImageFolder of the shapes world.

    Writes OUT/CLASS NAME/*.png (one folder per class) and OUT/classes.txt, seen.txt,
    unseen.txt, attributes.csv and descriptions.json. The same seed and count give the same
    bytes.
    """
    from zsl_cli.demo.imageset import make_image_set

    with _user_errors():
        summary = make_image_set(out, seed=seed, per_class=per_class)
    _say(f"wrote {summary.images} images of {summary.classes} classes to {summary.root}")


@app.command()
def train(
    out_dir: Annotated[Path, typer.Argument(help="Folder for the save_pretrained model files.")],
    seed: Annotated[int, typer.Option(help="Seed for weights, training images and batches.")] = 0,
    steps: Annotated[int, typer.Option(help="Optimiser steps.")] = TrainSettings.steps,
    threads: Annotated[
        int, typer.Option(help="torch CPU threads (fixed for reproducibility).")
    ] = 1,
) -> None:
    """Train the demo CLIP from scratch on the seen classes.

    Images and captions of unseen classes are never used. Saves save_pretrained files to OUT_DIR
    and prints held-out accuracies on freshly rendered sets. The defaults reproduce the shipped
    model.
    """
    from zsl_cli.demo.train import train as run_training

    if steps < 1 or threads < 1:
        _say("error: --steps and --threads must be at least 1")
        raise typer.Exit(2)
    with _user_errors():
        run_training(out_dir, TrainSettings(seed=seed, steps=steps, threads=threads), log=_say)


@app.command()
def evaluate(
    model_dir: Annotated[Path, typer.Argument(help="A save_pretrained CLIP model folder.")],
    seed: Annotated[
        list[int] | None,
        typer.Option(
            help="Seed of one fresh set; repeat for several.  [default: 101 to 105]",
            show_default=False,
        ),
    ] = None,
    per_class: Annotated[int, typer.Option(help="Images per class in each set.")] = 20,
) -> None:
    """Print zero-shot accuracies of a model on freshly rendered sets.

    Mean per-class top-1 with the prompt "a photo of a {}.": unseen images among the unseen
    classes, all images among all 30 classes (and its seen/unseen parts), and unseen classes built
    from the attribute prompts "a photo of something {}.". Tab-separated, one row per seed.
    """
    from zsl_cli.demo.evaluate import evaluate_saved

    seeds = seed or [101, 102, 103, 104, 105]
    if not model_dir.is_dir():
        _say(f"error: {model_dir} is not a model folder")
        raise typer.Exit(2)
    with _user_errors():
        results = evaluate_saved(model_dir, seeds, per_class)
    columns = ["unseen_only", "all_classes", "seen_gzsl", "unseen_gzsl", "attributes_unseen"]
    typer.echo("seed\t" + "\t".join(columns))
    for set_seed, scores in results.items():
        typer.echo(f"{set_seed}\t" + "\t".join(f"{getattr(scores, c):.3f}" for c in columns))
    for name, reduce in (("min", min), ("mean", lambda v: sum(v) / len(v))):
        values = [reduce([getattr(s, c) for s in results.values()]) for c in columns]
        typer.echo(f"{name}\t" + "\t".join(f"{v:.3f}" for v in values))


if __name__ == "__main__":
    app()
