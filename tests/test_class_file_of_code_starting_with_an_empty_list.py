"""A class file that is Python code whose first statement assigns an empty list (a notebook's
`templates = []` above its `classes = [...]`, or `classes = []` filled by appends): refused as
code, as one whose first list holds names is, where every line of the code was a class."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    "text",
    [
        "templates = []\n\nclasses = ['cat', 'dog']\n",
        "classes = []\nclasses.append('cat')\nclasses.append('dog')\n",
        "names = ()\nnames += ('cat', 'dog')\n",
    ],
)
def test_code_whose_first_list_is_empty_is_refused_as_code(text):
    with pytest.raises(ZslError, match="c.txt is (a Python list|Python code, a tuple) of names"):
        parse_classes(text, "c.txt")


@pytest.mark.parametrize("text", ["x = []\n", "cat\ndog = []\n"])
def test_a_lone_empty_assignment_or_a_name_first_stays_class_names(text):
    # One statement is no code around a list; a first line that assigns nothing is a name.
    assert len(parse_classes(text, "c.txt").classes) == len(text.splitlines())
