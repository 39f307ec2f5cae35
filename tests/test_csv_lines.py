"""CSV lines as zsl's CSV files hold them: each ends in "\n", and a field holding a line break
(a file's name may) is quoted whole, so the line's own end stays "\n"."""

from __future__ import annotations

from zsl_cli.files import CsvLines


def test_each_line_ends_in_a_newline_and_quotes_a_field_with_a_line_break() -> None:
    lines = CsvLines()
    assert lines.line(["a.png", "cat", 0.5]) == "a.png,cat,0.5\n"
    assert lines.line(["b\nc.png", "d\re.png", 'f"g.png']) == '"b\nc.png","d\re.png","f""g.png"\n'
    assert lines.line([]) == "\n"
    assert lines.line(["h.png"]) == "h.png\n"
