"""Class and template files as spreadsheets, shells and other tools write them: every warning a
file earns is given at once, and what a tool's format puts into a name is warned of or refused."""

from __future__ import annotations

from zsl_cli.classes import parse_classes

SHAPES = ["red circle", "blue square", "green star"]


def test_a_header_line_hides_no_other_warning():
    # The header's warning alone came back: the user fixed it, reran, and only then learned of
    # the comment, the joined words or the spreadsheet's empty columns.
    commented = parse_classes("class\nred circle # round one\nblue square\n", "c.txt").warnings
    assert len(commented) == 2 and "the first class is 'class'" in commented[0]
    assert "class 'red circle # round one' holds ' #'" in commented[1]
    joined = "class\n" + "\n".join(name.replace(" ", "_") for name in SHAPES) + "\n"
    header, words = parse_classes(joined, "c.txt").warnings
    assert "header" in header and "join their words with '_'" in words
    ends = "class\n" + "\n".join(f"{name},," for name in SHAPES) + "\n"
    header, columns = parse_classes(ends, "c.txt").warnings
    assert "header" in header and "every class name ends with ','" in columns


def test_one_problem_is_warned_of_once():
    # CUB's folders: the id warning says to write spaces for '_', no second warning says so.
    [ids] = parse_classes("001.Black_footed_Albatross\n002.Laysan_Albatross\n", "c").warnings
    assert "class id" in ids
