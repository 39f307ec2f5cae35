"""Class files that come close to another tool's file without being one keep the message of a
class file's own mistake, not one naming the other tool's file: a key over a dash glued to a
word is no YAML list, JSON of lists of numbers no descriptions file, and ids to empty names no
autodistill ontology."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError


def refusal(text: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    return str(error.value)


def test_a_key_over_a_dash_glued_to_a_word_is_no_yaml_list():
    # A YAML list's item has white space after its dash (`- person`); `-coat` is a name.
    message = refusal("jacket:\n-coat\n")
    assert message == (
        "c.txt:1: 'jacket' has ':' but no prompts after it (write `name: prompt one; prompt two`)"
    )
    assert "YAML" in refusal("jacket:\n- coat\n")


def test_json_of_lists_of_numbers_is_no_descriptions_file():
    # Descriptors are strings: an object of lists of numbers is neither kind of file.
    assert refusal('{"cat": [1, 2], "dog": [3]}\n') == (
        "c.txt is JSON, but neither a class list (one class name per line) nor a descriptions file"
    )


def test_ids_to_empty_names_are_an_id_map_not_an_ontology():
    # Every id one word more than its empty name, names shared: still ids, not prompts.
    message = refusal('{"0": "", "1": ""}\n')
    assert message.startswith("c.txt maps class ids to names, as Keras' imagenet_class_index")
