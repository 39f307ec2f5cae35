"""Descriptions made by an LLM or a spreadsheet, and a YOLO data.yaml, given where they are not
read: each refusal's hint names what the file is, through the CLI. They were all told "a class
list? pass it as --classes", and following that ended in an unrelated error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.errors import EXIT_USAGE

SHAPE = '{"class": ["descriptor", ...], ...}'
DESCRIPTIONS = '{"red circle": ["red colour"], "blue square": ["blue colour"]}\n'


def refusal(tmp_path: Path, option: str, text: str) -> str:
    path = tmp_path / "f.txt"
    path.write_text(text)
    result = CliRunner().invoke(app, ["label", option, str(path), "--show-prompts"])
    assert result.exit_code == EXIT_USAGE, result.output
    [line] = result.stderr.splitlines()
    return line.removeprefix(f"zsl: error: {path}")


@pytest.mark.parametrize(
    "text",
    [
        f"```json\n{DESCRIPTIONS}```\n",
        f"```\n{DESCRIPTIONS}```\n",
        f"Here are the descriptors:\n\n```json\n{DESCRIPTIONS}```\n",
    ],
)
def test_json_in_a_markdown_fence_is_told_to_lose_the_fence(tmp_path, text):
    assert refusal(tmp_path, "--descriptions", text).endswith(
        "not JSON (JSON inside a Markdown code fence? keep the JSON alone, without the ``` lines)"
    )


@pytest.mark.parametrize(
    "text",
    [
        f"// from GPT-4\n{DESCRIPTIONS}",
        f"/* descriptors */\n{DESCRIPTIONS}",
        f"/*\n * descriptors\n */\n{DESCRIPTIONS}",
        f"# descriptors\n{DESCRIPTIONS}",
    ],
)
def test_a_comment_above_the_json_is_told_to_go(tmp_path, text):
    assert refusal(tmp_path, "--descriptions", text) == (
        ":1: column 1: not JSON (a comment above it? JSON has none: keep the JSON alone)"
    )


@pytest.mark.parametrize("line", ["* tench: a fish", "- tench: a fish", "*Here they are:*"])
def test_a_markdown_line_above_the_json_is_text_not_a_comment(tmp_path, line):
    # An LLM's Markdown bullet, or its emphasis, was called a comment for the `*` of `/* */`.
    assert refusal(tmp_path, "--descriptions", f"{line}\n{DESCRIPTIONS}") == (
        ":1: column 1: not JSON (text above the JSON on line 2? keep the JSON alone)"
    )


def test_text_above_the_json_is_told_to_go(tmp_path):
    # An LLM's answer copied whole: not YAML for its line ending in ':'.
    text = f"Sure! Here are the descriptors:\n{DESCRIPTIONS}"
    assert refusal(tmp_path, "--descriptions", text) == (
        ":1: column 1: not JSON (text above the JSON on line 2? keep the JSON alone)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "class,description\nred circle,red colour\nred circle,round\nblue square,blue colour\n",
        'label;description\nred circle;"red, bright"\nblue square;blue colour\n',
        "red circle,red colour\nred circle,round\nblue square,blue colour\n",
        "class\tdescription\nred circle\tred colour\n",
    ],
)
def test_a_table_of_classes_and_descriptions_is_told_zsl_reads_json(tmp_path, text):
    assert refusal(tmp_path, "--descriptions", text) == (
        f":1: column 1: not JSON (a table of classes and descriptions? zsl reads descriptions as "
        f"one JSON object, {SHAPE})"
    )


@pytest.mark.parametrize(
    "text",
    [
        "names:\n- red circle\n- blue square\n",
        "names:\n  - red circle\n  - blue square\n",
        "path: ../datasets/shapes\ntrain: images\nnames:\n- red circle\n- blue square\n",
        "names:\n  0: red circle\n  1: blue square\n",
        "nc: 2\nnames: [red circle, blue square]\n",
    ],
)
def test_a_yolo_data_yaml_as_descriptions_is_told_its_names_are_a_class_list(tmp_path, text):
    assert refusal(tmp_path, "--descriptions", text).endswith(
        "not JSON (a YOLO dataset's data.yaml? its names are a class list: write them one per "
        "line, for --classes)"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("names:\n- red circle\n- blue square\n", 1),
        ("path: ../datasets/shapes\ntrain: images\nnames:\n- red circle\n- blue square\n", 3),
    ],
)
def test_yaml_names_without_indented_items_as_classes_get_the_yaml_hint(tmp_path, text, line):
    # Items indented got it; these were told to "write `name: prompt one; prompt two`".
    assert refusal(tmp_path, "--classes", text) == (
        f":{line}: 'names' has ':' but no prompts after it (YAML, as a YOLO dataset's data.yaml "
        "has its names? a class file has one class name per line)"
    )


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("red circle\nblue square\n", "a class list? pass it as --classes"),
        ("red circle: a red\nblue square\n", "a class file of 'class: prompt; prompt' lines?"),
        ("tabby, long-haired\nsiamese, short-haired\ntabby\n", "a class list?"),
        ("red circle:\n  - red colour\n", f"YAML? write it as JSON: {SHAPE}"),
        ("class,red\nred circle,1\n", "an attribute table? pass it as --attributes"),
    ],
)
def test_the_other_hints_are_kept(tmp_path, text, hint):
    assert refusal(tmp_path, "--descriptions", text).startswith(f":1: column 1: not JSON ({hint}")


def test_a_key_over_a_line_that_is_no_list_item_keeps_the_prompts_hint(tmp_path):
    assert refusal(tmp_path, "--classes", "red circle\ncat:\ndog\n") == (
        ":2: 'cat' has ':' but no prompts after it (write `name: prompt one; prompt two`)"
    )
