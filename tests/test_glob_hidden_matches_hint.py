"""A glob that matches nothing but hidden entries says so, as a folder's no-images error does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.discovery import scan
from zsl_cli.errors import EXIT_USAGE, ZslError


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


def scan_error(inputs: list[str]) -> ZslError:
    with pytest.raises(ZslError) as caught:
        scan(inputs)
    return caught.value


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_a_glob_matching_only_hidden_images_names_them(tmp_path: Path) -> None:
    touch(tmp_path, "photos/.a.png", "photos/notes.txt")
    error = scan_error(["photos/*.png"])
    assert error.message == (
        "no file or folder matches photos/*.png; 1 hidden image (names starting with '.') was "
        "left out: add --include-hidden to take it"
    )
    assert error.exit_code == EXIT_USAGE
    assert [str(path) for path in scan(["photos/*.png"], include_hidden=True).paths] == [
        "photos/.a.png"
    ]


def test_a_double_star_glob_names_the_hidden_folder_it_did_not_search(tmp_path: Path) -> None:
    touch(tmp_path, "photos/trip/.thumbnails/cat.png", "photos/trip/notes.txt")
    assert scan_error(["photos/**/*.png"]).message == (
        "no file or folder matches photos/**/*.png; 1 image in the hidden folder "
        "photos/trip/.thumbnails was left out: add --include-hidden to take it"
    )
    assert [str(path) for path in scan(["photos/**/*.png"], include_hidden=True).paths] == [
        "photos/trip/.thumbnails/cat.png"
    ]


def test_hidden_entries_another_input_passed_over_are_not_the_globs(tmp_path: Path) -> None:
    touch(tmp_path, "other/a.png", "other/.b.png", "other/.cache/c.png", "photos/a.txt")
    assert scan_error(["other", "photos/*.jpg"]).message == "no file or folder matches photos/*.jpg"


def test_a_glob_matching_nothing_hidden_either_says_only_that(tmp_path: Path) -> None:
    touch(tmp_path, "photos/.a.txt", "photos/b.txt")
    assert scan_error(["photos/*.png"]).message == "no file or folder matches photos/*.png"


def test_zsl_label_says_it_on_one_line_with_a_usage_exit(tmp_path: Path) -> None:
    touch(tmp_path, "photos/.a.png")
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    result = run("label", "photos/*.png", "-c", tmp_path / "classes.txt")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "zsl: error: no file or folder matches photos/*.png; 1 hidden image (names starting "
        "with '.') was left out: add --include-hidden to take it\n"
    )
