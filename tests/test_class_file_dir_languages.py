"""Class files written by Windows' `dir` (not `dir /b`) on a Windows in another language than
English: its header and totals are translated and its dates and times take the locale's forms, so
the listing is told by the shape of its rows (a date, a time, `<DIR>` or a size, a name), and
from its first line on, whatever the words of its header. Class lists whose names hold dates,
times, numbers or the words of a listing stay class lists."""

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


GERMAN = listing(
    " Datenträger in Laufwerk C: ist System",
    " Volumeseriennummer: 1234-ABCD",
    "",
    " Verzeichnis von C:\\Fotos",
    "",
    "07.12.2026  10:15    <DIR>          .",
    "07.12.2026  10:15    <DIR>          ..",
    "07.12.2026  10:15    <DIR>          Katze",
    "07.12.2026  10:15    <DIR>          Hund",
    "               3 Datei(en),          1.234 Bytes",
    "               5 Verzeichnis(se), 12.345 Bytes frei",
)
FRENCH = listing(
    " Le volume dans le lecteur C n’a pas de nom.",
    " Le numéro de série du volume est 1234-ABCD",
    "",
    " Répertoire de C:\\photos",
    "",
    "07/12/2026  10:15    <REP>          chat",
    "07/12/2026  10:15    <REP>          chien",
    "               3 fichier(s)        1\u00a0234 octets",
    "               5 Rép(s)  12\u00a0345 octets libres",
)
SPANISH_12_HOUR = listing(
    " El volumen de la unidad C no tiene etiqueta.",
    " El número de serie del volumen es: 1234-ABCD",
    "",
    " Directorio de C:\\fotos",
    "",
    "07/12/2026  10:15 a. m.    <DIR>          gato",
    "07/12/2026  10:15 p. m.    <DIR>          perro",
    "               3 archivos          1.234 bytes",
    "               5 dirs  12.345 bytes libres",
)
# Korean and Taiwanese Windows write the half of the day before the time.
KOREAN = listing(
    " C 드라이브의 볼륨에는 이름이 없습니다.",
    " 볼륨 일련 번호: 1234-ABCD",
    "",
    " C:\\photos 디렉터리",
    "",
    "2026-12-07  오전 10:15    <DIR>          cat",
    "2026-12-07  오후 10:15    <DIR>          dog",
    "               0개 파일                   0 바이트",
    "               2개 디렉터리  1,234 바이트 남음",
)
CHINESE_TRADITIONAL = listing(
    " 磁碟區 C 中的磁碟是 Windows",
    " 磁碟區序號:  1234-ABCD",
    "",
    " C:\\photos 的目錄",
    "",
    "2026/12/07  下午 10:15    <DIR>          cat",
    "2026/12/07  下午 10:15    <DIR>          dog",
)
# Finland's clock separates with '.', Canadian French's with ' h '; Hungary's date ends with '.'.
FINNISH = listing(
    " Aseman C asemassa oleva nimi on Windows",
    "",
    " Kansion C:\\kuvat sisältö",
    "",
    "07.12.2026  10.15    <DIR>          kissa",
    "07.12.2026  10.15    <DIR>          koira",
)
CANADIAN_FRENCH = listing(
    " Répertoire de C:\\photos",
    "",
    "2026-12-07  10 h 15    <DIR>          chat",
    "2026-12-07  10 h 15    <DIR>          chien",
)
HUNGARIAN = listing(
    " A C meghajtóban lévő kötet a Windows",
    "",
    "2026. 12. 07.  10:15    <DIR>          macska",
    "2026. 12. 07.  10:15    <DIR>          kutya",
)
# A folder of files alone, no sub-folder: every row a size, the header and totals translated.
GERMAN_FILES = listing(
    " Verzeichnis von C:\\Fotos",
    "",
    "07.12.2026  10:15             1.234 katze.jpg",
    "07.12.2026  10:15             5.678 hund.jpg",
    "07.12.2026  10:15                12 klassen.txt",
    "               3 Datei(en),          6.924 Bytes",
)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (GERMAN, "Datenträger in Laufwerk C: ist System"),
        (FRENCH, "Le volume dans le lecteur C n’a pas de nom."),
        (SPANISH_12_HOUR, "El volumen de la unidad C no tiene etiqueta."),
        (KOREAN, "C 드라이브의 볼륨에는 이름이 없습니다."),
        (CHINESE_TRADITIONAL, "磁碟區 C 中的磁碟是 Windows"),
        (FINNISH, "Aseman C asemassa oleva nimi on Windows"),
        (CANADIAN_FRENCH, "Répertoire de C:\\photos"),
        (HUNGARIAN, "A C meghajtóban lévő kötet a Windows"),
        (GERMAN_FILES, "Verzeichnis von C:\\Fotos"),
    ],
    ids=["de", "fr", "es-12-hour", "ko", "zh-tw", "fi", "fr-ca", "hu", "de-files"],
)
def test_a_dir_listing_in_another_language_is_refused_from_its_first_line(text, line):
    # Its header lines were classes ('Datenträger in Laufwerk C' with the prompt 'ist System')
    # until a row was recognised, or, where none was (a time after `오전`, `10.15`), every line
    # was a class split at the time's ':' with a warning alone.
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    message = str(error.value)
    assert message.startswith(f"c.txt:1: {line!r} is a line of a Windows `dir` listing"), message
    assert message.endswith(DIR_FIX)


@pytest.mark.parametrize(
    ("text", "number", "line"),
    [
        (  # the header cut off: the first row
            "07.12.2026  10:15    <DIR>          Katze\n07.12.2026  10:15    <DIR>          Hund\n",
            1,
            "07.12.2026  10:15    <DIR>          Katze",
        ),
        (  # a time format with seconds
            "2026-12-07  10:15:30    <DIR>          cat\n",
            1,
            "2026-12-07  10:15:30    <DIR>          cat",
        ),
        (  # a blank line and a comment above the header
            "\n# Klassen\n" + GERMAN,
            3,
            "Datenträger in Laufwerk C: ist System",
        ),
        (  # a class above the listing is no line of it
            "Vogel\n" + KOREAN.split("\r\n", 3)[3],
            2,
            "C:\\photos 디렉터리",
        ),
        (  # the prompt's line copied with the console's output: no line of the listing
            "C:\\Fotos>dir\r\n" + GERMAN,
            2,
            "Datenträger in Laufwerk C: ist System",
        ),
        (  # classes indented as no header of cmd's or PowerShell's is
            "  Vogel\n  Fisch\n07.12.2026  10:15    <DIR>          Katze\n",
            3,
            "07.12.2026  10:15    <DIR>          Katze",
        ),
    ],
    ids=[
        "rows-alone",
        "seconds",
        "comment-above",
        "class-above",
        "prompt-above",
        "indented-classes-above",
    ],
)
def test_the_refusal_names_where_the_listing_starts(text, number, line):
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    message = str(error.value)
    assert message.startswith(f"c.txt:{number}: {line!r} is a line of a Windows `dir`"), message


POWERSHELL_GERMAN = (
    "\n"
    "    Verzeichnis: C:\\Fotos\n"
    "\n"
    "\n"
    "Mode                 LastWriteTime         Length Name\n"
    "----                 -------------         ------ ----\n"
    "d-----        07.12.2026     10:15                Katze\n"
    "d-----        07.12.2026     10:15                Hund\n"
    "-a----        07.12.2026     10:15           1234 klassen.txt\n"
)
POWERSHELL_KOREAN = (
    "    디렉터리: C:\\photos\n"
    "\n"
    "Mode                 LastWriteTime         Length Name\n"
    "----                 -------------         ------ ----\n"
    "d-----     2026-12-07   오전 10:15                cat\n"
    "d-----     2026-12-07   오후 10:15                dog\n"
)


@pytest.mark.parametrize(
    ("text", "number", "line"),
    [
        (POWERSHELL_GERMAN, 2, "Verzeichnis: C:\\Fotos"),
        (POWERSHELL_KOREAN, 1, "디렉터리: C:\\photos"),
        (POWERSHELL_KOREAN.split("\n", 4)[4], 1, "d-----     2026-12-07   오전 10:15"),
    ],
    ids=["de", "ko", "ko-rows-alone"],
)
def test_a_powershell_listing_in_another_language_is_refused(text, number, line):
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    message = str(error.value)
    assert message.startswith(f"c.txt:{number}: {line!r}"[:-1]), message
    assert message.endswith(DIR_FIX)


@pytest.mark.parametrize(
    "names",
    [
        # One class of a listing's words, or of its header's shape.
        ["Directory of birds"],
        ["Verzeichnis von Vögeln"],
        ["dir"],
        ["dir", "dirs", "5 dirs", "3 archivos", "1.234 Bytes"],
        # Names holding dates, times and numbers among other names: no listing across the list.
        ["07.12.2026 parade", "2026-12-07 10:15 train", "cat"],
        ["12/06/2026 10:14 2 people", "birthday cake", "alarm clock"],
        ["2026-12-07  10:15  3 wise men", "nativity scene", "christmas tree"],
        ["10 h 15 train", "1.2.3 release", "a. m. radio"],
        ["24/7 store", "9/11 memorial", "3.5 floppy disk"],
    ],
)
def test_class_names_that_hold_a_listing_s_parts_are_read(names):
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.split(":")[0] if ":" in name else name for name in names]


def test_the_cli_tells_a_german_dir_listing_in_one_line(tmp_path: Path):
    write_images(tmp_path / "photos" / "Katze", 1)
    path = tmp_path / "classes.txt"
    # cmd's `>` writes the console's code page; a file saved as UTF-8, as an editor does.
    path.write_text(GERMAN, encoding="utf-8", newline="")
    result = run("label", tmp_path / "photos", "--classes", path, "-m", "shapes-demo")
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        r"zsl: error: .*classes\.txt:1: 'Datenträger in Laufwerk C: ist System' is a line of a "
        r"Windows `dir` listing .*`Get-ChildItem -Directory -Name > .*classes\.txt` "
        r"\(PowerShell\) lists the folders",
        line,
    ), line
