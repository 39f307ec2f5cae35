"""The PCX checks around decode_image where the file cannot be read on (an I/O error on a flaky
disk or network share): no verdict of theirs, and the file left at its start for the decode,
which meets the error itself."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from tests.helpers import FailingAfter
from zsl_cli.image_damage import check_pcx_palette, pcx_cut_short
from zsl_cli.image_damage.pcx import pcx_palette_at_end, pcx_run_across_rows


def pcx_bytes(mode: str, size: tuple[int, int]) -> bytes:
    pixels = np.random.default_rng(3).integers(0, 256, size[::-1], dtype=np.uint8)
    image = Image.fromarray(pixels, "L").convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, "PCX")
    return buffer.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


GREY = pcx_bytes("L", (40, 30))
SMALL = pcx_bytes("L", (12, 13))[:-769]  # its palette cut off whole: decoded grey


def flat_pcx() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (40, 30), 7).save(buffer, "PCX")
    return buffer.getvalue()


# A byte of its pixels' run codes lost: each row's run of 40 now lies across a row's end,
# which no writer codes.
ACROSS = flat_pcx()[:128] + flat_pcx()[129:]


CHECKS: dict[str, tuple[bytes, Callable[[io.BytesIO], object], bool]] = {
    "pcx_palette_at_end": (GREY, lambda f: pcx_palette_at_end(f, len(GREY)), True),
    "pcx_run_across_rows": (ACROSS, lambda f: pcx_run_across_rows(f, len(ACROSS)), True),
    "pcx_cut_short": (SMALL, lambda f: pcx_cut_short(f, len(SMALL)), True),
    "check_pcx_palette": (
        SMALL,
        lambda f: check_pcx_palette(decoded(SMALL), f, len(SMALL)),
        False,
    ),
}


@pytest.mark.parametrize("name", CHECKS)
def test_pcx_checks_give_no_verdict_where_a_read_fails(name: str) -> None:
    data, check, finds = CHECKS[name]
    whole = FailingAfter(data, 10**6)
    try:
        verdict = check(whole)
    except Exception as error:  # check_pcx_palette's verdict is its DecodeError
        verdict = error
    assert verdict or not finds, name
    for reads in range(10**6 - whole.reads):
        file = FailingAfter(data, reads)
        assert not check(file), reads
        assert file.tell() == 0 or not name.startswith("check_"), reads
