"""A text file in UTF-32 led by its byte-order mark (`FF FE 00 00` little-endian, `00 00 FE FF`
big-endian) is refused as UTF-32, not as "UTF-16 or binary": the little-endian mark starts with
UTF-16's, and its NUL bytes are binary content's. Class files and the files `zsl evaluate` reads
as text (a truth CSV, a seen-class list) say so alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import error_line, run
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth
from zsl_cli.text_files import read_text

UTF32 = ["utf-32-le", "utf-32-be"]


def _utf32(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes("\ufeff".encode(encoding) + text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", UTF32)
def test_a_utf32_class_file_is_refused_as_utf32(tmp_path: Path, encoding: str) -> None:
    classes = _utf32(tmp_path / "c.txt", "cat\ndog\n", encoding)
    with pytest.raises(ZslError) as refused:
        read_text(classes)
    assert refused.value.message == f"{classes}: not UTF-8 text (UTF-32); save it as UTF-8"
    result = run("label", "-c", classes, "--show-prompts")
    assert result.exit_code == 2
    assert (
        error_line(result.stderr)
        == f"zsl: error: {classes}: not UTF-8 text (UTF-32); save it as UTF-8"
    )


@pytest.mark.parametrize("encoding", UTF32)
def test_a_utf32_truth_csv_is_refused_as_utf32(tmp_path: Path, encoding: str) -> None:
    truth = _utf32(tmp_path / "truth.csv", "path,label\na.jpg,cat\n", encoding)
    with pytest.raises(ZslError, match=r": not UTF-8 text \(UTF-32\); give a folder"):
        load_truth(truth)


def test_utf16_with_a_nul_and_binary_files_are_still_named_so(tmp_path: Path) -> None:
    # UTF-16's mark followed by a NUL character: no text holds one, and it is no UTF-32 mark.
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"\xff\xfe" + "c\0at\n".encode("utf-16-le"))
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    for path in (nul, binary):
        with pytest.raises(ZslError, match=r"not UTF-8 text \(UTF-16 or binary\)"):
            read_text(path)
