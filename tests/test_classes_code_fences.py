"""A class list copied with the Markdown code fence around it, as a chat's answer gives it."""

from __future__ import annotations

import re

import pytest

from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    "fence", ["```", "```text", "```plaintext", "~~~", '```text title="classes.txt"', "```{r}"]
)
def test_a_markdown_code_fence_around_a_class_list_is_refused(fence):
    # A list copied from a chat's answer with its fences: '```plaintext' and '```' were classes
    # that took images, without a word (two bare '```' were called a duplicate class).
    text = f"{fence}\ncat\ndog\nbird\n{fence[:3]}\n"
    with pytest.raises(ZslError, match=rf"^c.txt:1: {re.escape(repr(fence))} is a Markdown code"):
        parse_classes(text, "c.txt")


def test_backticks_in_a_name_are_no_fence():
    names = ["`cat`", "C++ code", "a ```b``` c"]
    assert parse_classes("\n".join(names) + "\n", "c.txt").names == names
