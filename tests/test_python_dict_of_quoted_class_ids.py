"""A Python dict of class ids and names whose ids are quoted (`{'0': 'tench', '1': 'goldfish'}`,
as Python prints a dict loaded from a model's id2label) is named as the dict of ids it is,
where a class list or an attribute table belongs, as one of numbers is: it was refused for a
brace as a prompt's, after classes made of its first lines. As descriptions, it is told to be
written as JSON."""

from __future__ import annotations

import re

import pytest

from zsl_cli.classes import parse_attributes, parse_classes, parse_descriptions
from zsl_cli.errors import ZslError

ONE_LINE = "{'0': 'tench', '1': 'goldfish'}\n"
LINES = "{'0': 'tench, Tinca tinca',\n '1': 'goldfish, Carassius auratus',\n '2': 'tiger shark'}\n"
NAMES = "for a class list, write the names one per line"


@pytest.mark.parametrize("text", [ONE_LINE, LINES], ids=["one-line", "lines"])
def test_as_a_class_list_or_attribute_table(text):
    message = (
        "c.txt is a Python dict mapping class ids to names, not a class list (one class name per "
        f"line): {NAMES}"
    )
    with pytest.raises(ZslError, match=f"^{re.escape(message)}$"):
        parse_classes(text, "c.txt")
    with pytest.raises(ZslError, match="^a.txt is a Python dict mapping class ids to names, not"):
        parse_attributes(text, "a.txt")


@pytest.mark.parametrize("text", [ONE_LINE, LINES], ids=["one-line", "lines"])
def test_as_descriptions_it_is_told_to_be_written_as_json(text):
    # Written as JSON, it is an id2label, read as descriptions with a warning.
    with pytest.raises(ZslError, match="a Python dict[?] write it as JSON"):
        parse_descriptions(text, "d.txt")


@pytest.mark.parametrize(
    "text",
    [
        # Quoted words, not ids: descriptions in Python's spelling.
        "{'cat': 'fur', 'dog': 'a wagging tail'}\n",
        # Ids of numbers and of words mixed.
        "{'0': 'tench', 'one': 'goldfish'}\n",
    ],
    ids=["words", "mixed"],
)
def test_other_python_dicts_are_no_dict_of_ids(text):
    with pytest.raises(ZslError) as error:
        parse_descriptions(text, "d.txt")
    assert "mapping class ids" not in str(error.value)
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    assert "mapping class ids" not in str(error.value)
