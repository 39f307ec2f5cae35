"""A class list written by `ls -l` (`ls -l photos > classes.txt`): its lines were split at the
time's ':' (class 'drwxr-xr-x 2 me me 4096 Dec  6 20' with the prompt '01 cat'), refused as a
duplicate class where the folders were made in one minute, and taken without a word where their
dates were a year old (no ':')."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.evaluation_helpers import labelled_run
from tests.helpers import run, write_images
from zsl_cli.classes import parse_classes
from zsl_cli.cli import app
from zsl_cli.errors import EXIT_USAGE, ZslError


def fix(source: str) -> str:
    """What the refusal says to write, naming the file that was read."""
    return f"write the names alone, as `ls > {source}` (or `ls -1`) lists them"


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
    assert message.endswith(fix("c.txt"))
    assert "duplicate" not in message


def test_the_cli_tells_an_ls_l_listing_in_one_line(tmp_path: Path):
    path = tmp_path / "classes.txt"
    path.write_text(listing("total 8", "drwxr-xr-x 2 me me 4096 Dec  6 20:01 cat") * 2)
    result = CliRunner().invoke(app, ["label", "--classes", str(path), "--show-prompts"])
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        rf"zsl: error: .*classes\.txt:2: .* `ls -l` listing.*{re.escape(fix(str(path)))}", line
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


def test_a_listing_given_as_text_is_told_to_write_classes_txt():
    with pytest.raises(ZslError) as error:
        parse_classes(listing("drwxr-xr-x 2 me me 4096 Dec  6 20:01 cat"))
    assert str(error.value).endswith(fix("classes.txt"))


def test_a_seen_list_written_by_ls_l_is_told_to_write_itself(tmp_path: Path):
    # It was told to write `ls > classes.txt`: another file than the one --seen reads.
    classes = ["cat", "dog"]
    images = []
    for seed, name in enumerate(classes):
        images += [(image, name) for image in write_images(tmp_path / "truth" / name, 1, seed)]
    predictions = labelled_run(tmp_path / "p.jsonl", images, classes)
    seen = tmp_path / "seen.txt"
    seen.write_text(listing("total 4", "drwxr-xr-x 2 me me 4096 Dec  6 20:01 cat"))
    result = run("evaluate", predictions, "--truth", tmp_path / "truth", "--seen", seen)
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    assert "`ls -l` listing" in line
    assert line.endswith(fix(str(seen))), line
    assert "classes.txt" not in line


# Windows' `dir photos > classes.txt` (not `dir /b`), as cmd.exe writes it in English.
DIR_LISTING = (
    " Volume in drive C is Windows\r\n"
    " Volume Serial Number is 1234-ABCD\r\n"
    "\r\n"
    " Directory of C:\\photos\r\n"
    "\r\n"
    "12/06/2026  10:14 AM    <DIR>          .\r\n"
    "12/06/2026  10:14 AM    <DIR>          ..\r\n"
    "12/06/2026  10:14 AM    <DIR>          bird\r\n"
    "12/06/2026  10:14 AM    <DIR>          cat\r\n"
    "12/06/2026  10:15 AM                 0 classes.txt\r\n"
    "               1 File(s)              0 bytes\r\n"
    "               4 Dir(s)  100,204,085,248 bytes free\r\n"
)
DIR_FIX = (
    "write the names alone, as `dir /b /ad > c.txt` (cmd) or `Get-ChildItem -Directory -Name > "
    "c.txt` (PowerShell) lists the folders"
)


@pytest.mark.parametrize(
    ("text", "number", "line"),
    [
        (DIR_LISTING, 1, "Volume in drive C is Windows"),
        (DIR_LISTING.split("\r\n", 2)[2], 2, "Directory of C:\\photos"),  # the header cut off
        (DIR_LISTING.split("\r\n", 5)[5], 1, "12/06/2026  10:14 AM    <DIR>          ."),
        (  # a 24-hour locale's dates and a folder's size column of a file
            "06.12.2026  10:14    <DIR>          cat\n06.12.2026  10:14    <DIR>          dog\n",
            1,
            "06.12.2026  10:14    <DIR>          cat",
        ),
        ("2026-12-06  22:14             1,024 notes.txt\n", 1, "2026-12-06  22:14"),
        ("cat\n               2 Dir(s)  100,204,085,248 bytes free\n", 2, "2 Dir(s)"),
        (" Volume in drive D has no label.\n Directory of D:\\\n", 1, "Volume in drive D"),
    ],
    ids=["whole", "no-volume", "entries", "24-hour", "file-size", "totals", "no-label"],
)
def test_a_windows_dir_listing_is_refused_as_one(text, number, line):
    # Its lines were split at the time's ':' and refused as one class repeated ('12/06/2026  10'),
    # or the header's lines were classes without a word.
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    message = str(error.value)
    assert message.startswith(f"c.txt:{number}: {repr(line)[:-1]}")
    assert "a line of a Windows `dir` listing" in message
    assert message.endswith(DIR_FIX)
    assert "duplicate" not in message


POWERSHELL_LISTING = (
    "\n"
    "    Directory: C:\\photos\n"
    "\n"
    "Mode                 LastWriteTime         Length Name\n"
    "----                 -------------         ------ ----\n"
    "d----           12/6/2026  10:14 AM                cat\n"
    "d----           12/6/2026  10:14 AM                dog\n"
    "-a---           12/6/2026  10:15 AM              0 classes.txt\n"
)


@pytest.mark.parametrize(
    ("text", "number", "line"),
    [
        (POWERSHELL_LISTING, 2, "Directory: C:\\photos"),
        (POWERSHELL_LISTING.split("\n", 3)[3], 1, "Mode                 LastWriteTime"),
        (POWERSHELL_LISTING.split("\n", 5)[5], 1, "d----           12/6/2026  10:14 AM"),
    ],
    ids=["whole", "no-folder-line", "entries"],
)
def test_a_powershell_dir_listing_is_refused_as_one(text, number, line):
    # Its lines were refused as one class repeated ('d----           12/6/2026  10').
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    message = str(error.value)
    assert message.startswith(f"c.txt:{number}: {line!r}"[:-1])
    assert message.endswith(DIR_FIX)


@pytest.mark.parametrize(
    ("source", "target"),
    [("my lists/classes.txt", '"my lists/classes.txt"'), ("c.txt", "c.txt")],
)
def test_the_dir_advice_quotes_the_file_as_cmd_does(source, target):
    # cmd takes no single quotes: `dir /b /ad > 'my lists/classes.txt'` named another file.
    with pytest.raises(ZslError) as error:
        parse_classes("12/06/2026  10:14 AM    <DIR>          cat\n", source)
    assert f"`dir /b /ad > {target}` (cmd)" in str(error.value)


def test_the_cli_tells_a_dir_listing_in_one_line(tmp_path: Path):
    write_images(tmp_path / "photos" / "cat", 1)
    path = tmp_path / "classes.txt"
    path.write_bytes(DIR_LISTING.encode())
    result = run("label", tmp_path / "photos", "--classes", path, "-m", "shapes-demo")
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    assert "classes.txt:1: 'Volume in drive C is Windows' is a line of a Windows `dir`" in line


@pytest.mark.parametrize(
    "names",
    [
        ["Volume knob", "Directory of birds", "File cabinet", "2 Dir(s) sign"],
        ["12/06/2026 birthday cake", "06.12.2026 10:14 train"],
        ["<DIR> tag", "10:14 AM alarm clock: a photo of an alarm clock"],
    ],
)
def test_names_that_only_look_like_a_dir_line_are_names(names):
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert len(spec.names) == len(names)
