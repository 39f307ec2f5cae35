"""Edges of the warnings of folder listings given as a class list: `ls -d */`'s names, each
ending with '/', and names one under another, which a listing under one folder is not."""

from __future__ import annotations

from zsl_cli.classes import parse_classes


def test_ls_d_s_folder_names_are_warned_of_as_a_listing():
    # `ls -d */ > classes.txt`: every name ends with the '/' of a folder, under no folder named.
    spec = parse_classes("bird/\ncat/\n", "c.txt")
    assert spec.names == ["bird/", "cat/"]
    [warning] = spec.warnings
    assert warning.startswith("c.txt: every class name is a path, such as 'bird/' (a folder ")
    assert warning.endswith("write the names alone")


def test_a_class_over_its_subclass_under_one_path_is_no_listing():
    # Both go on from `photos/cat`: no folder's sub-folders, and no line of one folder alone.
    names = ["photos/cat", "photos/cat/kitten"]
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == names
    assert spec.warnings == ()


def test_finds_own_folder_over_one_folder_is_named():
    # `find . -maxdepth 1 -type d` in a folder of one class folder.
    [warning] = parse_classes(".\n./cat\n", "c.txt").warnings
    assert warning.endswith("; and '.' (find's own folder) is a class as written: remove that line")


def test_find_dot_mindepth_s_listing_is_told_no_cd_into_dot():
    # `find . -mindepth 1 -type d`: the folder is the current one, and `(cd . && ...)` no advice.
    [warning] = parse_classes("./cat\n./dog\n", "c.txt").warnings
    assert warning.startswith("c.txt: every class name is a path, such as './cat' (a folder ")
    assert warning.endswith("write the names alone")
