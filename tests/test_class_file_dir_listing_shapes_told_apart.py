"""The shapes that tell a Windows `dir` listing's lines from class names, edge by edge: a `[name]`
cell of `dir /w` stands alone between spaces, its `.` and `..` lead the row; a serial number is
four hexadecimal digits, a dash and four more, no more digits beside them; a folder line's path
follows a space; totals count in cmd's column of 16 characters and end in a unit; the first row
of several, and the first line of a header, are the ones named."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.classes import load_class_spec, parse_classes
from zsl_cli.errors import ZslError


def listing(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def refusal(text: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    return str(error.value)


@pytest.mark.parametrize(
    "names",
    [
        # `.` and `..` in brackets with a name stuck to them, or not leading the line: no row.
        ["[.]   [..]bird", "[..]   [cat]"],
        ["[Katze]   [.]   [..]", "[Hund]"],
        # Brackets inside or before a word, or opening on a space, are no `dir /w` cell, even under
        # a volume's and a serial number's lines.
        [" Vitamin C tablets", " lot 1234-5678", "cat[1]", "dog[2]"],
        [" Vitamin C tablets", " lot 1234-5678", "[1]cat", "[2]dog"],
        [" Vitamin C tablets", " lot 1234-5678", "[ cat]", "[ dog]"],
        # Numbers with more digits than a serial number's, or lower-case letters: no serial.
        [" Vitamin C tablets", " lot 12345-6789"],
        [" Vitamin C tablets", " lot 1234-56789"],
        [" Vitamin C tablets", " code abcd-1234"],
        # A network path stuck to a word is no folder line.
        [" Vitamin C tablets", " backup\\\\nas\\share"],
        # Counts in cmd's column of 16 characters, with no unit or no word after the count.
        ["               1 + 2 apples"],
        ["               2 Hunde und 3"],
        # Indented to 14 characters, short of cmd's column.
        ["            12 apples in 3 boxes"],
        # Names that start as PowerShell's `Mode` column does count among the names against a
        # name of a date, a time and a number.
        ["07.12.2026 10.15 3 wise men", "Modern art", "Model trains"],
        # A volume's and a serial number's shapes under a name, or over two names.
        ["cats", " Vitamin C tablets", " lot 1234-5678"],
        [" Vitamin C tablets", " lot 1234-5678", "cats", "dogs"],
        # A volume's line names its drive by a capital letter standing alone (or a network
        # share), first of the header: not a word's last capital, nor a later line's letter, nor
        # a serial number's or a folder's line holding a letter.
        [" UFO sightings log", " UFO sightings 1990-1999"],
        [" cats 1990-1999", " Vitamin C tablets"],
        [" Vitamin C 1234-5678", " vitamins"],
        [" Vitamin C from \\\\nas\\share", " vitamins"],
        [" see \\\\ root", " lot 1234-5678"],
        # Two serial numbers, two folder lines, three other indented lines: no header.
        [" Vitamin C tablets", " lot 1234-5678", " lot 2345-6789"],
        [" Vitamin C tablets", " from \\\\nas\\a x", " from \\\\nas\\b y"],
        [" Vitamin C tablets", " zinc", " iron", " lot 1234-5678"],
    ],
    ids=[
        "dots-stuck",
        "dots-not-leading",
        "brackets-after-word",
        "brackets-before-word",
        "brackets-around-spaces",
        "five-digits-before",
        "five-digits-after",
        "lower-case-serial",
        "network-path-stuck",
        "count-without-word",
        "count-without-unit",
        "indented-14",
        "mode-words",
        "name-above",
        "two-names-below",
        "word-s-last-capital",
        "later-letter",
        "serial-with-letter",
        "folder-with-letter",
        "backslashes-alone",
        "two-serials",
        "two-folders",
        "three-indented",
    ],
)
def test_names_shaped_almost_as_a_listing_s_lines_are_read(names):
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.strip() for name in names]


def test_a_header_after_a_byte_order_mark_is_told_by_its_lines_not_the_mark():
    # A serial number's line holding a letter, first after the mark: no volume line.
    spec = parse_classes("\ufeff Vitamin C 1234-5678\n vitamins\n", "c.txt")
    assert spec.names == ["Vitamin C 1234-5678", "vitamins"]


def test_a_volume_line_ending_in_its_drive_s_letter_names_it():
    text = listing(" Datenträger in Laufwerk D", " Volumeseriennummer: 1234-ABCD")
    assert refusal(text).startswith("c.txt:1: 'Datenträger in Laufwerk D' is a line")


def test_a_header_of_a_network_folder_without_its_serial_number_is_refused():
    text = listing(" Datenträger in Laufwerk C: ist System", " Verzeichnis von \\\\nas\\Fotos")
    assert refusal(text).startswith("c.txt:1: 'Datenträger in Laufwerk C: ist System' is a line")


def test_wide_rows_under_a_header_without_totals_are_refused_from_the_header():
    text = listing(
        " Le volume dans le lecteur D n'a pas de nom.",
        " Le numéro de série du volume est 1234-ABCD",
        "",
        "[chat]      [chien]",
        "[oiseau]    [lapin]",
    )
    assert refusal(text).startswith('c.txt:1: "Le volume dans le lecteur D n\'a pas de nom."')


def test_a_wide_listing_s_rows_are_refused_from_the_first():
    text = listing(
        "[chat]      [chien]",
        "[oiseau]    [lapin]",
        "               0 fichier(s)              0 octets",
    )
    assert refusal(text).startswith("c.txt:1: '[chat]      [chien]' is a line")


def test_a_header_after_a_byte_order_mark_is_refused_from_its_first_line():
    # Text given to parse_classes as read by another reader, its mark kept.
    text = "\ufeff" + listing(
        " Datenträger in Laufwerk C: ist System", " Volumeseriennummer: 1234-ABCD"
    )
    assert refusal(text).startswith("c.txt:1: 'Datenträger in Laufwerk C: ist System' is a line")


def test_a_code_page_list_with_an_indented_english_header_line_is_refused_as_a_listing(
    tmp_path: Path,
):
    path = tmp_path / "c.txt"
    path.write_bytes("Kätzchen\nHündchen\n Volume in drive C is Windows\n".encode("cp850"))
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    message = str(error.value)
    assert message.startswith(f"{path}:3: 'Volume in drive C is Windows' is a line"), message
    assert "not UTF-8 text (byte 0x84 on line 1: " in message, message


def test_a_long_code_page_line_is_cut_with_an_ellipsis(tmp_path: Path):
    path = tmp_path / "c.txt"
    label = "Sicherung" * 12
    header = listing(f" Datenträger in Laufwerk C: ist {label}", " Volumeseriennummer: 1234-ABCD")
    path.write_bytes(header.encode("cp850"))
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    message = str(error.value)
    assert message.startswith(f"{path}:1: 'Datentr\\x84ger in Laufwerk C: ist Sicherung"), message
    assert "Sich'... is a line of a Windows `dir` listing" in message, message
