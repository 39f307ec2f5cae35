"""What the benchmark scripts share for their command lines."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

MAX_SEED = 2**32 - 1  # numpy's and the shapes world's seeds are unsigned 32-bit


def at_least(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """argparse type for counts, sizes and seeds: a whole number from `minimum` (0 given for a
    count is an error, not "use the default") to `maximum`, if any."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is less than {minimum}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{value} is more than {maximum}")
        return value

    return whole_number


def random_seed(text: str) -> int:
    """argparse type for a random seed: 0 to 2**32 - 1."""
    return at_least(0, MAX_SEED)(text)


def check_distinct(parser: argparse.ArgumentParser, values: list, option: str) -> None:
    """A value given twice to a list option (--seeds 7 7) would be measured twice and weigh
    twice in the means and totals over its values: a usage error."""
    repeated = next((value for i, value in enumerate(values) if value in values[:i]), None)
    if repeated is not None:
        parser.error(f"{option}: {repeated} is given twice")


def positive_number(text: str) -> float:
    """argparse type for a size factor: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a number above 0")
    return value


def prepare_output(parser: argparse.ArgumentParser, path: Path | None, option: str) -> None:
    """Check an output file named on the command line before any work is done: its folder is
    created if missing (as zsl does for its own outputs), and a folder, or a folder that cannot
    be created or written, is a usage error now rather than a traceback after the run."""
    if path is None:
        return
    if path.is_dir():
        parser.error(f"{option} {str(path)!r} is a folder; give a file name")
    folder = next((p for p in path.parents if p.exists()), None)  # the nearest that exists
    if folder is not None and not folder.is_dir():
        parser.error(f"{option} {str(path)!r}: {str(folder)!r} is not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        parser.error(f"{option} {str(path)!r}: cannot create its folder ({error.strerror})")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        parser.error(f"{option} {str(path)!r}: not writable")
