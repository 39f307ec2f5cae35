"""A truth CSV that names one image in two spellings, labels that differ only in how they are
written, and the rows and files a truth CSV's reader meets besides (a header again under other
names, a folder, a reserved label, UTF-16 text): one image counted once, or refused naming the
lines; never an image dropped or a class made of a header."""

from __future__ import annotations

import re

import pytest

from tests.evaluation_helpers import read_rows, write_file
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth


def refusal(path: str) -> str:
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    message = refused.value.message
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("path,label\r\na.png,circle\r\nb.png,square\r\n", "utf-16"),  # PowerShell's `>`
        ("path\tlabel\r\na.png\tcircle\r\nb.png\tsquare\r\n", "utf-16"),  # Excel's Unicode Text
        ("path,label\na.png,circle\nb.png,square\n", "utf-16-be"),
    ],
)
def test_a_utf16_truth_csv_is_read_as_utf16_predictions_are(tmp_path, text, encoding):
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = write_file(tmp_path / "t.csv", data)
    assert read_rows(path) == [("a.png", "circle"), ("b.png", "square")]


def test_a_large_utf16_truth_csv_is_read_whole(tmp_path):
    # Text is read up to its first block holding a NUL byte, which UTF-16's first block holds.
    rows = "".join(f"images/{i:07d}.png,circle\n" for i in range(60_000))
    path = write_file(tmp_path / "t.csv", f"path,label\n{rows}".encode("utf-16"))
    assert len(load_truth(path).items) == 60_000


def test_utf16_text_that_holds_nul_or_is_cut_is_refused(tmp_path):
    path = write_file(tmp_path / "t.csv", "path,label\na\0.png,x\n".encode("utf-16"))
    assert re.search("not UTF-8 text \\(UTF-16 or binary\\)", refusal(path))
    path = write_file(tmp_path / "u.csv", "path,label\na.png,x\n".encode("utf-16")[:-1])
    assert "UTF-16" in refusal(path)
