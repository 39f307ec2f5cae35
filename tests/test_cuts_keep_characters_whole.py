"""Where a long text is cut (a message's middle, a quoted line's end, a PNG report's class names),
the cut falls between what a reader sees as one character: not inside a flag's pair of regional
indicators, an emoji's ZWJ sequence, a decomposed Hangul syllable, a letter and its accents, nor
an escape such as \\xe9."""

from __future__ import annotations

import unicodedata

import pytest

from zsl_cli.formatting import clipped_middle, clipped_text, quoted_line
from zsl_cli.report import PNG_NAME_CHARACTERS, _names

FLAG = "\U0001f1ef\U0001f1f5"  # 🇯🇵, two regional indicators
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧
HANGUL = unicodedata.normalize("NFD", "\ud55c")  # 한 as three jamo, as a Mac names a file
THUMB = "\U0001f44d\U0001f3fd"  # 👍🏽, an emoji and its skin tone
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
HEART = "\u2764\ufe0f"  # ❤️, a character and its variation selector
ACCENTED = "e\u0301\u0302"  # a letter with two combining marks
ESCAPE = "\\xe9"  # a byte that is not UTF-8, as messages show it
CLUSTERS = [FLAG, FAMILY, HANGUL, THUMB, SCOTLAND, HEART, ACCENTED, ESCAPE]


def _whole(part: str, cluster: str) -> bool:
    """Whether `part`, all of it made of `cluster`, holds it whole a number of times."""
    return part == cluster * (len(part) // len(cluster))


@pytest.mark.parametrize("cluster", CLUSTERS)
@pytest.mark.parametrize("shift", range(8))
def test_a_message_is_cut_in_its_middle_between_characters(cluster, shift):
    text = "x" * shift + cluster * (3000 // len(cluster))
    head, _, rest = clipped_middle(text, limit=101).partition(" ... [")
    count, _, tail = rest.partition(" characters left out] ... ")
    assert len(head) + int(count.replace(",", "")) + len(tail) == len(text)
    assert _whole(head[shift:], cluster), ascii(head[-10:])
    assert _whole(tail, cluster), ascii(tail[:10])


def test_a_family_emoji_is_not_cut_to_another_one():
    # Cut after its second person, the family showed as "man and woman".
    text = "ab" + FAMILY * 60
    head, _, rest = clipped_middle(text, limit=101).partition(" ... [")
    tail = rest.partition(" characters left out] ... ")[2]
    assert _whole(head[2:], FAMILY) and _whole(tail, FAMILY)


@pytest.mark.parametrize("cluster", CLUSTERS)
@pytest.mark.parametrize("shift", range(8))
def test_a_text_cut_at_its_end_keeps_its_last_character_whole(cluster, shift):
    text = "x" * shift + cluster * (400 // len(cluster))
    cut = clipped_text(text, 100).removesuffix(" ...")
    assert _whole(cut[shift:], cluster), ascii(cut[-10:])


@pytest.mark.parametrize("cluster", CLUSTERS)
@pytest.mark.parametrize("shift", range(8))
def test_a_quoted_long_line_is_cut_between_characters(cluster, shift):
    line = "x" * shift + cluster * (200 // len(cluster))
    quoted = quoted_line(line)
    shown = quoted[1 : quoted.index("'...")]
    escaped = cluster.replace("\\", "\\\\")  # a quoted line shows a backslash doubled
    assert _whole(shown[shift:], escaped), ascii(shown[-10:])


@pytest.mark.parametrize("cluster", CLUSTERS)
@pytest.mark.parametrize("shift", range(8))
def test_the_png_reports_short_names_keep_their_characters_whole(cluster, shift):
    name = "x" * shift + cluster * (120 // len(cluster))
    short = _names([name.replace(ESCAPE, "\udce9")])[0]
    head, _, tail = short.partition("\u2026")
    assert tail and len(short) <= PNG_NAME_CHARACTERS + 8
    assert _whole(head[shift:], cluster), ascii(head[-10:])
    assert _whole(tail, cluster), ascii(tail[:10])


def test_the_png_report_keeps_a_vietnamese_letter_with_its_accents():
    name = unicodedata.normalize("NFD", "Cà phê sữa đá trong ly thủy tinh ở quán Sài Gòn buổi sáng")
    head, _, tail = _names([name])[0].partition("\u2026")
    assert tail and not unicodedata.category(tail[0]).startswith("M")
    assert name.startswith(head) and name.endswith(tail)


def test_the_png_report_keeps_a_non_utf8_byte_whole():
    head, _, tail = _names(["x" * 23 + "\udce9" + "y" * 30])[0].partition("\u2026")
    assert not head.endswith("\\") and not tail.startswith(("xe9", "e9", "9"))
