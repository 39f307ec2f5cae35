"""The no-images error's hint about hidden folders names one that holds images (and how many),
says nothing of hidden folders that hold none, and looks inside them only so far."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import run
from zsl_cli import discovery
from zsl_cli.discovery import scan
from zsl_cli.errors import EXIT_USAGE, ZslError


def write_png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (200, 30, 30)).save(path, format="PNG")


def write_text(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def hint_of(inputs: list[str]) -> str:
    """The no-images error's message from the first ';' on: what it says past the opening."""
    with pytest.raises(ZslError) as caught:
        scan(inputs)
    message = caught.value.message
    return message[message.index(")") + 1 :] if message.startswith("no images") else message


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_label_names_the_hidden_folder_holding_the_images_not_the_first_one(
    tmp_path: Path,
) -> None:
    (tmp_path / "p" / ".git" / "objects").mkdir(parents=True)
    write_text(tmp_path / "p" / ".git" / "HEAD", "ref: refs/heads/main\n")
    for name in ("a.png", "b.png", "c.png"):
        write_png(tmp_path / "p" / ".thumbs" / name)
    write_text(tmp_path / "c.txt", "cat\ndog\n")
    result = run("label", "p", "--classes", "c.txt")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith("zsl: error: no images found in p (looked for ")
    assert result.stderr.endswith(
        "; 3 images in the hidden folder p/.thumbs were left out: add --include-hidden to take "
        "them\n"
    )
    assert ".git" not in result.stderr
    assert len(scan(["p"], include_hidden=True).paths) == 3


def test_label_says_nothing_of_hidden_folders_that_hold_no_image(tmp_path: Path) -> None:
    (tmp_path / "p" / ".git" / "objects").mkdir(parents=True)
    write_text(tmp_path / "p" / ".git" / "config")
    write_text(tmp_path / "p" / ".cache" / "notes.txt")
    write_png(tmp_path / "p" / ".cache" / "deep" / "a.png.bak")
    write_text(tmp_path / "p" / "readme.txt")
    write_text(tmp_path / "c.txt", "cat\ndog\n")
    result = run("label", "p", "--classes", "c.txt")
    assert result.exit_code == EXIT_USAGE
    assert "hidden" not in result.stderr
    assert result.stderr.count("\n") == 1
    with pytest.raises(ZslError, match="^no images found"):
        scan(["p"], include_hidden=True)


def test_images_anywhere_under_a_hidden_folder_count_hidden_ones_included(tmp_path: Path) -> None:
    write_png(tmp_path / "p" / ".a" / "x.png")
    write_png(tmp_path / "p" / ".b" / "y.png")
    write_png(tmp_path / "p" / ".b" / "sub" / "z.png")
    write_png(tmp_path / "p" / ".b" / ".inner" / ".w.png")
    write_text(tmp_path / "p" / ".b" / "notes.txt")
    assert hint_of(["p"]) == (
        "; 4 images in hidden folders such as p/.b were left out: add --include-hidden to take them"
    )
    assert len(scan(["p"], include_hidden=True).paths) == 4


def test_hidden_images_and_images_in_hidden_folders_are_told_together(tmp_path: Path) -> None:
    write_png(tmp_path / "p" / ".a.png")
    write_png(tmp_path / "p" / "sub" / ".cache" / "b.png")
    assert hint_of(["p"]) == (
        "; 1 hidden image (names starting with '.') and 1 image in the hidden folder "
        "p/sub/.cache were left out: add --include-hidden to take them"
    )


def test_only_listed_extensions_count(tmp_path: Path) -> None:
    write_png(tmp_path / "p" / ".thumbs" / "a.png")
    write_text(tmp_path / "p" / ".thumbs" / "b.jpg")
    with pytest.raises(ZslError) as caught:
        scan(["p"], extensions=[".jpg"])
    assert caught.value.message.endswith(
        "; 1 image in the hidden folder p/.thumbs was left out: add --include-hidden to take it"
    )
    with pytest.raises(ZslError) as caught:
        scan(["p"], extensions=[".gif"])
    assert "hidden" not in caught.value.message


def test_a_folder_given_twice_counts_its_hidden_images_once(tmp_path: Path) -> None:
    write_png(tmp_path / "p" / ".thumbs" / "a.png")
    (tmp_path / "alias").symlink_to("p", target_is_directory=True)
    assert hint_of(["p", "alias", str(tmp_path / "p")]).startswith(
        "; 1 image in the hidden folder p/.thumbs was left out"
    )


def test_a_hidden_folder_given_by_name_is_no_folder_left_out(tmp_path: Path) -> None:
    write_text(tmp_path / "p" / ".thumbs" / "notes.txt")
    write_png(tmp_path / "p" / ".thumbs" / ".inner" / "a.png")
    assert hint_of(["p", "p/.thumbs"]) == (
        "; 1 image in the hidden folder p/.thumbs/.inner was left out: add --include-hidden to "
        "take it"
    )


def test_a_hidden_folder_too_large_to_look_through_and_holding_no_image_is_not_named(
    tmp_path: Path,
) -> None:
    # A repository's .git: cut short, no image in what was looked at. "May hold images" sent a
    # folder of no images to --include-hidden, which takes nothing there.
    objects = tmp_path / "p" / ".git" / "objects"
    objects.mkdir(parents=True)
    for i in range(discovery._HIDDEN_FOLDER_LOOK_LIMIT + 1):
        (objects / f"{i:05d}").touch()
    assert hint_of(["p"]) == ""


def test_a_large_hidden_folder_leaves_the_others_looked_at(tmp_path: Path) -> None:
    git = tmp_path / "p" / ".git"
    git.mkdir(parents=True)
    for i in range(discovery._HIDDEN_FOLDER_LOOK_LIMIT + 1):
        (git / f"{i:05d}").touch()
    write_png(tmp_path / "p" / ".thumbs" / "a.png")
    write_png(tmp_path / "p" / ".thumbs" / "b.png")
    assert hint_of(["p"]) == (
        "; at least 2 images in hidden folders such as p/.thumbs were left out: add "
        "--include-hidden to take them"
    )


@pytest.mark.parametrize("note", [True, False], ids=["a-file-in-each", "empty"])
def test_the_look_inside_hidden_folders_is_bounded_in_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, note: bool
) -> None:
    # Empty hidden folders count too: 20,000 of them (a .thumbnails in every folder) were each
    # listed, the failing scan three times as long.
    monkeypatch.setattr(discovery, "_HIDDEN_LOOK_LIMIT", 10)
    for i in range(12):
        folder = tmp_path / "p" / f".h{i:02d}"
        if note:
            write_text(folder / "notes.txt")
        else:
            folder.mkdir(parents=True)
    looked = []
    real_scandir = discovery.os.scandir

    def scandir(path):
        looked.append(path)
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    assert hint_of(["p"]) == ""
    assert len(looked) <= 1 + 10  # p, then no more than the limit's worth of listings


def test_a_hidden_image_and_a_large_hidden_folder(tmp_path: Path) -> None:
    git = tmp_path / "p" / ".git"
    git.mkdir(parents=True)
    for i in range(discovery._HIDDEN_FOLDER_LOOK_LIMIT + 1):
        (git / f"{i:05d}").touch()
    write_png(tmp_path / "p" / ".a.png")
    assert hint_of(["p"]) == (
        "; 1 hidden image (names starting with '.') was left out: add --include-hidden to take it"
    )


@pytest.mark.parametrize(
    ("pattern", "hint"),
    [
        (
            "p/**/*.png",
            "; 1 image in the hidden folder p/trip/.thumbnails was left out: add "
            "--include-hidden to take it",
        ),
        ("p/**/*.jpg", ""),  # .thumbnails holds a PNG only
        ("p/**/a*.png", ""),
        ("p/*/*.png", ""),  # trip holds no PNG, and .thumbnails is one folder deeper
        (
            "p/*/*/*.png",
            "; 1 image in the hidden folder p/trip/.thumbnails was left out: add "
            "--include-hidden to take it",
        ),
        ("p/*/*/*.jpg", ""),
        (
            "p/trip/*",
            "; 1 image in the hidden folder p/trip/.thumbnails was left out: add "
            "--include-hidden to take it",
        ),
    ],
)
def test_a_glob_counts_only_the_images_it_would_match_with_include_hidden(
    tmp_path: Path, pattern: str, hint: str
) -> None:
    write_png(tmp_path / "p" / "trip" / ".thumbnails" / "cat.png")
    write_text(tmp_path / "p" / "trip" / "notes.txt")
    (tmp_path / "p" / "trip" / ".git").mkdir()
    with pytest.raises(ZslError) as caught:
        scan([pattern])
    message = caught.value.message
    opening = "no file or folder matches " + pattern
    if message.startswith("no images"):
        opening = message[: message.index(")") + 1]
    assert message == opening + hint
    if hint:
        assert len(scan([pattern], include_hidden=True).paths) == 1
    else:
        with pytest.raises(ZslError, match="^no (images found|file or folder matches)"):
            scan([pattern], include_hidden=True)


def test_a_glob_matching_nothing_through_the_cli_names_the_folder(tmp_path: Path) -> None:
    write_png(tmp_path / "p" / "trip" / ".thumbnails" / "cat.png")
    (tmp_path / "p" / "trip" / ".git" / "objects").mkdir(parents=True)
    write_text(tmp_path / "c.txt", "cat\ndog\n")
    result = run("label", "p/**/*.png", "--classes", "c.txt")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "zsl: error: no file or folder matches p/**/*.png; 1 image in the hidden folder "
        "p/trip/.thumbnails was left out: add --include-hidden to take it\n"
    )
    result = run("label", "p/**/*.jpg", "--classes", "c.txt")
    assert result.stderr == "zsl: error: no file or folder matches p/**/*.jpg\n"


def test_a_hidden_link_back_is_not_named_for_the_images_it_reaches(tmp_path: Path) -> None:
    write_png(tmp_path / "p" / ".thumbs" / "a.png")
    (tmp_path / "p" / ".loop").symlink_to("..")  # reaches .thumbs too, and sorts before it
    assert hint_of(["p"]) == (
        "; 1 image in hidden folders such as p/.thumbs was left out: add --include-hidden to "
        "take it"
    )
