"""classify (why a file did not decode) where the file cannot be read on: an I/O error on a
flaky disk tells nothing of the file, and the reason is Pillow's, never a traceback."""

from __future__ import annotations

import io

from PIL import Image

from tests.helpers import FailingAfter
from zsl_cli.image_damage import classify
from zsl_cli.image_status import DecodeOptions


def bmp_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 10)).save(buffer, "BMP")
    return buffer.getvalue()


def test_classify_where_no_byte_can_be_read_gives_pillows_reason() -> None:
    data = bmp_bytes()
    error = classify(
        SyntaxError("broken data"), FailingAfter(data, 0), len(data), DecodeOptions(), True
    )
    assert (error.status, error.reason) == (
        "decode_error",
        "cannot decode: SyntaxError: broken data",
    )


def test_bmp_whose_data_ran_out_and_whose_length_cannot_be_read_is_truncated() -> None:
    # Its header's length (which would show a whole file damaged inside) is not read: a cut.
    data = bmp_bytes()
    error = classify(
        OSError("image file is truncated"), FailingAfter(data, 1), len(data), DecodeOptions(), True
    )
    assert (error.status, error.reason) == (
        "truncated",
        f"image file is truncated (data ends after {len(data)} bytes)",
    )
    whole = classify(
        OSError("image file is truncated"), io.BytesIO(data), len(data), DecodeOptions(), True
    )
    assert whole.status == "decode_error"
