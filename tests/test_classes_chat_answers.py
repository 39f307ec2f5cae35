"""Class lists as a chat's answer gives them: an opening sentence or a title line ending with
':' above the names was refused as a class without prompts, told to write `name: prompt`."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize(
    "first",
    ["Here are 5 classes for your dataset:", "Sure! Here is a list of classes:", "Classes:"],
)
def test_a_line_introducing_the_list_is_named_so(first):
    with pytest.raises(ZslError) as error:
        parse_classes(f"{first}\n\ncat\ndog\nbird\n", "c.txt")
    message = str(error.value)
    assert message.startswith(f"c.txt:1: {first[:-1]!r} has ':' but no prompts after it")
    assert "a title above the list, or the opening sentence of a chat answer? remove that" in (
        message
    )


@pytest.mark.parametrize("text", ["cat\ndog:\n", "red circle:\nblue square\n", "my cat:\ndog\n"])
def test_a_name_with_a_colon_and_no_prompts_keeps_the_prompts_hint(text):
    # A class line (not a sentence or a title above the list) is told how prompts are written.
    with pytest.raises(ZslError, match=r"\(write `name: prompt one; prompt two`\)$"):
        parse_classes(text, "c.txt")
