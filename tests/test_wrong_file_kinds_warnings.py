"""Recognising Python given as a class or template file parses it with `ast`, whose warnings
of the text's invalid escapes ("C:\\d") are kept quiet: only those, as the warning filters are
the whole process's and another thread's warnings must not be lost meanwhile."""

from __future__ import annotations

import warnings

import pytest

from zsl_cli.wrong_file_kinds import python_value


def test_the_texts_escape_warnings_are_quiet_even_where_warnings_are_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert python_value(r'["C:\d", "x"]') == ["C:\\d", "x"]


def test_other_warnings_raised_meanwhile_are_not_filtered(monkeypatch: pytest.MonkeyPatch) -> None:
    # As another thread's warning would be, raised while the text is parsed.
    import ast

    parse = ast.parse

    def parse_while_the_host_warns(*args, **kwargs):
        warnings.warn("the host's own", UserWarning, stacklevel=1)
        return parse(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", parse_while_the_host_warns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert python_value(r'"C:\d"') == "C:\\d"
    assert [str(warning.message) for warning in caught] == ["the host's own"]
