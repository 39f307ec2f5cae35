"""Windows PowerShell 5's `dir > classes.txt` writes its Get-ChildItem table in UTF-16LE led by
its byte-order mark: such a file is refused as the `dir` listing it is, as the same table in
UTF-8 (PowerShell 7's) is, from its folder line, in one line on stderr with exit status 2; its
`Get-ChildItem -Directory -Name` list, in UTF-16 too, is read."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.classes import load_class_spec
from zsl_cli.errors import EXIT_USAGE, ZslError

LISTING = "is a line of a Windows `dir` listing"


def listing(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


ENGLISH = listing(
    "",
    "",
    "    Directory: C:\\photos",
    "",
    "",
    "Mode                 LastWriteTime         Length Name",
    "----                 -------------         ------ ----",
    "d-----         12/6/2026  10:14 AM                bird",
    "d-----         12/6/2026  10:14 AM                cat",
    "-a----         12/6/2026  10:15 AM           1234 notes.txt",
    "",
    "",
)


# Out-File pads the table's lines to the console's width.
def padded(text: str) -> str:
    return "\r\n".join(line.ljust(120) for line in text.split("\r\n"))


ENGLISH_PADDED = padded(ENGLISH)
GERMAN = listing(
    "",
    "",
    "    Verzeichnis: C:\\Fotos",
    "",
    "",
    "Mode                 LastWriteTime         Length Name",
    "----                 -------------         ------ ----",
    "d-----        07.12.2026     10:15                Katze",
    "d-----        07.12.2026     10:15                Hund",
    "d-----        07.12.2026     10:15                Vögel",
    "",
    "",
)
# A folder without sub-folders (`dir *.jpg`): its rows of files alone.
FILES = listing(
    "",
    "",
    "    Directory: C:\\photos",
    "",
    "",
    "Mode                 LastWriteTime         Length Name",
    "----                 -------------         ------ ----",
    "-a----         12/6/2026  10:14 AM          51234 cat.jpg",
    "-a----         12/6/2026  10:14 AM          61234 dog.jpg",
    "",
    "",
)
# An empty folder's: its folder line and column header, no row.
JAPANESE_HEADER_ONLY = listing(
    "",
    "",
    "    ディレクトリ: C:\\写真",
    "",
    "",
    "Mode                 LastWriteTime         Length Name",
    "----                 -------------         ------ ----",
    "",
)


def utf16(path: Path, text: str) -> Path:
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (ENGLISH, "Directory: C:\\photos"),
        (ENGLISH_PADDED, "Directory: C:\\photos"),
        (GERMAN, "Verzeichnis: C:\\Fotos"),
        (FILES, "Directory: C:\\photos"),
        (JAPANESE_HEADER_ONLY, "ディレクトリ: C:\\写真"),
        (padded(JAPANESE_HEADER_ONLY), "ディレクトリ: C:\\写真"),
    ],
    ids=["en", "en-padded", "de", "files", "ja-header-only", "ja-header-only-padded"],
)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
def test_a_powershell_listing_is_refused_alike_in_utf16_and_utf8(
    tmp_path: Path, text: str, first: str, encoding: str
):
    path = tmp_path / "c.txt"
    if encoding == "utf-16":
        utf16(path, text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    message = str(error.value)
    assert message.startswith(f"{path}:3: {first!r} {LISTING}"), message
    assert message.endswith(
        f"`Get-ChildItem -Directory -Name > {path}` (PowerShell) lists the folders"
    )


def test_the_cli_refuses_a_utf16_powershell_listing_in_one_line(tmp_path: Path):
    write_images(tmp_path / "photos" / "Katze", 1)
    classes = utf16(tmp_path / "classes.txt", GERMAN)
    result = run("label", tmp_path / "photos", "--classes", classes, "-m", "shapes-demo")
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    assert f"classes.txt:3: 'Verzeichnis: C:\\\\Fotos' {LISTING}" in line, line
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_powershell_s_folder_names_in_utf16_are_read(tmp_path: Path):
    # `Get-ChildItem -Directory -Name > classes.txt`, the fix the refusal gives.
    classes = utf16(tmp_path / "classes.txt", listing("Katze", "Hund", "Vögel"))
    assert load_class_spec(classes).names == ["Katze", "Hund", "Vögel"]
