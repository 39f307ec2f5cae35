"""Descriptions of a class not among the class names given in code (`ClassOptions(classes=[...])`)
are refused saying to add it to those names, not to `<names>`, as if a file of that name."""

from __future__ import annotations

import pytest

from zsl_cli.api import ClassOptions, class_prompts
from zsl_cli.errors import ZslError


def test_the_names_given_are_named_as_such(tmp_path):
    descriptions = tmp_path / "d.json"
    descriptions.write_text('{"cat": ["ears"], "cow": ["horns"]}', encoding="utf-8")
    with pytest.raises(ZslError) as caught:
        class_prompts(ClassOptions(classes=["cat", "dog"], descriptions=str(descriptions)))
    assert caught.value.message == (
        f"{descriptions}:1: descriptions for a class not in the class list: 'cow': give a "
        "descriptions file with only the class list's classes, or add this class to the class "
        "names given"
    )
