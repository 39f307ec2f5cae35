"""`dir /w` of a drive's root (`dir /w C:\\ > classes.txt`) saved as a class file: a root has no
`.` and `..` entries, and its first row may hold files alone (`pagefile.sys`) before the
`[name]` columns of its folders. It is refused as a sub-folder's `dir /w` is, from its first
line, in English and in cmd's other languages; the folder line naming the root stands where a
sub-folder's `[.]   [..]` would."""

from __future__ import annotations

import pytest

from tests.helpers import run, write_images
from zsl_cli.classes import parse_classes
from zsl_cli.errors import EXIT_USAGE, ZslError

LISTING = "is a line of a Windows `dir` listing"


def listing(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def refusal(text: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    return str(error.value)


ENGLISH_HEADER = (
    " Volume in drive C has no label.",
    " Volume Serial Number is 1234-ABCD",
    "",
    " Directory of C:\\",
    "",
)
ENGLISH_TOTALS = (
    "               1 File(s)  4,294,967,296 bytes",
    "               6 Dir(s)  100,204,085,248 bytes free",
)
GERMAN_HEADER = (
    " Datenträger in Laufwerk C: ist System",
    " Volumeseriennummer: 1234-ABCD",
    "",
    " Verzeichnis von C:\\",
    "",
)
GERMAN_TOTALS = (
    "               1 Datei(en),  4.294.967.296 Bytes",
    "               5 Verzeichnis(se), 12.345 Bytes frei",
)
KOREAN_HEADER = (
    " C 드라이브의 볼륨에는 이름이 없습니다.",
    " 볼륨 일련 번호: 1234-ABCD",
    "",
    " C:\\ 디렉터리",
    "",
)
ROWS = (
    "[PerfLogs]            [Program Files]       [Program Files (x86)] [Users]",
    "[Windows]             pagefile.sys",
)
# Files sorted before the first folder fill the first row alone.
FILES_FIRST = ("autoexec.bat          config.sys", "[Benutzer]            [Programme]")


@pytest.mark.parametrize(
    ("lines", "first"),
    [
        ((*ENGLISH_HEADER, *ROWS, *ENGLISH_TOTALS), "Volume in drive C has no label."),
        ((*ENGLISH_HEADER, *ROWS), "Volume in drive C has no label."),
        ((*GERMAN_HEADER, *ROWS, *GERMAN_TOTALS), "Datenträger in Laufwerk C: ist System"),
        ((*GERMAN_HEADER, *ROWS), "Datenträger in Laufwerk C: ist System"),
        ((*KOREAN_HEADER, *ROWS), "C 드라이브의 볼륨에는 이름이 없습니다."),
        ((*ROWS, *GERMAN_TOTALS), ROWS[0]),
        ((*ROWS, *ENGLISH_TOTALS), ROWS[0]),
        # The volume's and serial number's lines cut off: the folder line names the root.
        ((*GERMAN_HEADER[3:], *ROWS), "Verzeichnis von C:\\"),
        ((*KOREAN_HEADER[3:], *ROWS), "C:\\ 디렉터리"),
    ],
    ids=[
        "en",
        "en-no-totals",
        "de",
        "de-no-totals",
        "ko-no-totals",
        "de-rows-and-totals",
        "en-rows-and-totals",
        "de-folder-line",
        "ko-folder-line",
    ],
)
def test_a_wide_listing_of_a_drive_root_is_refused_from_its_first_line(lines, first):
    message = refusal(listing(*lines))
    assert message.startswith(f"c.txt:1: {first!r} {LISTING}"), message


@pytest.mark.parametrize(
    ("lines", "first"),
    [
        ((*ENGLISH_HEADER, *FILES_FIRST, *ENGLISH_TOTALS), "Volume in drive C has no label."),
        ((*GERMAN_HEADER, *FILES_FIRST, *GERMAN_TOTALS), "Datenträger in Laufwerk C: ist System"),
        ((*GERMAN_HEADER, *FILES_FIRST), "Datenträger in Laufwerk C: ist System"),
        ((*GERMAN_HEADER[3:], *FILES_FIRST), "Verzeichnis von C:\\"),
    ],
    ids=["en", "de", "de-no-totals", "de-folder-line"],
)
def test_a_root_s_first_row_of_files_alone_is_refused_from_the_header_above_it(lines, first):
    # The header was passed over: the refusal named the first row holding a `[name]` cell.
    message = refusal(listing(*lines))
    assert message.startswith(f"c.txt:1: {first!r} {LISTING}"), message


def test_bracketed_names_under_an_indented_name_are_read():
    # No folder line naming a root: a name that holds no drive, over names in brackets.
    names = [" Verzeichnis der Tiere", "[Katze]", "[Hund]"]
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.strip() for name in names]


def test_the_cli_refuses_a_root_s_wide_listing_in_one_line(tmp_path):
    write_images(tmp_path / "photos" / "Users", 1)
    path = tmp_path / "classes.txt"
    path.write_text(listing(*GERMAN_HEADER[3:], *ROWS), encoding="utf-8")
    result = run("label", tmp_path / "photos", "--classes", path, "-m", "shapes-demo")
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    assert f"{path}:1: 'Verzeichnis von C:\\\\' {LISTING}" in line, line
    assert "Traceback" not in result.output
