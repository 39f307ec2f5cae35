"""Class files whose names are indented by a space, as cmd indents a `dir` listing's header, and
one of which holds a number shaped as a volume's serial number (a span of years `1990-1999`, a
standard's `ISO 9001-2015`) or a network folder's path after words: class lists, not a `dir` header
alone, which has its volume's line naming the drive above them. Real headers stay refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.classes import load_class_spec, parse_classes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    "names",
    [
        [" boats", " cars 1990-1999"],
        [" boats", " cars 1990-1999", " planes"],
        [" cars 1990-1999", " boats", "planes"],
        [" ISO 9001-2015 audit", " invoice"],
        [" hotline 0800-1234", " letter"],
        [" Katze", " Bilder von \\\\server\\Fotos"],
        # Names of a `[name]` cell beside one holding a number shaped as a serial number.
        ["cat [Felis catus]", "dog [Canis lupus]", " bus 1234-5678"],
    ],
    ids=[
        "years",
        "years-among-three",
        "years-above-an-unindented-name",
        "standard",
        "phone",
        "network-path",
        "bracketed-names",
    ],
)
def test_indented_names_beside_a_serial_shaped_number_or_a_path_are_read(names):
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.strip() for name in names]


def test_such_names_not_in_utf8_are_refused_as_not_utf8_alone(tmp_path: Path):
    path = tmp_path / "c.txt"
    path.write_bytes(" Kätzchen\n Katzen 1990-1999\n".encode("cp850"))
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    assert str(error.value) == f"{path}:1: not UTF-8 text (byte 0x84); save it as UTF-8"


def listing(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (  # the volume's line and the serial number's, nothing else
            listing(" Volume in drive C has no label.", " Volume Serial Number is 1234-ABCD"),
            "Volume in drive C has no label.",
        ),
        (
            listing(" Datenträger in Laufwerk D: ist Daten", " Volumeseriennummer: 1234-ABCD"),
            "Datenträger in Laufwerk D: ist Daten",
        ),
        (  # Chinese, the drive's letter between ideographs
            listing(" 驱动器 C 中的卷没有标签。", " 卷的序列号是 1234-ABCD"),
            "驱动器 C 中的卷没有标签。",
        ),
        (  # a network share's
            listing(
                " Datenträger in Laufwerk \\\\nas\\fotos ist Daten",
                " Volumeseriennummer: 1234-ABCD",
            ),
            "Datenträger in Laufwerk \\\\nas\\fotos ist Daten",
        ),
        (  # the serial number's line and the folder's, the volume's cut off
            listing(" Volumeseriennummer: 1234-ABCD", "", " Verzeichnis von C:\\Fotos", ""),
            "Volumeseriennummer: 1234-ABCD",
        ),
        (  # PowerShell's folder line and column header, no row
            listing(
                "    Verzeichnis: C:\\Fotos",
                "",
                "Mode                 LastWriteTime         Length Name",
                "----                 -------------         ------ ----",
            ),
            "Verzeichnis: C:\\Fotos",
        ),
        (  # a `dir /w` row of folders under a header of the volume and its serial number
            listing(
                " Le volume dans le lecteur D n'a pas de nom.",
                " Le numéro de série du volume est 1234-ABCD",
                "",
                "[chat]      [chien]     [oiseau]",
            ),
            "Le volume dans le lecteur D n'a pas de nom.",
        ),
    ],
    ids=["en", "de", "zh", "network-share", "serial-and-folder", "powershell", "wide-under-header"],
)
def test_a_header_naming_its_drive_is_still_refused(text, line):
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    message = str(error.value)
    assert message.startswith(f"c.txt:1: {line!r} is a line of a Windows `dir` listing"), message
