"""A descriptions file that is not JSON is named by its shape however narrow: a table of two
columns (a class and one description, as a spreadsheet saves it), and a YOLO data.yaml whose
names are items written without indentation (`- person`, as YAML allows)."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_descriptions
from zsl_cli.errors import ZslError


def refusal(text: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_descriptions(text, "d.txt")
    return str(error.value)


def test_a_table_of_two_columns_is_named_a_table():
    assert refusal("cat,a small cat\ndog,a loyal dog\n") == (
        "d.txt:1: column 1: not JSON (a table of classes and descriptions? zsl reads descriptions "
        'as one JSON object, {"class": ["descriptor", ...], ...})'
    )


def test_a_data_yaml_with_unindented_items_is_named_a_data_yaml():
    assert refusal("names:\n- person\n- car\n") == (
        "d.txt:1: column 1: not JSON (a YOLO dataset's data.yaml? its names are a class list: "
        "write them one per line, for --classes)"
    )
