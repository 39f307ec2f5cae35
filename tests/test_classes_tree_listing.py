"""A class list written by `tree` (`tree -d -L 1 photos > classes.txt`): its branches and its own
lines (the folder, the count) were classes without a word."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes

UNICODE_TREE = "photos\n├── bird\n├── cat\n└── dog\n\n3 directories\n"


@pytest.mark.parametrize(
    ("text", "example", "own"),
    [
        (UNICODE_TREE, "├── bird", "'photos' and '3 directories'"),
        (
            UNICODE_TREE.replace("directories", "directories, 0 files"),
            "├── bird",
            "'photos' and '3 directories, 0 files'",
        ),
        (".\n├── bird\n│   └── sparrow\n└── dog\n", "├── bird", "'.'"),  # deeper, no count
        ("├── bird\n└── dog\n", "├── bird", None),
    ],
)
def test_a_tree_listing_is_warned_of_with_its_own_lines(text, example, own):
    spec = parse_classes(text, "c.txt")
    assert example in spec.names  # labelled as written
    [warning] = spec.warnings
    assert warning.startswith(
        f"c.txt: every class name is a line of a `tree` drawing, such as {example!r}"
    )
    if own is None:
        assert "tree's own line" not in warning
    elif " and " in own:
        assert f"{own} (tree's own lines) are classes as written: remove them" in warning
    else:
        assert f"{own} (tree's own line) is a class as written: remove it" in warning


@pytest.mark.parametrize(
    "names",
    [
        ["├── bird", "cat", "dog"],  # one name with a branch is a name
        ["├── bird", "└── cat", "3 directories", "dog"],
        ["photos", "├── bird", "cat", "└── dog"],
    ],
)
def test_some_names_drawn_as_a_tree_are_names(names):
    assert parse_classes("\n".join(names) + "\n", "c.txt").warnings == ()
