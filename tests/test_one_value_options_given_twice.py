"""Every option of one value, given twice, is refused by its long name, whichever spelling was
typed: the last value alone was used, the first dropped without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run

TWICE_OUTPUT = ", and run again for another file"
TWICE_LIST = ", joining the files (cat a.txt b.txt > all.txt)"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("command", "args", "option", "hint"),
    [
        ("label", ["--ls-config", "a.xml", "--ls-config", "b.xml"], "--ls-config", TWICE_OUTPUT),
        ("label", ["--attributes", "a.csv", "--attributes", "b.csv"], "--attributes", ""),
        ("label", ["--attribute-template", "x {}", "--attribute-template", "y {}"],
         "--attribute-template", ""),
        ("label", ["--description-template", "{} {}", "--description-template", "{1}"],
         "--description-template", ""),
        ("label", ["--templates", "a {}", "-t", "b {}"], "--templates", ""),
        ("hubness", ["-c", "c.txt", "--seen", "a.txt", "--seen", "b.txt"], "--seen", TWICE_LIST),
        ("hubness", ["-c", "c.txt", "--json", "a.json", "--json", "b.json"], "--json",
         TWICE_OUTPUT),
        ("hubness", ["-c", "c.txt", "--embeddings", "a.zsl", "--embeddings", "b.zsl"],
         "--embeddings", ""),
        ("embed", ["-s", "a.zsl", "--json", "a.json", "--json", "b.json"], "--json",
         TWICE_OUTPUT),
        ("evaluate", ["p.csv", "--truth", "t", "--seen", "a.txt", "--seen", "b.txt"], "--seen",
         TWICE_LIST),
    ],
)  # fmt: skip
def test_an_option_of_one_value_given_twice_is_refused(command, args, option, hint):
    result = run(command, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"zsl: error: {option} given 2 times: give it once{hint} (see 'zsl {command} --help')\n"
    )


def test_an_option_given_three_times_says_so():
    result = run("label", "x", "-c", "a.txt", "-c", "b.txt", "--classes", "c.txt")
    assert result.exit_code == 2
    assert result.stderr.startswith("zsl: error: --classes given 3 times: give it once,")


def test_an_option_given_as_a_file_name_is_named_as_typed_where_it_took_it():
    # `-o a.csv --output -q`: it was --output that took -q as its file's name.
    result = run("label", "x", "-c", "c.txt", "-o", "a.csv", "--output", "-q")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("zsl: error: --output got '-q', which is an option of ")
