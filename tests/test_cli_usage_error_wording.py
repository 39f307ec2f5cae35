"""The one line a command line that does not parse gets: a number's type said in words, and the
hint for a file named like an option only where the command takes files."""

from __future__ import annotations

from tests.helpers import run


def test_a_value_that_is_not_a_number_is_said_so_by_the_options_kind() -> None:
    result = run("label", "x", "--threshold", "abc")
    assert result.exit_code == 2
    assert result.stderr == (
        "zsl: error: Invalid value for '--threshold': 'abc' is not a number "
        "(see 'zsl label --help')\n"
    )
    result = run("label", "x", "--top-k", "abc")
    assert "'abc' is not a whole number (see 'zsl label --help')\n" in result.stderr


def test_an_unknown_short_option_of_zsl_itself_gets_no_file_name_hint() -> None:
    result = run("-x")
    assert result.exit_code == 2
    assert result.stderr == "zsl: error: No such option: -x (see 'zsl --help')\n"
    # A command that takes files: the word may have been a file's name.
    assert "a file whose name starts with '-'" in run("label", "-x").stderr
