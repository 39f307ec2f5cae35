"""Excel's separator line and the one-cell header of a CSV saved with another separator, where
a detail decides: a quote at one end only, a cell holding both semicolons and tabs, and control
bytes other than NUL, which no spreadsheet saves."""

from __future__ import annotations

import pytest

from zsl_cli.formatting import delimiter_hint, excel_delimiter


@pytest.mark.parametrize("line", ['"sep=;;', '"sep=;,'])
def test_a_separator_line_opened_by_a_quote_it_never_closes_names_no_delimiter(line: str) -> None:
    # Only a cell in quotes at both ends is unquoted: `"sep=;;` is not `sep=;` in quotes.
    assert excel_delimiter(line) is None


def test_a_one_cell_header_holding_semicolons_and_tabs_is_said_to_be_semicolon_separated() -> None:
    # The spreadsheet of a locale whose decimal mark is ',' saves with semicolons: that is the
    # separator named, even where a cell also holds a tab.
    assert delimiter_hint(["path;label\tnote"]) == (
        " (its columns are separated by semicolons: save it with commas)"
    )


@pytest.mark.parametrize("cell", ["\x89PNG\r\n\x1a\n;x", "a\x1b[31m;b", "a;b\x7f", "a\x85;b"])
def test_a_one_cell_header_holding_control_bytes_gets_no_separator_hint(cell: str) -> None:
    # Binary content (an image given as a CSV), not a spreadsheet saved with semicolons.
    assert delimiter_hint([cell]) == ""
