"""Class lists copied from a chat's answer in its Markdown: names in bold (`**Cat**`, with a
description after them) were classes with their asterisks without a word, and a Markdown table
was refused for its '|' without a word of what it was."""

from __future__ import annotations

import pytest

from zsl_cli.classes import class_list_warnings, parse_classes
from zsl_cli.errors import ZslError


def warnings_of(text: str) -> tuple[str, ...]:
    return parse_classes(text, "c.txt").warnings


@pytest.mark.parametrize(
    ("text", "example", "alone"),
    [
        ("**Cat**\n**Dog**\n**Bird**\n", "**Cat**", "Cat"),
        ("__Cat__\n__Dog__\n", "__Cat__", "Cat"),
        (
            "1. **Cat** – a small feline\n2. **Dog** – a loyal canine\n",
            "1. **Cat** – a small feline",
            "Cat",
        ),
        ("1. **Cat**\n2. **Dog**\n", "1. **Cat**", "Cat"),
        ("- **Red fox** — a fox\n- **Grey wolf** — a wolf\n", "- **Red fox** — a fox", "Red fox"),
        (  # a ':' after the bold name made the rest its prompt
            "1. **Cat**: A small feline.\n2. **Dog**: A loyal canine.\n",
            "1. **Cat**",
            "Cat",
        ),
    ],
)
def test_names_in_markdown_bold_are_told_to_lose_it(text, example, alone):
    spec = parse_classes(text, "c.txt")
    assert spec.names[0] == example  # labelled as written
    [warning] = spec.warnings
    assert warning.startswith(
        f"c.txt: every class name is in Markdown bold, such as {example!r} (a chat's answer?)"
    )
    mark = "__" if "__" in example else "**"
    around = ", and what is around the bold names," if example != f"{mark}{alone}{mark}" else ""
    assert f": the {mark!r}{around} are part of" in warning
    # Names with prompts of their own: the bold is in their labels, not in their prompts.
    own_prompts = ": " in text.splitlines()[0]
    assert ("are part of the names;" in warning) == own_prompts
    assert warning.endswith(f"write the bold names alone, such as {alone!r}")


@pytest.mark.parametrize(
    "names",
    [
        ["**Cat**", "dog"],  # one bold name among plain ones is a name
        ["C++ book", "Guns N' Roses poster", "*nix", "AT&T"],
        ["__init__ file", "snake_case sign"],
        ["** ", "**bird"],
    ],
)
def test_names_not_all_in_bold_are_warned_of_no_bold(names):
    assert not any("bold" in warning for warning in warnings_of("\n".join(names) + "\n"))


TABLE = "| Class | Description |\n|---|---|\n| Cat | a small feline |\n| Dog | a canine |\n"


@pytest.mark.parametrize(
    ("text", "number", "line", "described"),
    [
        (TABLE, 1, "| Class | Description |", True),
        ("| Animal |\n|:------:|\n| Cat |\n", 1, "| Animal |", False),
        ("Class | Description\n--- | ---\nCat | feline\n", 1, "Class | Description", True),
        ("Here are the classes\n\n| Name | Prompt |\n| - | - |\n", 3, "| Name | Prompt |", True),
        ("| Cat | a feline |\n| Dog | a canine |\n", 1, "| Cat | a feline |", False),
    ],
)
def test_a_markdown_table_is_refused_as_one(text, number, line, described):
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    message = str(error.value)
    assert message.startswith(
        f"c.txt:{number}: {line!r} is a row of a Markdown table (a chat's answer?): a class file "
        "has one class name per line; keep the names' column alone"
    )
    descriptions = "descriptions per class go in a JSON file given as --descriptions"
    assert (descriptions in message) == described


@pytest.mark.parametrize("text", ["a|b\n", "cat\n|-- bird\n`-- dog\n", "cat | dog\n"])
def test_a_pipe_outside_a_table_is_refused_as_it_was(text):
    with pytest.raises(ZslError, match=r"contains '\|', which is not allowed$"):
        parse_classes(text, "c.txt")


@pytest.mark.parametrize(
    ("text", "example", "mark", "alone"),
    [
        ("*Cat*\n*Dog*\n*Bird*\n", "*Cat*", "*", "Cat"),
        ("_Cat_\n_Dog_\n", "_Cat_", "_", "Cat"),
        ("- *Cat*\n- *Dog*\n", "- *Cat*", "*", "Cat"),
        (
            "1. *Felis catus* – a cat\n2. *Canis lupus* – a wolf\n",
            "1. *Felis catus* – a cat",
            "*",
            "Felis catus",
        ),
        ("***Cat***\n***Dog***\n", "***Cat***", "***", "Cat"),  # bold and italic
    ],
)
def test_names_in_markdown_italics_are_told_to_lose_them(text, example, mark, alone):
    # `*Cat*` was a class with its asterisks without a word; `- *Cat*` was told of its list
    # marker alone, and written without it, kept its asterisks.
    spec = parse_classes(text, "c.txt")
    assert spec.names[0] == example  # labelled as written
    [warning] = spec.warnings
    style, names = (
        ("bold italics", "bold italic names") if len(mark) == 3 else ("italics", "italic names")
    )
    assert warning.startswith(
        f"c.txt: every class name is in Markdown {style}, such as {example!r} (a chat's answer?)"
    )
    around = f", and what is around the {names}," if example != f"{mark}{alone}{mark}" else ""
    assert f": the {mark!r}{around} are part of the names and of their prompts" in warning
    assert warning.endswith(f"write the {names} alone, such as {alone!r}")


def test_names_in_bold_and_in_italics_are_told_to_lose_both():
    [warning] = warnings_of("**Cat**\n*Dog*\n")
    assert warning.startswith("c.txt: every class name is in Markdown bold or italics")
    assert warning.endswith("write the names alone, such as 'Cat'")


@pytest.mark.parametrize(
    "names",
    [
        ["*Cat*", "dog"],  # one name in italics among plain ones is a name
        ["*nix", "*NSYNC"],  # no closing mark
        ["_id", "__init__ file"],
        ["* ", "*bird"],
        ["a*b*", "c_d_"],
    ],
)
def test_names_not_all_in_italics_are_warned_of_no_italics(names):
    assert not any("italics" in warning for warning in warnings_of("\n".join(names) + "\n"))


@pytest.mark.parametrize(
    "names", [["_n01_tench", "_n02_goldfish"], ["*cat*s", "*dog*s"], ["__init__x", "__main__y"]]
)
def test_marks_closed_before_a_letter_are_no_emphasis(names):
    # Markdown closes no emphasis inside a word: these were called italics, told to write 'n01'.
    assert not any("Markdown" in warning for warning in class_list_warnings(names, "c.txt"))
