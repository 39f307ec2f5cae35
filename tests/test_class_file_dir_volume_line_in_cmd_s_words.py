"""A `dir` header without rows is told by cmd's volume line as cmd writes it, in its own words in
each of its languages (` Volume in drive C is Windows`, ` Datenträger in Laufwerk C: ist System`,
` 驱动器 C 中的卷没有标签。`), or by its serial number's and folder's lines as cmd lays them out:
no indented class name holding a lone capital letter (` Plan B options for the team`, ` Photos
from the C drive`) beside one shaped as a serial number (` cars 1990-1999`) or a path is taken
for one. Names are tried against each other in many combinations, and real headers in every
language already told, in UTF-8 and in their consoles' code pages, stay refused."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from zsl_cli.classes import load_class_spec, parse_classes
from zsl_cli.errors import ZslError

LISTING = "is a line of a Windows `dir` listing"


def listing(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def refusal(text: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    return str(error.value)


# Class names as people write them: indented by a space as a copied list may be, a lone capital
# letter among words (in several languages, the letter first, last or after three words),
# numbers shaped as a volume's serial number, a drive's path after words, brackets, a `Mode...`
# word, words of cmd's header used otherwise.
NAMES = [
    " Plan B options for the team",
    " Plan B options",
    " Vitamin C tablets for kids and adults",
    " Grade A eggs from free range hens",
    " Photos from the C drive",
    " Photos of the drive C backup",
    " Section D of the stadium seats",
    " Block C apartment building facade",
    " Type B blood sample tube",
    " C sharp programming book cover",
    " A B C D letter blocks",
    " the letter X painted on a wall",
    " Vitamine C Tabletten für Kinder und Erwachsene",
    " Le plan B pour les vacances en famille",
    " Bloque C del edificio principal de la universidad",
    " Витамин C в таблетках для детей",
    " C vitamini tabletleri için kutu",
    " 维生素 C 片",
    " 비타민 C 음료",
    " ビタミン C サプリ",
    " Volume B of the encyclopedia",
    " volume knob on a radio",
    " cars 1990-1999",
    " ISO 9001-2015 audit",
    " hotline 0800-1234",
    " Type 1234-5678",
    " serial number 1234-ABCD",
    " backups from \\\\nas\\photos",
    " Bilder von \\\\server\\Fotos",
    " Directory of local businesses",
    " lot 1234-5678",
    " SKU 2345-6789",
    " Mode of transport",
    " Grade A",
    " Type O negative",
    " Laufwerk C",
    " in drive C is",
    " Volume in C",
    " Plan B",
    " 볼륨",
    " cats",
    "dogs",
    "Vitamin C",
    "Mode switch",
    "cat [Felis catus]",
    "[Katze]",
    "    12 apples in 3 boxes",
]
# What cmd writes where a header's volume line is cut off: a serial number (holding a letter, as
# nearly all do) and, under a blank line, a folder line.
SERIAL_NUMBER = " serial number 1234-ABCD"


def read_as_names(names: list[str]) -> None:
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.strip() for name in names]


@pytest.mark.parametrize(
    "names",
    [
        [" Plan B options for the team", " cars 1990-1999"],
        [" Plan B options for the team", " ISO 9001-2015 audit"],
        [" Photos from the C drive", " cars 1990-1999"],
        [" Vitamin C tablets for kids and adults", " hotline 0800-1234"],
        [" C vitamini tabletleri için kutu", " cars 1990-1999"],
        [" backups from \\\\nas\\photos", " cars 1990-1999"],
        [" cars 1990-1999", " Bilder von \\\\server\\Fotos"],
        [" cars 1990-1999", "", " Bilder von \\\\server\\Fotos"],
        [" ISO 9001-2015 audit", "", " Bilder von \\\\server\\Fotos"],
        [" lot 1234-ABCD", "", " Bilder von \\\\server\\Fotos", "", " Grade A", "", "cats"],
    ],
    ids=[
        "plan-b-years",
        "plan-b-standard",
        "c-drive-after-three-words",
        "vitamin-c-phone",
        "letter-first",
        "path-under-years",
        "years-over-path",
        "years-double-spaced-over-path",
        "standard-double-spaced-over-path",
        "lot-double-spaced-among-others",
    ],
)
def test_names_beside_a_serial_shaped_one_are_read(names):
    # Each was refused as a `dir` header: a lone capital letter with four words after it, or
    # after three words the last in lower case, was taken for the volume line's drive; a
    # network path after words with a serial-shaped number for the folder and serial lines.
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.strip() for name in names if name]


def test_every_pair_of_plausible_names_is_read():
    for pair in itertools.permutations(NAMES, 2):
        read_as_names(list(pair))


def test_longer_lists_of_plausible_names_are_read():
    draw = random.Random(20261207)
    for _ in range(400):
        read_as_names(draw.sample(NAMES, draw.randint(3, 6)))


def test_double_spaced_lists_of_plausible_names_are_read():
    # A blank line between the names, as between cmd's serial number and folder lines.
    names = [name for name in NAMES if name != SERIAL_NUMBER]
    for pair in itertools.permutations(names, 2):
        spec = parse_classes("\n\n".join(pair) + "\n", "c.txt")
        assert spec.names == [name.strip() for name in pair]
    draw = random.Random(20261208)
    for _ in range(400):
        some = draw.sample(NAMES, draw.randint(3, 5))
        spec = parse_classes("\n\n".join(some) + "\n", "c.txt")
        assert spec.names == [name.strip() for name in some]


def test_plausible_names_not_in_utf8_are_refused_as_not_utf8_alone(tmp_path: Path):
    path = tmp_path / "c.txt"
    path.write_bytes(" Plan B options für das Team\n cars 1990-1999\n".encode("cp850"))
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    assert str(error.value) == f"{path}:1: not UTF-8 text (byte 0x81); save it as UTF-8"


# cmd's volume line in the languages zsl tells, with a label and without one.
VOLUME_LINES = [
    " Volume in drive C is Windows",
    " Volume in drive D has no label.",
    " Datenträger in Laufwerk C: ist System",
    " Volume in Laufwerk D: hat keine Bezeichnung.",
    " Datenträger in Laufwerk D",
    " Le volume dans le lecteur C s'appelle Windows",
    " Le volume dans le lecteur C n’a pas de nom.",
    " El volumen de la unidad C es Windows",
    " El volumen de la unidad C no tiene etiqueta.",
    " Il volume nell'unità C è Windows",
    " O volume na unidade C é Windows",
    " Volume in station C is Windows",
    " Том в устройстве C имеет метку System",
    " Том в устройстве C не имеет метки.",
    " Wolumin w stacji C to Windows",
    " Svazek v jednotce C je Windows",
    " Volymen i enhet C är Windows",
    " Aseman C asemassa oleva nimi on Windows",
    " C sürücüsündeki birimin etiketi yok.",
    " A C meghajtóban lévő kötet a Windows",
    " Ο τόμος στη μονάδα δίσκου C είναι Windows",
    " ドライブ C のボリューム ラベルは Windows です",
    " ドライブ C のボリューム ラベルがありません。",
    " 驱动器 C 中的卷没有标签。",
    " 磁碟區 C 中的磁碟是 Windows",
    " C 드라이브의 볼륨에는 이름이 없습니다.",
    " Volume in drive \\\\nas\\fotos is Daten",
    " Datenträger in Laufwerk \\\\nas\\fotos ist Daten",
]


@pytest.mark.parametrize("volume", VOLUME_LINES)
@pytest.mark.parametrize(
    "below", [" cars 1990-1999", " Volumeseriennummer: 1234-ABCD", " Directory of C:\\photos"]
)
def test_cmd_s_volume_line_over_a_serial_number_or_folder_line_is_a_header(volume, below):
    message = refusal(listing(volume, below))
    assert message.startswith(f"c.txt:1: {volume.strip()!r} {LISTING}"), message


@pytest.mark.parametrize(
    ("volume", "serial", "code_page"),
    [
        (" Datenträger in Laufwerk C: ist System", " Volumeseriennummer: 1234-ABCD", "cp850"),
        (" Том в устройстве C имеет метку System", " Серийный номер тома: 1234-ABCD", "cp866"),
        (" ドライブ C のボリューム ラベルは Windows です", " cars 1990-1999", "cp932"),
        (
            " Ο τόμος στη μονάδα δίσκου C είναι Windows",
            " Ο αριθμός σειράς του τόμου είναι 1234-ABCD",
            "cp737",
        ),
    ],
    ids=["de-cp850", "ru-cp866", "ja-cp932", "el-cp737"],
)
def test_a_volume_line_in_the_console_code_page_over_a_serial_number_is_a_header(
    tmp_path: Path, volume: str, serial: str, code_page: str
):
    path = tmp_path / "c.txt"
    path.write_bytes(listing(volume, serial).encode(code_page))
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    message = str(error.value)
    assert message.startswith(f"{path}:1: "), message
    assert LISTING in message and "not UTF-8 text (byte 0x" in message, message


@pytest.mark.parametrize(
    "lines",
    [
        # The volume's line cut off: the serial number's and the folder's, as cmd lays them out.
        [" Volumeseriennummer: 1234-ABCD", "", " Verzeichnis von C:\\Fotos", ""],
        [" Volume Serial Number is 1234-ABCD", "", " Directory of C:\\", ""],
        [" 볼륨 일련 번호: 1234-ABCD", "", " C:\\photos 디렉터리", ""],
    ],
    ids=["de", "en-root", "ko"],
)
def test_a_serial_number_and_folder_line_as_cmd_writes_them_are_a_header(lines):
    message = refusal(listing(*lines))
    assert message.startswith(f"c.txt:1: {lines[0].strip()!r} {LISTING}"), message


def test_a_powershell_folder_line_names_a_folder():
    # `Directory: ` before words is a class with its prompt, not PowerShell's folder line.
    spec = parse_classes("Directory: a photo of a building's directory board\nlobby\n", "c.txt")
    assert spec.names == ["Directory", "lobby"]
    message = refusal("    Directory: C:\\photos\r\n\r\nbird\r\n")
    assert message.startswith(f"c.txt:1: 'Directory: C:\\\\photos' {LISTING}"), message
