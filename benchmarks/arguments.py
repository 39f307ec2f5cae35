"""What the benchmark scripts share for their command lines."""

from __future__ import annotations

import argparse
from collections.abc import Callable

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


def positive_number(text: str) -> float:
    """argparse type for a size factor: a number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a number above 0")
    return value
