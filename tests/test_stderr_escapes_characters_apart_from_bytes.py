"""On a stderr whose encoding cannot hold every character (PYTHONIOENCODING=ascii, a C locale
without UTF-8 mode), a character is written as \\u00e9 (\\U0001f600 beyond the BMP), and only a
byte that is not UTF-8 as \\xe9: two files, one named café in UTF-8 and one in Latin-1, printed
as the same name."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rich.text import Text

from zsl_cli.formatting import encodable
from zsl_cli.summary import _Console


def _zsl(
    *args: str | bytes | os.PathLike[str], encoding: str = "ascii"
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    command = [sys.executable, "-m", "zsl_cli", *(os.fsencode(arg) for arg in args)]
    return subprocess.run(command, capture_output=True, env=env, timeout=300)


@pytest.mark.parametrize(
    ("text", "encoding", "shown"),
    [
        ("café", "ascii", "caf\\u00e9"),
        ("café", "latin-1", "café"),
        ("日本", "latin-1", "\\u65e5\\u672c"),
        ("green 🌲", "ascii", "green \\U0001f332"),
        ("caf\udce9", "ascii", "caf\\xe9"),  # a byte that is not UTF-8, as path_to_text holds it
        ("caf\udce9", "utf-8", "caf\\xe9"),
        ("a\ud800b", "utf-8", "a\\ud800b"),  # a surrogate that stands for no byte
        ("plain", "ascii", "plain"),
    ],
)
def test_what_a_stream_cannot_encode_is_escaped_by_what_it_is(text, encoding, shown):
    assert encodable(text, encoding) == shown


def test_the_console_escapes_characters_as_characters(tmp_path):
    with open(tmp_path / "out.txt", "w", encoding="ascii") as stream:
        console = _Console(file=stream, width=200, markup=False, emoji=False, highlight=False)
        console.print(Text("caf\u00e9 and caf\\xe9"))
    assert (tmp_path / "out.txt").read_text() == "caf\\u00e9 and caf\\xe9\n"


def test_a_utf8_name_and_a_latin1_name_print_apart_in_the_summary(tmp_path):
    images = tmp_path / "amb"
    images.mkdir()
    (images / "café.png").write_bytes(b"x")
    with open(os.fsencode(images) + b"/caf\xe9.png", "wb") as latin1:  # café in Latin-1
        latin1.write(b"x")
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n")
    done = _zsl("label", images, "-c", classes, "-m", "shapes-demo", "-o", tmp_path / "out.csv")
    stderr = done.stderr.decode("ascii")
    assert "amb/caf\\u00e9.png (not_an_image)" in stderr, stderr
    assert "amb/caf\\xe9.png (not_an_image)" in stderr, stderr


def test_an_error_line_shows_a_character_it_cannot_encode_as_one(tmp_path):
    classes = tmp_path / "dup.txt"
    classes.write_text("café\ncafe\u0301\n", encoding="utf-8")
    done = _zsl("label", "-c", classes, "--show-prompts")
    stderr = done.stderr.decode("ascii")
    assert done.returncode == 2 and stderr.startswith("zsl: error: "), stderr
    assert "\\u00e9" in stderr and "\\xe9" not in stderr, stderr


def test_an_error_line_keeps_bytes_as_bytes_and_escapes_characters(tmp_path):
    classes = os.fsencode(tmp_path / "cl") + b"\xff\xc3\xa9.txt"  # a byte, then é in UTF-8
    done = _zsl("label", tmp_path, "-c", classes)
    assert done.returncode == 2
    assert done.stderr.endswith(b"cl\\xff\\u00e9.txt\n"), done.stderr
