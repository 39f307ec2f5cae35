"""Descriptions of one string a class (`{"red circle": "circle shape"}`, a lone string being one
descriptor) against autodistill's ontology of prompts to classes (`{"a red disc": "red
circle"}`), both objects of strings. As --descriptions the file is refused only where it
unmistakably is an ontology: a class given two prompts or more, and every prompt longer in words
than its class (or the class itself), as prompts are over class names. Descriptors that classes
share (`circle shape`), or that are a word of their class's name (`"red circle": "red"`), are
read as they were at 0.2.0; the refusal leads with the lists that keep them descriptors (its
ontology rewrite made 30 classes into 5). The rewrites' jq lines are run here, where jq is
installed."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.errors import EXIT_USAGE

needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="the hints' commands use jq")


def refusal(*args: object) -> str:
    result = run("label", *args, "--show-prompts")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    return line.removeprefix("zsl: error: ")


def prompts_shown(*args: object) -> list[tuple[str, str, str]]:
    result = run("label", *args, "--show-prompts")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["class", "weight", "prompt"]
    return [(name, weight, prompt) for name, weight, prompt in rows[1:]]


def commands_in(message: str) -> list[str]:
    """The jq lines a message gives, between backticks."""
    return [command for command in re.findall(r"`([^`]+)`", message) if command.startswith("jq ")]


def written_by(command: str) -> str:
    return command.rpartition(" > ")[2]


def as_descriptions(text: str) -> list[tuple[str, str, str]]:
    """The prompts a file of one descriptor a class gives, as 0.2.0 read it."""
    return [(name, "1", f"{name}, which has {value}") for name, value in json.loads(text).items()]


DESCRIPTIONS = [
    # A descriptor that classes share: the shape of the demo's colours.
    '{"red circle": "circle shape", "blue circle": "circle shape", "red square": "square shape"}',
    '{"red circle": "red colour", "red square": "red colour", "blue star": "blue colour"}',
    '{"cat": "furry", "dog": "furry"}',
    # A descriptor that is a word of its class's name.
    '{"red circle": "red", "blue square": "blue", "green star": "green"}',
    # Ontologies as autodistill's own examples write them, a prompt to each class: read as
    # descriptions, each class is the prompt's words, nothing split or merged.
    '{"person": "person", "a forklift": "forklift"}',
    '{"milk bottle": "bottle", "milk bottle cap": "bottle cap"}',
    '{"bus": "vehicle", "car": "vehicle", "truck": "vehicle"}',
]


@pytest.mark.parametrize("text", DESCRIPTIONS)
def test_descriptions_of_one_string_a_class_are_read_as_they_were(
    tmp_path: Path, text: str
) -> None:
    (tmp_path / "d.json").write_text(text + "\n")
    assert prompts_shown("--descriptions", tmp_path / "d.json") == as_descriptions(text)


ONTOLOGIES = [
    '{"a photo of a red circle": "red circle", "a red disc": "red circle", '
    '"a photo of a blue square": "blue square"}',
    # Prompts that do not hold their class's name.
    '{"a round thing": "ball", "a sphere": "ball", "a cube": "box"}',
    '{"shipping container": "container", "cargo box": "container", "forklift truck": "forklift"}',
    # A class that is its own prompt, as autodistill's examples have `"person": "person"`.
    '{"person": "person", "a worker in a hard hat": "helmet", "a hard hat": "helmet"}',
]


@pytest.mark.parametrize("text", ONTOLOGIES)
def test_an_unmistakable_ontology_as_descriptions_is_told_the_lists_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("o.json").write_text(text + "\n")
    message = refusal("--descriptions", "o.json")
    assert message.startswith("o.json reads as an autodistill ontology")
    lists, ontology = commands_in(message)
    assert lists == "jq 'map_values([.])' o.json > d.json"
    assert ontology.startswith("jq -r 'reduce ") and ontology.endswith(" o.json > classes.txt")
    # As a class list it is nothing else: the ontology alone.
    assert "map_values" not in refusal("-c", "o.json")


@needs_jq
@pytest.mark.parametrize("name", ["o.json", "d.json", "classes.txt"])
def test_either_reading_of_an_ontology_run_gives_its_classes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    text = ONTOLOGIES[0]
    Path(name).write_text(text + "\n")
    lists, ontology = commands_in(refusal("--descriptions", name))
    for command in (lists, ontology):
        assert written_by(command) != name
        subprocess.run(["bash", "-c", command], check=True)
        assert Path(name).read_text() == text + "\n"
    assert prompts_shown("--descriptions", written_by(lists)) == as_descriptions(text)
    assert prompts_shown("-c", written_by(ontology)) == [
        ("red circle", "0.5", "a photo of a red circle"),
        ("red circle", "0.5", "a red disc"),
        ("blue square", "1", "a photo of a blue square"),
    ]


@needs_jq
def test_descriptors_shorter_than_the_classes_sharing_them_are_kept_by_the_first_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As much prompts of a class `red` as descriptors: refused, the lists' line first.
    monkeypatch.chdir(tmp_path)
    text = '{"red circle": "red", "red square": "red", "blue star": "blue"}'
    Path("d.json").write_text(text)
    lists = commands_in(refusal("--descriptions", "d.json"))[0]
    subprocess.run(["bash", "-c", lists], check=True)
    assert prompts_shown("--descriptions", written_by(lists)) == as_descriptions(text)


@pytest.mark.parametrize("text", DESCRIPTIONS[:4])
def test_shared_descriptors_as_a_class_list_are_told_both_readings(
    tmp_path: Path, text: str
) -> None:
    (tmp_path / "d.json").write_text(text + "\n")
    message = refusal("-c", tmp_path / "d.json")
    assert "an autodistill ontology" in message and "pass it as --descriptions" in message


@needs_jq
def test_one_classs_descriptors_as_a_class_list_are_told_both_readings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("d1c.json").write_text('{"red circle": ["red colour", "circle shape", "a round outline"]}')
    message = refusal("-c", "d1c.json")
    assert "pass it as --descriptions beside --classes naming the other classes" in message
    assert "custom_classname_file" in message
    [command] = commands_in(message)
    subprocess.run(["bash", "-c", command], check=True)
    assert Path(written_by(command)).read_text() == "red colour\ncircle shape\na round outline\n"


@needs_jq
def test_the_ontology_rewrite_keeps_a_prompt_holding_a_semicolon_one_prompt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("o.json").write_text(
        '{"a photo of a red circle": "red circle", "a circle; red": "red circle", '
        '"a blue square": "blue square"}'
    )
    command = commands_in(refusal("-c", "o.json"))[-1]
    subprocess.run(["bash", "-c", command], check=True)
    assert prompts_shown("-c", written_by(command)) == [
        ("red circle", "0.5", "a photo of a red circle"),
        ("red circle", "0.5", "a circle, red"),
        ("blue square", "1", "a blue square"),
    ]


@needs_jq
@pytest.mark.parametrize("option", ["-c", "--descriptions"])
def test_an_ontologys_class_holding_a_colon_is_told_to_be_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    monkeypatch.chdir(tmp_path)
    ontology = {
        "a person wearing a helmet": "person: helmet",
        "a worker with a hard hat": "person: helmet",
        "a person with no helmet": "person",
    }
    Path("o.json").write_text(json.dumps(ontology))
    message = refusal(option, "o.json")
    assert "rename class 'person: helmet' in o.json first" in message
    # Renamed as told, the line writes the class file meant.
    ontology = {prompt: name.replace(": ", " with ") for prompt, name in ontology.items()}
    Path("o.json").write_text(json.dumps(ontology))
    command = commands_in(message)[-1]
    subprocess.run(["bash", "-c", command], check=True)
    assert [name for name, _, _ in prompts_shown("-c", written_by(command))] == [
        "person with helmet",
        "person with helmet",
        "person",
    ]
