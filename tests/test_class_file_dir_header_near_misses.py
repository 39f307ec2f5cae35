"""Class lists whose indented lines come close to a Windows `dir` listing's header without being
one are read as names: a serial number and a folder line two blank lines apart, not one as cmd
lays them out; a volume line in words not listed with another indented name below; more
indented lines than a header holds under a volume line; a serial-shaped number glued to a word;
a name above the volume line. And headers that are ones are refused from their first line:
Norwegian and Danish volume lines, a PowerShell folder line over its column header and rule
with a name below them."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError

LISTING = "is a line of a Windows `dir` listing"


def refusal(*lines: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_classes("\n".join(lines) + "\n", "c.txt")
    return str(error.value)


def names(*lines: str) -> list[str]:
    return parse_classes("\n".join(lines) + "\n", "c.txt").names


@pytest.mark.parametrize(
    "volume",
    [" Volumet i stasjon C har ikke noe navn.", " Volumen i drev C har ikke nogen etiket."],
    ids=["norwegian-volumet", "danish-volumen"],
)
def test_scandinavian_volume_lines_start_a_header(volume):
    message = refusal(volume, " Volumserienummer: 1234-ABCD")
    assert message.startswith(f"c.txt:1: '{volume.strip()}' {LISTING}")


def test_a_serial_number_and_a_folder_line_two_blank_lines_apart_are_names():
    # cmd writes one blank line between them.
    lines = (" lot 1234-ABCD", "", "", " Bilder von \\\\server\\Fotos")
    assert names(*lines) == ["lot 1234-ABCD", "Bilder von \\\\server\\Fotos"]


def test_an_indented_line_over_a_serial_number_is_no_volume_line_with_another_below():
    # One indented line right above a serial number of digits alone reads as a volume line in
    # words not listed only where it is the only such line.
    lines = (" Plan A", " lot 1234-5678", "", " Bilder von \\\\server\\Fotos", " other")
    assert names(*lines) == [line.strip() for line in lines if line]


def test_three_more_indented_names_under_a_volume_shaped_line_are_names():
    lines = (" Volume in station B", " serial number 1234-ABCD", " apples", " pears", " plums")
    assert names(*lines) == [line.strip() for line in lines]


def test_a_serial_shaped_number_glued_to_a_word_is_no_serial_number():
    lines = (" lot X1234-ABCD", "", " Bilder von \\\\server\\Fotos")
    assert names(*lines) == ["lot X1234-ABCD", "Bilder von \\\\server\\Fotos"]


def test_a_name_above_volume_and_serial_shaped_lines_keeps_them_names():
    lines = ("cats", " Volume in station B", " serial number 1234-ABCD")
    assert names(*lines) == [line.strip() for line in lines]


def test_a_powershell_header_without_rows_is_refused_from_its_folder_line_over_a_name():
    message = refusal(
        "    ディレクトリ: C:\\写真",
        "",
        "Mode                 LastWriteTime         Length Name",
        "----                 -------------         ------ ----",
        "",
        "cat",
    )
    assert message.startswith(f"c.txt:1: 'ディレクトリ: C:\\\\写真' {LISTING}")
