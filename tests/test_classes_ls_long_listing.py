"""A class list written by `ls -l` (`ls -l photos > classes.txt`): its lines were split at the
time's ':' (class 'drwxr-xr-x 2 me me 4096 Dec  6 20' with the prompt '01 cat'), refused as a
duplicate class where the folders were made in one minute, and taken without a word where their
dates were a year old (no ':')."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.classes import parse_classes
from zsl_cli.cli import app
from zsl_cli.errors import EXIT_USAGE, ZslError

FIX = "write the names alone, as `ls > classes.txt` (or `ls -1`) lists them"


def listing(*lines: str) -> str:
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "number", "line"),
    [
        (  # made in one minute: was 'duplicate class'
            listing(
                "total 12",
                "drwxr-xr-x 2 me me 4096 Dec  6 20:01 bird",
                "drwxr-xr-x 2 me me 4096 Dec  6 20:01 cat",
                "drwxr-xr-x 2 me me 4096 Dec  6 20:01 dog",
            ),
            2,
            "drwxr-xr-x 2 me me 4096 Dec  6 20:01 bird",
        ),
        (  # in three minutes: was three classes with prompts
            listing(
                "drwxr-xr-x 2 me me 4096 Dec  6 20:01 bird",
                "drwxr-xr-x 2 me me 4096 Dec  6 20:02 cat",
                "drwxr-xr-x 2 me me 4096 Dec  6 20:03 dog",
            ),
            1,
            "drwxr-xr-x 2 me me 4096 Dec  6 20:01 bird",
        ),
        (  # a year old: no ':', was taken without a word
            listing(
                "total 8",
                "drwxr-xr-x 2 me me 4096 Dec  6  2025 cat",
                "drwxr-xr-x 2 me me 4096 Dec  6  2025 dog",
            ),
            2,
            "drwxr-xr-x 2 me me 4096 Dec  6  2025 cat",
        ),
        (  # ls -la: its '.' and '..' first
            listing(
                "total 20",
                "drwxr-xr-x 5 me me 4096 Dec  6 20:01 .",
                "drwxr-xr-x 9 me me 4096 Dec  6 19:58 ..",
                "drwxr-xr-x 2 me me 4096 Dec  6 20:01 cat",
            ),
            2,
            "drwxr-xr-x 5 me me 4096 Dec  6 20:01 .",
        ),
        (  # ls -lh: sizes with units
            listing(
                "total 12K",
                "drwxr-xr-x 2 me me 4.0K Dec  6 20:01 cat",
                "-rw-r--r-- 1 me me    0 Dec  6 20:01 classes.txt",
            ),
            2,
            "drwxr-xr-x 2 me me 4.0K Dec  6 20:01 cat",
        ),
        (  # macOS: an extended attribute's '@', a link; --time-style=long-iso
            listing(
                "drwxr-xr-x@ 3 me  staff   96 Dec  6 20:01 cat",
                "lrwxr-xr-x  1 me  staff    5 Dec  6 20:01 dog -> ../dog",
            ),
            1,
            "drwxr-xr-x@ 3 me  staff   96 Dec  6 20:01 cat",
        ),
        (
            listing("cat", "drwxr-xr-x. 2 me me 4096 2026-12-06 20:01 dog"),
            2,
            "drwxr-xr-x. 2 me me 4096 2026-12-06 20:01 dog",
        ),
    ],
    ids=["one-minute", "three-minutes", "year-old", "ls-la", "ls-lh", "macos", "long-iso"],
)
def test_an_ls_l_listing_is_refused_as_one(text, number, line):
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    message = str(error.value)
    assert message.startswith(f"c.txt:{number}: {line!r} is a line of an `ls -l` listing")
    assert message.endswith(FIX)
    assert "duplicate" not in message


def test_the_cli_tells_an_ls_l_listing_in_one_line(tmp_path: Path):
    path = tmp_path / "classes.txt"
    path.write_text(listing("total 8", "drwxr-xr-x 2 me me 4096 Dec  6 20:01 cat") * 2)
    result = CliRunner().invoke(app, ["label", "--classes", str(path), "--show-prompts"])
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        rf"zsl: error: .*classes\.txt:2: .* `ls -l` listing.*{re.escape(FIX)}", line
    )


@pytest.mark.parametrize(
    "names",
    [
        ["total", "total 12", "drwx", "rwxr-xr-x"],
        ["-rw-r--r-- stripes", "d-day landing craft"],
        ["crwdr-xr-x", "cat"],  # no count after it
    ],
)
def test_names_that_only_start_like_an_ls_l_line_are_names(names):
    assert parse_classes("\n".join(names) + "\n", "c.txt").names == names
