"""Indented class names of two words, the last a capital letter (` Vitamin C`, ` Type A`), above
a name holding a number shaped as a volume's serial number: a class list, not a `dir` header
alone, whose volume line is a sentence around its drive's letter in every language."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    "names",
    [
        [" Vitamin C", " cars 1990-1999"],
        [" Type A", " Type 1234-5678"],
        [" Plan B", " Plan 2020-2024", " Plan C"],
    ],
    ids=["vitamin", "type", "plans"],
)
def test_two_word_names_ending_in_a_letter_are_no_volume_line(names):
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.strip() for name in names]


@pytest.mark.parametrize(
    "volume",
    [
        " 驱动器 C 中的卷没有标签。",
        " C 드라이브의 볼륨에는 이름이 없습니다.",
        " Datenträger in Laufwerk D",
    ],
    ids=["zh", "ko", "letter-last"],
)
def test_a_volume_line_of_three_words_or_more_still_tells_a_header(volume):
    with pytest.raises(ZslError) as error:
        parse_classes(f"{volume}\r\n Volumeseriennummer: 1234-ABCD\r\n", "c.txt")
    assert str(error.value).startswith(f"c.txt:1: {volume.strip()!r} is a line of a Windows")
