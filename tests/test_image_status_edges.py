"""Edges of zsl_cli.image_status: the pixel limit is Pillow's default, options out of range
are refused at the bound itself, a DecodeError survives pickling with its status, and
megapixels tied when rounded get as few more digits as tell them apart."""

from __future__ import annotations

import pickle

import pytest

from zsl_cli.image_status import (
    DEFAULT_MAX_PIXELS,
    TOO_LARGE,
    DecodeError,
    DecodeOptions,
    megapixels_texts,
)


def test_the_default_limit_is_pillows_default() -> None:
    assert DEFAULT_MAX_PIXELS == 89_478_485


@pytest.mark.parametrize(
    "options",
    [{"max_pixels": 0}, {"draft": (0, 10)}, {"draft": (10, 0)}, {"draft": (10, 10, 10)}],
)
def test_options_at_the_bound_are_refused(options: dict) -> None:
    with pytest.raises(ValueError):
        DecodeOptions(**options)


def test_the_smallest_options_are_taken() -> None:
    assert DecodeOptions(max_pixels=1, draft=(1, 1)).draft == (1, 1)


def test_a_decode_error_keeps_its_status_and_reason_through_pickling() -> None:
    error = pickle.loads(pickle.dumps(DecodeError(TOO_LARGE, "over the limit")))
    assert (error.status, error.reason, str(error)) == (
        TOO_LARGE,
        "over the limit",
        "over the limit",
    )


def test_one_more_digit_is_enough_where_it_tells_them_apart() -> None:
    assert megapixels_texts(12_346_000, 12_341_000) == ("12.35", "12.34")
    assert megapixels_texts(90_000_000, 89_478_485) == ("90", "89.5")
