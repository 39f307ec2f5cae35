"""Class files written by Windows' `dir /w` (names in columns, folders as `[name]`) and by a `dir`
that listed no row (an empty match: its header and totals alone), in any language: refused as
the `dir` listing they are, from their first line, by the shape of their lines. `dir /b`'s bare
names, and names that merely look like a listing's parts, stay class lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.classes import parse_classes
from zsl_cli.errors import EXIT_USAGE, ZslError

DIR_FIX = (
    "write the names alone, as `dir /b /ad > c.txt` (cmd) or `Get-ChildItem -Directory -Name > "
    "c.txt` (PowerShell) lists the folders"
)


def listing(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def refusal(text: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    return str(error.value)


# `dir /w > classes.txt` on a German Windows.
GERMAN_WIDE = listing(
    " Datenträger in Laufwerk C: ist System",
    " Volumeseriennummer: 1234-ABCD",
    "",
    " Verzeichnis von C:\\Fotos",
    "",
    "[.]           [..]          [Katze]       [Hund]        klassen.txt",
    "[Vogel]",
    "               1 Datei(en),             12 Bytes",
    "               5 Verzeichnis(se), 12.345 Bytes frei",
)
KOREAN_WIDE = listing(
    " C 드라이브의 볼륨에는 이름이 없습니다.",
    " 볼륨 일련 번호: 1234-ABCD",
    "",
    " C:\\photos 디렉터리",
    "",
    "[.]     [..]    [cat]   [dog]",
    "               0개 파일                   0 바이트",
    "               4개 디렉터리  1,234 바이트 남음",
)
# A drive's root has no `.` and `..`: its folders' columns, with the header above them.
FRENCH_WIDE_ROOT = listing(
    " Le volume dans le lecteur D n'a pas de nom.",
    " Le numéro de série du volume est 1234-ABCD",
    "",
    " Répertoire de D:\\",
    "",
    "[chat]      [chien]     [oiseau]",
    "               0 fichier(s)              0 octets",
    "               3 Rép(s)  12\u00a0345 octets libres",
)


@pytest.mark.parametrize(
    ("text", "number", "line"),
    [
        (GERMAN_WIDE, 1, "Datenträger in Laufwerk C: ist System"),
        (KOREAN_WIDE, 1, "C 드라이브의 볼륨에는 이름이 없습니다."),
        (FRENCH_WIDE_ROOT, 1, "Le volume dans le lecteur D n'a pas de nom."),
        # The header cut off: from the first row of columns.
        (GERMAN_WIDE.split("\r\n", 5)[5], 1, "[.]           [..]          [Katze]"),
        ("Vögel\n" + GERMAN_WIDE.split("\r\n", 5)[5], 2, "[.]           [..]          [Katze]"),
        # Rows alone, with no header and no totals: `.` and `..` tell them.
        ("[.]     [..]    [cat]   [dog]\n[bird]\n", 1, "[.]     [..]    [cat]   [dog]"),
        # Rows of a drive's root over the translated totals.
        (FRENCH_WIDE_ROOT.split("\r\n", 5)[5], 1, "[chat]      [chien]     [oiseau]"),
    ],
    ids=["de", "ko", "fr-root", "de-rows", "de-class-above", "dots-alone", "fr-root-rows"],
)
def test_a_wide_dir_listing_is_refused_from_its_first_line(text, number, line):
    # Its rows were classes (`[.]           [..]          [Katze]...` one class), and its
    # translated header lines too.
    message = refusal(text)
    assert message.startswith(f"c.txt:{number}: {line!r}"[:-1]), message
    assert "is a line of a Windows `dir` listing" in message, message
    assert message.endswith(DIR_FIX)


def test_an_english_wide_listing_is_refused_from_its_first_row_not_its_totals():
    # Its English totals were refused, at their line, below the rows that were taken as classes.
    text = listing(
        "[.]           [..]          [bird]        [cat]",
        "               0 File(s)              0 bytes",
        "               4 Dir(s)  100,204,085,248 bytes free",
    )
    assert refusal(text).startswith("c.txt:1: '[.]           [..]          [bird]")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (  # `dir *.jpg > classes.txt` where no file matched (and `2>&1`, its complaint)
            listing(
                " Datenträger in Laufwerk C: ist System",
                " Volumeseriennummer: 1234-ABCD",
                "",
                " Verzeichnis von C:\\Fotos",
                "",
                "Datei nicht gefunden",
            ),
            "Datenträger in Laufwerk C: ist System",
        ),
        (
            listing(
                " El volumen de la unidad C no tiene etiqueta.",
                " El número de serie del volumen es: 1234-ABCD",
                "",
                " Directorio de C:\\fotos",
                "",
            ),
            "El volumen de la unidad C no tiene etiqueta.",
        ),
        (
            listing(" C 드라이브의 볼륨에는 이름이 없습니다.", " 볼륨 일련 번호: 1234-ABCD"),
            "C 드라이브의 볼륨에는 이름이 없습니다.",
        ),
        (  # the folder's line alone under the volume's, no serial number
            listing(" Aseman C asemassa oleva nimi on Windows", " Kansion C:\\kuvat sisältö"),
            "Aseman C asemassa oleva nimi on Windows",
        ),
        (  # the totals alone
            listing(
                "               0 fichier(s)              0 octets",
                "               2 Rép(s)  12\u00a0345 octets libres",
            ),
            "0 fichier(s)              0 octets",
        ),
        (
            listing("               0 個のファイル                   0 バイト"),
            "0 個のファイル                   0 バイト",
        ),
        (
            listing(
                " Volume in drive C has no label.",
                " Volume Serial Number is 1234-ABCD",
                "",
                " Directory of C:\\x",
                "",
                "File Not Found",
            ),
            "Volume in drive C has no label.",
        ),
    ],
    ids=["de-not-found", "es", "ko", "fi-no-serial", "fr-totals", "ja-totals", "en"],
)
def test_a_listing_s_header_or_totals_alone_are_refused(text, line):
    # The translated lines were classes: 'Datenträger in Laufwerk C' with the prompt 'ist System'.
    message = refusal(text)
    assert message.startswith(f"c.txt:1: {line!r} is a line of a Windows `dir` listing"), message
    assert message.endswith(DIR_FIX)


@pytest.mark.parametrize(
    "names",
    [
        # `dir /b`'s bare names.
        ["Katze", "Hund", "blaue Kreise", "Vogel.Strauß"],
        # Names in brackets, without a listing's `.`, `..`, header or totals.
        ["[Katze]", "[Hund]"],
        # Lines indented as cmd's header, with no serial number, folder line or totals.
        [" Katze", " Hund", " Vogel"],
        # Drives' folders, indented: paths, no listing's header.
        [" C:\\Fotos\\Katze", " C:\\Fotos\\Hund"],
        # A drive's folder among indented names: a path alone is no folder line of cmd's.
        [" Katze", " C:\\Fotos\\Hund"],
        [" Katze", " C:\\meine Fotos\\Hund"],
        # A listing's words without its shape.
        ["Datei nicht gefunden", "0 Datei(en)", "2 Verzeichnis(se) frei"],
        ["Volumeseriennummer", "1234-ABCD"],
        # Part numbers shaped as a serial number, indented; an indented count of things.
        [" SKU 1234-5678", " SKU 2345-6789"],
        ["    12 apples in 3 boxes"],
        [" Katze", "    2 Hunde  3 Katzen im Korb"],
    ],
    ids=[
        "dir-b",
        "brackets",
        "indented",
        "indented-paths",
        "path-among-names",
        "spaced-path-among-names",
        "words",
        "serial-words",
        "part-numbers",
        "indented-count",
        "indented-counts-among-names",
    ],
)
def test_names_that_only_look_like_a_listing_s_lines_are_read(names):
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.strip() for name in names]


def test_the_cli_tells_a_wide_listing_in_the_console_code_page_in_one_line(tmp_path: Path):
    # `dir /w > classes.txt` in a German console: CP850, its rows read as classes once saved
    # again as UTF-8.
    write_images(tmp_path / "photos" / "Katze", 1)
    path = tmp_path / "classes.txt"
    path.write_bytes(GERMAN_WIDE.encode("cp850"))
    result = run("label", tmp_path / "photos", "--classes", path, "-m", "shapes-demo")
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        r"zsl: error: .*classes\.txt:1: 'Datentr\\x84ger in Laufwerk C: ist System' is a line of "
        r"a Windows `dir` listing .*, and not UTF-8 text \(byte 0x84 on line 1: .*\): write the "
        r"names alone in UTF-8, as `chcp 65001` then `dir /b /ad > .*classes\.txt` \(cmd\) .*",
        line,
    ), line
