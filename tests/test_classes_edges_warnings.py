"""Edges of the warnings of a class list's shape: names that are all files' names, one line of
names under a header, and counts of things that are no class ids."""

from __future__ import annotations

from zsl_cli.classes import parse_classes


def test_names_that_are_all_files_names_are_no_listing_of_class_folders():
    # Files' names are told of among other names (the class folders a listing holds): where
    # every name is one, no folder is among them.
    warnings = parse_classes("notes.txt\nREADME.md\n", "c.txt").warnings
    assert not any("is a file's name" in warning for warning in warnings), warnings


def test_one_line_of_names_under_a_header_is_not_told_to_run_over_lines():
    # One line: no list running on over several; its ',' at the end is told of.
    spec = parse_classes("class\ncat, dog,\n", "c.txt")
    assert spec.names == ["class", "cat, dog,"]
    assert not any("over several lines" in warning for warning in spec.warnings)
    assert spec.warnings[-1].startswith("c.txt: every class name ends with ',', such as 'cat, ")


def test_counts_that_repeat_a_number_are_no_class_ids():
    # A counting benchmark's classes: ids rise line by line, these counts repeat.
    spec = parse_classes("2 cats\n2 dogs\n3 cubes\n3 spheres\n", "c.txt")
    assert spec.warnings == ()


def test_one_name_holding_braces_among_others_is_no_template_file():
    # A template file has {} on every line; a name may hold braces of its own.
    assert parse_classes("cat\ncurly braces {}\n", "c.txt").names == ["cat", "curly braces {}"]


def test_a_stray_quote_and_an_inch_mark_below_are_no_csv_cell_over_two_lines():
    # A CSV cell over two lines ends with its quote at the end of a line.
    names = ['"cat', "dog", '12" vinyl record']
    warnings = parse_classes("\n".join(names) + "\n", "c.txt").warnings
    assert not any("one CSV cell" in warning for warning in warnings), warnings
