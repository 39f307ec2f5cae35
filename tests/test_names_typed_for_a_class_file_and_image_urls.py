"""Habits of the transformers pipeline, which takes `candidate_labels` as a list and an image as
a URL: `-c 'red circle,blue square'` was "class file not found" and an image's URL "no such
file or directory", neither saying what zsl takes instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli import api
from zsl_cli.discovery import scan
from zsl_cli.errors import EXIT_USAGE, ZslError

NAMES_HINT = " (--classes takes a file: for names, -c <(printf '%s\\n' 'red circle' 'blue square'))"


def error_of(*args: object) -> str:
    result = run(*args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stdout == ""
    return result.stderr


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("red circle,blue square", NAMES_HINT),
        ("red circle, blue square", NAMES_HINT),
        ("red circle", " (--classes takes a file: for names, -c <(printf '%s\\n' 'red circle'))"),
        ("cat,dog", " (--classes takes a file: for names, -c <(printf '%s\\n' cat dog))"),
        (
            "it's,dog",
            """ (--classes takes a file: for names, -c <(printf '%s\\n' 'it'"'"'s' dog))""",
        ),
        # A file's name or path, misspelt or not there yet: no names.
        ("circle", ""),
        ("my classes.txt", ""),
        ("lists/red circle", ""),
    ],
)
def test_names_typed_where_the_class_file_goes_are_told_how_to_give_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, hint: str
) -> None:
    monkeypatch.chdir(tmp_path)
    stderr = error_of("label", "-c", given, "--show-prompts")
    assert stderr == f"zsl: error: class file not found: {given}{hint}\n"


def test_the_names_hint_comes_before_any_image_or_model_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("photos").mkdir()
    stderr = error_of("label", "photos", "-c", "red circle,blue square", "-m", "no-such-model")
    assert stderr == f"zsl: error: class file not found: red circle,blue square{NAMES_HINT}\n"


def test_the_names_hints_command_gives_those_classes(tmp_path: Path) -> None:
    command = NAMES_HINT.partition("for names, ")[2].removesuffix(")")
    shown = subprocess.run(
        ["bash", "-c", f'"$0" -m zsl_cli label --show-prompts -t {{}} {command}', sys.executable],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert shown.stdout.splitlines()[1:] == ["red circle,1,red circle", "blue square,1,blue square"]


def test_the_library_still_says_how_names_are_given_in_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as caught:
        api.class_prompts(api.ClassOptions(classes="red circle,blue square"))
    assert caught.value.message.endswith("classes=['red circle', 'blue square']")


@pytest.mark.parametrize(
    "url",
    [
        "http://images.cocodataset.org/val2017/000000039769.jpg",
        "https://example.com/photos/cat.png",
        "HTTPS://example.com/cat.png",
        "https://example.com/cat.png?raw=true&size=2",  # '?' would be a wildcard
    ],
)
def test_an_images_url_is_told_to_be_downloaded_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as caught:
        scan([url])
    assert caught.value.message.startswith(f"no such file or directory: {url} (zsl reads ")
    assert caught.value.message.endswith(
        "local files only: download it first, such as with `curl -O`)"
    )


def test_a_url_through_the_cli_is_told_so_before_the_model_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("two.txt").write_text("red circle\nblue square\n")
    url = "http://images.cocodataset.org/val2017/000000039769.jpg"
    stderr = error_of("label", url, "-c", "two.txt", "-m", "no-such-model")
    assert stderr == (
        f"zsl: error: no such file or directory: {url} (zsl reads local files only: download "
        "it first, such as with `curl -O`)\n"
    )


def test_a_local_folder_named_like_a_url_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "http:" / "example.com").mkdir(parents=True)
    (tmp_path / "http:" / "example.com" / "a.png").write_bytes(b"")
    assert [str(path) for path in scan(["http://example.com/a.png"]).paths] == [
        "http:/example.com/a.png"
    ]


@pytest.mark.parametrize("given", ["lists/a,b", "a,b.txt", "C:\\my lists\\classes"])
def test_a_path_holding_a_comma_or_a_space_gets_no_names_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.chdir(tmp_path)
    stderr = error_of("label", "-c", given, "--show-prompts")
    assert stderr == f"zsl: error: class file not found: {given}\n"
