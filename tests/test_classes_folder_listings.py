"""Class files written by listing the class folders (`find DIR`, Windows' `dir /s /b /ad`), and
realistic class lists of names holding a '/' or a '\\', which are no listing and stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.classes import parse_classes

SHAPES = ["red circle", "blue square", "green star"]


@pytest.mark.parametrize(
    "root",
    ["photos", "photos/", "data/photos", "/data/photos", "/data/photos/"],
    ids=["find-dir", "find-dir-slash", "find-nested", "find-absolute", "find-absolute-slash"],
)
def test_a_find_listing_of_a_named_folder_is_warned_of_naming_its_own_line(root):
    # `find photos -maxdepth 1 -type d > classes.txt`: 'photos' took images as a class, and
    # 'photos/red circle' matched no truth folder, without a word (`find .`'s were warned of).
    base = root.rstrip("/")
    names = [root, *(f"{base}/{name}" for name in SHAPES)]
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == names  # labelled as written
    [warning] = spec.warnings
    assert warning.startswith(f"c.txt: every class name is a path, such as {names[1]!r}")
    assert "a folder listing" in warning
    assert f"if {root!r} is the folder `find` was given, that line is a class" in warning


@pytest.mark.parametrize(
    "names",
    [
        ["photos", "photos/cat", "photos/cat/kitten", "photos/dog"],  # find photos -type d
        ["photos/cat", "photos/dog", "photos"],  # sorted otherwise, or edited
    ],
)
def test_a_find_listing_in_any_order_is_warned_of(names):
    [warning] = parse_classes("\n".join(names) + "\n", "c.txt").warnings
    assert "if 'photos' is the folder `find` was given" in warning


@pytest.mark.parametrize(
    "names",
    [
        # Real names with a '/': a band, a shaker, slashed alternatives.
        ["AC/DC", "Guns N' Roses", "salt/pepper shaker"],
        ["salt", "salt/pepper shaker"],  # one name under another is no listing of folders
        ["n01440764/tench", "n01443537/goldfish", "n01484850/great white shark"],
        # A first name that others extend with words, not with a '/'.
        ["shark", "shark fin", "shark tooth"],
        ["TCP/IP router", "USB/serial adapter", "on/off switch"],
    ],
)
def test_names_holding_a_slash_are_no_folder_listing(names):
    assert parse_classes("\n".join(names) + "\n", "c.txt").warnings == ()


@pytest.mark.parametrize(
    "names",
    [
        [rf"C:\data\photos\{name}" for name in SHAPES],  # dir /s /b /ad > classes.txt
        [rf"D:/photos/{name}" for name in SHAPES],
        [rf"\\server\share\photos\{name}" for name in SHAPES],  # a network share
    ],
)
def test_a_windows_folder_listing_is_warned_of(names):
    # Windows' `dir /s /b /ad` writes whole paths: every class was 'C:\data\photos\...',
    # matching no truth folder, without a word.
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == names
    [warning] = spec.warnings
    assert warning.startswith(f"c.txt: every class name is a path, such as {names[0]!r}")
    assert "dir /s /b /ad" in warning


@pytest.mark.parametrize(
    "names", [[r"C:\data\cat", "dog"], ["C: drive icon", "D: drive icon"], ["A/B testing", "cat"]]
)
def test_names_that_only_start_as_a_windows_path_are_names(names):
    assert parse_classes("\n".join(names) + "\n", "c.txt").warnings == ()


@pytest.mark.parametrize(
    "names",
    [
        [".", "./notes.txt", "./list.csv"],
        [".", "./a.jpg", "./b.jpg"],
    ],
)
def test_a_find_listing_of_files_alone_is_told_its_names_are_files(names):
    # `find . -maxdepth 1` in a folder of files: no folder line to name as the example path.
    warnings = parse_classes("\n".join(names) + "\n", "c.txt").warnings
    assert any("is a file's name" in warning for warning in warnings), warnings


def test_a_parent_class_over_its_subclasses_is_not_called_finds_folder_outright():
    # `vehicle` is a class of its own there, as likely as the folder `find` was given.
    names = ["vehicle", "vehicle/car", "vehicle/truck"]
    [warning] = parse_classes("\n".join(names) + "\n", "c.txt").warnings
    assert "'vehicle' (find's own folder)" not in warning
    assert "if 'vehicle' is the folder `find` was given" in warning


@pytest.mark.parametrize(
    ("names", "folder"),
    [
        (["photos/cat", "photos/dog", "photos/bird"], "photos"),  # find photos -mindepth 1
        (["photos/cat", "photos/cat/kitten", "photos/dog"], "photos"),  # ... without -maxdepth
        (["photos/cat/", "photos/dog/"], "photos"),  # ls -d photos/*/
        (["data/photos/cat", "data/photos/dog"], "data/photos"),
        (["my photos/cat", "my photos/dog"], "'my photos'"),  # quoted as a shell takes it
        (["photos/blue circle", "photos/blue star", "photos/red star"], "photos"),
    ],
    ids=[
        "find-mindepth",
        "find-nested",
        "ls-d",
        "nested-folder",
        "folder-with-space",
        "shared-first-words",
    ],
)
def test_a_listing_of_a_folders_sub_folders_alone_is_warned_of_with_what_to_write(names, folder):
    # `find photos -mindepth 1 -type d > classes.txt` has no line for 'photos' itself: every
    # class was 'photos/cat', matching no truth folder, without a word.
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == names  # labelled as written
    [warning] = spec.warnings
    assert warning.startswith(f"c.txt: every class name is a path, such as {names[0]!r}")
    assert "a folder listing" in warning
    # The folders alone: `ls photos` lists the files beside them too (classes.txt among them).
    command = f"(cd {folder} && ls -d */ | tr -d /)"
    assert warning.endswith(f"write the names alone, as `{command} > c.txt` lists them")
    assert "`find` was given" not in warning  # no line of the folder's own


def test_the_cli_warns_of_a_find_mindepth_listing_of_real_folders(tmp_path: Path):
    photos = tmp_path / "photos"
    for seed, name in enumerate(["cat", "dog"]):
        write_images(photos / name, 1, seed=seed)
    classes = tmp_path / "classes.txt"
    # As `find photos -mindepth 1 -type d` run in tmp_path writes it.
    listed = sorted(f"photos/{child.name}" for child in photos.iterdir() if child.is_dir())
    classes.write_text("\n".join(listed) + "\n")
    result = run("label", photos, "--classes", classes, "-m", "shapes-demo")
    assert result.exit_code == 0, result.output
    [warning] = [line for line in result.stderr.splitlines() if "every class name" in line]
    assert f"as `(cd photos && ls -d */ | tr -d /) > {classes}` lists them" in warning


@pytest.mark.parametrize(
    "names",
    [
        ["photos/cat", "dog"],  # one name with a folder among names
        ["photos/cat"],  # one name alone
        ["cat/", "dog"],
        # One term holding a '/', each name going on alike after it: no folder's sub-folders.
        ["I/O shield", "I/O port", "I/O panel"],
        ["on/off switch", "on/off button"],
        ["AC/DC", "AC/DC adapter"],
    ],
)
def test_names_not_all_under_one_folder_are_not_a_listing(names):
    assert parse_classes("\n".join(names) + "\n", "c.txt").warnings == ()
