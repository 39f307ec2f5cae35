"""Class files that cmd's `dir > classes.txt` wrote in the console's code page (CP850 in Western
Europe, CP437 in the US, CP866 in Russia, CP932 in Japan): not UTF-8 where the listing holds a
letter outside ASCII, they are refused as the `dir` listing they are, the encoding told too; a
class list that is merely not UTF-8 (Latin-1, Shift-JIS names) is refused as not UTF-8 alone."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.classes import load_class_spec
from zsl_cli.errors import EXIT_USAGE, ZslError
from zsl_cli.text_files import NotUtf8Error, read_text


def listing(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


# `dir > classes.txt` on a German Windows: "Datenträger" with CP850's 0x84.
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
    "               0 Datei(en),              0 Bytes",
    "               4 Verzeichnis(se), 12.345 Bytes frei",
)
# French: `<REP>` rows, "Répertoire" and "Rép(s)" with CP850's 0x82.
FRENCH = listing(
    " Le volume dans le lecteur C n'a pas de nom.",
    " Le numéro de série du volume est 1234-ABCD",
    "",
    " Répertoire de C:\\photos",
    "",
    "07/12/2026  10:15    <REP>          chat",
    "07/12/2026  10:15    <REP>          chien",
    "               0 fichier(s)              0 octets",
    "               2 Rép(s)  12 345 octets libres",
)
# Files alone, their sizes' thousands separated by the no-break space, CP850's 0xFF: the only
# byte outside ASCII in the file.
FRENCH_FILES = listing(
    "07/12/2026  10:15             1\u00a0234 chat.jpg",
    "07/12/2026  10:16             5\u00a0678 chien.jpg",
    "07/12/2026  10:17            12\u00a0345 oiseau.jpg",
)
# Russian, in CP866: the header in Cyrillic, the sizes' no-break space 0xFF.
RUSSIAN = listing(
    " Том в устройстве C имеет метку System",
    " Серийный номер тома: 1234-ABCD",
    "",
    " Содержимое папки C:\\Фото",
    "",
    "07.12.2026  10:15    <DIR>          Кошка",
    "07.12.2026  10:15    <DIR>          Собака",
    "07.12.2026  10:16             1\u00a0234 заметки.txt",
    "               1 файлов          1\u00a0234 байт",
    "               2 папок  12\u00a0345\u00a0678 байт свободно",
)
# An English listing whose one folder name is outside ASCII (CP437's 0x82 for "é").
ENGLISH_CAFE = listing(
    " Volume in drive C is Windows",
    " Volume Serial Number is 1234-ABCD",
    "",
    " Directory of C:\\photos",
    "",
    "12/06/2026  10:14 AM    <DIR>          bird",
    "12/06/2026  10:14 AM    <DIR>          café",
    "               0 File(s)              0 bytes",
    "               2 Dir(s)  100,204,085,248 bytes free",
)
# Japanese, in CP932 (Shift-JIS): the header in Japanese, the rows' `<DIR>`.
JAPANESE = listing(
    " ドライブ C のボリューム ラベルは Windows です",
    " ボリューム シリアル番号は 1234-ABCD です",
    "",
    " C:\\写真 のディレクトリ",
    "",
    "2026/12/07  10:15    <DIR>          猫",
    "2026/12/07  10:15    <DIR>          犬",
)
# A folder's listing without a row (`dir *.jpg` where none is): its header alone.
GERMAN_HEADER_ALONE = listing(
    " Datenträger in Laufwerk C: ist System",
    " Volumeseriennummer: 1234-ABCD",
    "",
    " Verzeichnis von C:\\Fotos",
    "",
)


def refusal(path: Path) -> str:
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    return str(error.value)


@pytest.mark.parametrize(
    ("text", "code_page", "number", "byte"),
    [
        (GERMAN, "cp850", 1, 0x84),
        (FRENCH, "cp850", 2, 0x82),
        (FRENCH_FILES, "cp850", 1, 0xFF),
        (RUSSIAN, "cp866", 1, 0x92),
        (ENGLISH_CAFE, "cp437", 7, 0x82),
        (JAPANESE, "cp932", 1, 0x83),
        (GERMAN_HEADER_ALONE, "cp850", 1, 0x84),
    ],
    ids=["de-cp850", "fr-cp850", "fr-files-cp850", "ru-cp866", "en-cp437", "ja-cp932", "de-header"],
)
def test_a_dir_listing_in_the_console_code_page_is_refused_as_one(
    tmp_path: Path, text: str, code_page: str, number: int, byte: int
):
    # It was refused as `not UTF-8 text (byte 0x84)`: saved again as UTF-8, it was still a
    # listing, and its rows and header were classes (or were refused then, one step later).
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode(code_page))
    message = refusal(path)
    assert message.startswith(f"{path}:1: "), message
    assert "is a line of a Windows `dir` listing" in message, message
    # The encoding is told too, with the byte and its line, and the advice writes UTF-8.
    assert f"not UTF-8 text (byte 0x{byte:02x} on line {number}: " in message, message
    assert "chcp 65001" in message, message
    assert "\n" not in message


def test_the_refusal_names_the_listing_s_first_line_as_read(tmp_path: Path):
    path = tmp_path / "c.txt"
    path.write_bytes(("Katzen\r\n" + GERMAN).encode("cp850"))
    message = refusal(path)
    # The line of the header above the rows, its byte shown escaped, not the class above it.
    assert message.startswith(f"{path}:2: 'Datentr\\x84ger in Laufwerk C: ist System' is a"), (
        message
    )


def test_the_refusal_shows_the_line_s_bytes_outside_ascii_as_such(tmp_path: Path):
    # Read as Latin-1, a CP866 header showed as Latin letters ('\x92®¬ ¢ ...'), no Russian.
    path = tmp_path / "c.txt"
    path.write_bytes(RUSSIAN.encode("cp866"))
    assert refusal(path).startswith(f"{path}:1: '\\x92\\xae\\xac \\xa2 \\xe3\\xe1")


def test_the_not_utf8_refusal_pickles_as_a_worker_process_sends_it(tmp_path: Path):
    path = tmp_path / "c.txt"
    path.write_bytes("café\n".encode("latin-1"))
    with pytest.raises(NotUtf8Error) as error:
        read_text(path)
    copy = pickle.loads(pickle.dumps(error.value))
    assert (copy.message, copy.line, copy.byte, copy.data) == (
        error.value.message,
        1,
        0xE9,
        b"caf\xe9\n",
    )


@pytest.mark.parametrize(
    ("text", "code_page", "byte"),
    [
        ("chat\r\nchâteau\r\ncafé\r\n", "latin-1", 0xE2),
        ("猫\n犬\n鳥\n", "shift_jis", 0x94),
        # Names of a date, a time and a number, a name or two among others: no listing.
        ("07.12.2026  10:15  2 Schwäne\nKatze\nHund\n", "cp850", 0x84),
        # One line indented as cmd's header, no number, path or totals: a class list.
        (" Kätzchen\n Hündchen\n", "cp850", 0x84),
        # `[name]` lines without a listing's header or totals: class names.
        ("[Katze]\n[Hündin]\n", "cp850", 0x81),
    ],
    ids=["latin-1", "shift-jis", "dated-names", "indented-names", "bracketed-names"],
)
def test_a_class_list_that_is_not_utf8_is_refused_as_such(
    tmp_path: Path, text: str, code_page: str, byte: int
):
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode(code_page))
    message = refusal(path)
    assert re.fullmatch(
        rf"{re.escape(str(path))}:\d+: not UTF-8 text \(byte 0x{byte:02x}\); save it as UTF-8",
        message,
    ), message


def test_the_cli_tells_a_cp850_listing_in_one_line(tmp_path: Path):
    write_images(tmp_path / "photos" / "Katze", 1)
    path = tmp_path / "classes.txt"
    path.write_bytes(GERMAN.encode("cp850"))
    result = run("label", tmp_path / "photos", "--classes", path, "-m", "shapes-demo")
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    assert "classes.txt:1: " in line, line
    assert "is a line of a Windows `dir` listing" in line, line
    assert "not UTF-8 text (byte 0x84 on line 1: " in line, line
    assert "Traceback" not in result.output
