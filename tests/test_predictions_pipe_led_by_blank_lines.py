"""An endless pipe led by blank lines is refused at its first line all the same: the blank lines
stripped leave less than a read, which is no sign that its first line has ended."""

from __future__ import annotations

import io
import sys

import pytest

from tests.helpers import EndlessPipe
from zsl_cli.errors import ZslError
from zsl_cli.readers import read_predictions


@pytest.mark.parametrize("lead", [b"\n" * 10, b"\xef\xbb\xbf\r\n \t"])
def test_an_endless_line_after_blank_lines_is_no_predictions_csv(
    monkeypatch: pytest.MonkeyPatch, lead: bytes
) -> None:
    pipe = EndlessPipe(b"x", start=lead)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(pipe)))

    with pytest.raises(ZslError, match="^'stdin' is not a zsl predictions CSV: the header must"):
        read_predictions("-")

    assert pipe.given < 4 << 20
