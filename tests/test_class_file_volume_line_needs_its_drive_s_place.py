"""Indented class names holding a lone capital letter among words (` Vitamin C tablets`, ` Plan B
options`, ` Grade A eggs`) beside a name holding a number shaped as a volume's serial number: a
class list, not a `dir` header alone. cmd's volume line is told by its own words in its language
(`Volume in drive C is`, `Le volume dans le lecteur C`, `Том в устройстве C`), not by where a
lone capital letter sits."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.classes import load_class_spec, parse_classes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    "names",
    [
        [" Vitamin C tablets", " cars 1990-1999"],
        [" Plan B options", " hotline 0800-1234"],
        [" Grade A eggs", " ISO 9001-2015 audit"],
        [" Organic Bio Vitamin C tablets", " cars 1990-1999"],
        [" Eggs grade A", " ISO 9001-2015 audit"],
        [" Vitamin C tablets for kids", " cars 1990-1999"],
    ],
    ids=["vitamin", "plan", "grade", "capitalized-words-before", "letter-last", "words-after"],
)
def test_names_around_a_lone_capital_letter_are_no_volume_line(names):
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.strip() for name in names]


def test_such_names_in_a_file_are_labelled_from(tmp_path: Path):
    path = tmp_path / "vit.txt"
    path.write_text(" Vitamin C tablets\n cars 1990-1999\n", encoding="utf-8")
    assert load_class_spec(path).names == ["Vitamin C tablets", "cars 1990-1999"]


@pytest.mark.parametrize(
    "volume",
    [
        " Volume in drive C is Windows",
        " Volume in drive C has no label.",
        " Datenträger in Laufwerk C: ist System",
        " Datenträger in Laufwerk D",
        " Le volume dans le lecteur C n’a pas de nom.",
        " El volumen de la unidad C no tiene etiqueta.",
        " Том в устройстве C имеет метку System",
        " ドライブ C のボリューム ラベルは Windows です",
        " 驱动器 C 中的卷没有标签。",
        " C 드라이브의 볼륨에는 이름이 없습니다.",
        " Aseman C asemassa oleva nimi on Windows",
        " C sürücüsündeki birimin etiketi yok.",
        " Volume in drive \\\\nas\\fotos is Daten",
    ],
    ids=[
        *("en", "en-no-label", "de", "de-cut", "fr", "es", "ru"),
        *("ja", "zh", "ko", "fi", "tr", "share"),
    ],
)
def test_cmd_s_volume_line_above_a_serial_number_is_still_a_header(volume):
    with pytest.raises(ZslError) as error:
        parse_classes(f"{volume}\r\n cars 1990-1999\r\n", "c.txt")
    assert str(error.value).startswith(f"c.txt:1: {volume.strip()!r} is a line of a Windows")
