"""The scan's warnings as label, hubness and embed give them, word for word: folders that could not
be read, files left out by their extension, and arguments that gave no image."""

from __future__ import annotations

from pathlib import Path

from zsl_cli import api


def test_folders_that_could_not_be_read_are_counted_and_named_with_their_reasons() -> None:
    one = [(Path("a"), "permission denied")]
    assert api._unreadable_folders_warnings(one) == [
        "1 folder could not be read, so its images were left out: a (permission denied)"
    ]
    four = [(Path(name), "permission denied") for name in "abcd"]
    assert api._unreadable_folders_warnings(four) == [
        "4 folders could not be read, so their images were left out: a (permission denied), "
        "b (permission denied), c (permission denied), ... (1 more)"
    ]
    assert api._unreadable_folders_warnings([]) == []


def test_files_left_out_by_extension_count_only_those_pillow_reads() -> None:
    assert api._left_out_images_warnings({".tga": 1, ".json": 4}) == [
        "1 file that Pillow reads was left out by its extension (.tga 1): add it with --ext "
        "(which replaces the default list)"
    ]
    assert api._left_out_images_warnings({".tga": 1, ".jp2": 2, ".xmp": 3}) == [
        "3 files that Pillow reads were left out by their extension (.jp2 2, .tga 1): add them "
        "with --ext (which replaces the default list)"
    ]
    assert api._left_out_images_warnings({".json": 2}) == []


def test_arguments_that_gave_no_image_are_each_named() -> None:
    assert api._empty_inputs_warnings(["empty"]) == [
        "no images found in empty, so it adds nothing to the run (--ext and --include-hidden "
        "choose what a folder's walk takes)"
    ]
    assert api._empty_inputs_warnings(["a", "b", "*.gif", "c"]) == [
        "no images found in a, b, *.gif, ... (1 more), so they add nothing to the run (--ext and "
        "--include-hidden choose what a folder's walk takes)"
    ]
    assert api._empty_inputs_warnings([]) == []
