"""A descriptions file's key lines are found for a message only: a valid file never walks its
text for them. Each descriptor's length check built its message up front, finding the lines
and copying their list once per descriptor, which made parsing quadratic (50,000 classes took
over a minute)."""

from __future__ import annotations

import json

import pytest

from zsl_cli import classes
from zsl_cli.classes import parse_descriptions
from zsl_cli.errors import ZslError


def test_a_valid_file_never_finds_its_key_lines(monkeypatch):
    def walked(text: str) -> list[int]:
        raise AssertionError("the key lines were found for a file with nothing to say")

    monkeypatch.setattr(classes, "_key_lines", walked)
    parsed = parse_descriptions(json.dumps({f"class {i}": ["d", "e"] for i in range(100)}))
    assert len(parsed.names) == 100


def test_a_descriptor_too_long_is_still_named_at_its_key_line():
    text = '{\n  "cat": ["furry"],\n  "dog": ["' + "x" * 10_001 + '"]\n}\n'
    with pytest.raises(ZslError, match=r"^d\.json:3: class 'dog': descriptor of 10,001 characters"):
        parse_descriptions(text, "d.json")
