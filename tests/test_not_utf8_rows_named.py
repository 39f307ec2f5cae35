"""The warning about rows naming files in bytes that are not UTF-8 counts them and shows the
first such row's path, whatever rows follow it."""

from __future__ import annotations

from zsl_cli.files import NotUtf8Rows


def test_the_first_row_not_in_utf8_is_the_one_shown() -> None:
    rows = NotUtf8Rows("as those bytes")
    assert rows.encoded("plain.png", "plain.png", "surrogateescape") == b"plain.png"
    assert rows.encoded("a\udce9.png", "a\udce9.png", "surrogateescape") == b"a\xe9.png"
    assert rows.encoded("b\udcff.png", "b\udcff.png", "surrogateescape") == b"b\xff.png"
    assert rows.encoded("ok.png", "ok.png", "surrogateescape") == b"ok.png"
    assert rows.count == 2
    assert rows.warnings("p.csv") == [
        "2 rows name files in bytes that are not valid UTF-8 (e.g. 'a\\xe9.png'), which p.csv "
        "holds as those bytes"
    ]


def test_no_rows_not_in_utf8_is_no_warning() -> None:
    rows = NotUtf8Rows("as those bytes")
    rows.encoded("plain.png", "plain.png", "surrogateescape")
    assert rows.count == 0 and rows.warnings("p.csv") == []
