"""A class list is taken for the items of a list in code only where each of its first lines is
one: a line of quoted names above a plain name is not."""

from __future__ import annotations

from zsl_cli.wrong_file_kinds import check_not_another_class_file, list_in_code


def test_quoted_names_above_a_plain_name_are_no_list_in_code() -> None:
    text = '"cat", "dog",\nbird\n'
    assert list_in_code(text) is None
    check_not_another_class_file(text, "c.txt")  # not refused as code


def test_two_lines_of_quoted_names_are_the_items_of_a_list() -> None:
    text = '# classes\n"cat", "dog",\n"bird", "fish"\n'
    assert list_in_code(text) == "Python code, the items of a list"
