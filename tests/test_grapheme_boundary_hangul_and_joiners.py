"""formatting.grapheme_boundary, pair by pair: every Hangul syllable part UAX #29 joins (old and
extended jamo, precomposed syllables with and without a final), flags at the ends of the regional
indicators, a zero-width non-joiner with what it follows, CR LF, and a mark on the text's last
character (clusters as the `regex` module's \\X finds them). And the escapes at the edges of
their ranges: every noncharacter stays escaped in a quoted name, and `encodable` writes only the
surrogates of bytes 80-ff as bytes and the last character of the BMP in four digits."""

from __future__ import annotations

import pytest

from zsl_cli.formatting import encodable, grapheme_boundary, quoted_line

KA, GAK = "\uac00", "\uac01"  # 가 (LV: no final) and 각 (LVT: with a final)


@pytest.mark.parametrize(
    ("text", "index", "cut"),
    [
        ("\u1100\u1100\u1161", 1, 0),  # L L: an old double initial
        ("\ua960\u1161", 1, 0),  # L of Hangul Jamo Extended-A
        ("\u1100\u1160", 1, 0),  # the vowel filler is a V
        ("\u1100\ud7b0", 1, 0),  # V of Hangul Jamo Extended-B
        ("\u1100\u1161\ud7cb", 2, 0),  # T of Hangul Jamo Extended-B
        ("\u1100\u1161\u11ff", 2, 0),  # the last T of Hangul Jamo
        (KA + "\u1161", 1, 0),  # LV V
        (KA + "\u11a8", 1, 0),  # LV T
        (GAK + "\u11a8", 1, 0),  # LVT T
        (GAK + "\u1161", 1, 1),  # LVT V: two syllables
        ("\ud7a3\u11a8", 1, 0),  # the last precomposed syllable, 힣, is an LVT
        ("\ud7a4\u11a8", 1, 1),  # past the syllables: no Hangul part
        ("\U0001f1ff\U0001f1e6", 1, 0),  # a flag from Z, ZA's...
        ("\U0001f1e6\U0001f1ff", 1, 0),  # ...and one to Z, AZ's
        ("a\u200cb", 1, 0),  # a zero-width non-joiner extends what it follows...
        ("a\u200cb", 2, 2),  # ...and joins nothing after it
        ("a\r\nb", 2, 1),  # CR LF is one
        ("ae\u0301", 2, 1),  # a mark on the last character
    ],
)
def test_cut_before_index(text, index, cut):
    assert grapheme_boundary(text, index, forward=False) == cut


@pytest.mark.parametrize(
    ("text", "index", "cut"),
    [("ae\u0301", 2, 3), ("a\r\nb", 2, 3), ("\u1100\u1161\u11ff", 1, 3)],
)
def test_cut_after_index(text, index, cut):
    assert grapheme_boundary(text, index, forward=True) == cut


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("a\ufdd0", "'a\\ufdd0'"),
        ("a\ufdef", "'a\\ufdef'"),
        ("a\uffff", "'a\\uffff'"),
        ("a\U0001fffe", "'a\\U0001fffe'"),
        ("a\U0010ffff", "'a\\U0010ffff'"),
    ],
)
def test_every_noncharacter_stays_escaped(name, shown):
    assert quoted_line(name) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\udc00b", "a\\udc00b"),  # a surrogate below those of bytes 80-ff is no byte
        ("a\udc7fb", "a\\udc7fb"),
        ("a\udc80b", "a\\x80b"),
        ("a\udcffb", "a\\xffb"),
        ("\uffff", "\\uffff"),  # the last of the BMP in four digits
        ("\U00010000", "\\U00010000"),
    ],
)
def test_escapes_at_the_edges_of_their_ranges(text, shown):
    assert encodable(text, "ascii") == shown
