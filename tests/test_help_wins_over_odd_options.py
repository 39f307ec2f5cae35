"""`--help` prints the help whatever else the command line holds: an option given twice, or
an option naming a file given another option as that name, is told only where the command is
to run."""

from __future__ import annotations

import pytest

from tests.helpers import run


@pytest.mark.parametrize(
    "args",
    [
        ["label", "-c", "a.txt", "-c", "b.txt", "--help"],
        ["label", "--help", "-o", "a.csv", "-o", "b.csv"],
        ["embed", "-s", "a.zsl", "-s", "b.zsl", "-h"],
        ["evaluate", "p.csv", "--truth", "t", "--truth", "u", "--help"],
        ["hubness", "--seen", "a.txt", "--seen", "b.txt", "--help"],
    ],
)
def test_an_option_given_twice_does_not_stop_the_help(args):
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"Usage: zsl {args[0]} ")


@pytest.mark.parametrize(
    "args",
    [
        ["label", "-o", "-q", "--help"],
        ["label", "--help", "-c", "--strict"],
        ["evaluate", "p.csv", "--truth", "-q", "-h"],
    ],
)
def test_an_option_given_as_a_file_name_does_not_stop_the_help(args):
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"Usage: zsl {args[0]} ")


def test_without_help_the_option_given_twice_is_refused():
    result = run("label", "-c", "a.txt", "-c", "b.txt")
    assert result.exit_code == 2
    assert "--classes given 2 times" in result.stderr
