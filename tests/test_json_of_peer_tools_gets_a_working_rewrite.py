"""JSON files of other zero-shot tools, given to zsl: autodistill's ontology (`{"prompt":
"class"}`), CLIP_benchmark's class names for a dataset of one's own (`{"my_dataset": [names]}`)
and its CuPL prompts (`{"imagenet1k": {"tench": [sentences]}}`). Each was sent to
--descriptions, where the ontology labelled every image with a PROMPT (one class split in two)
and the class-name file made one class of the whole list, without a word. The refusal now gives
a command that writes zsl's form of the file: run here, it must give the classes and prompts
meant."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.errors import EXIT_USAGE

ONTOLOGY = (
    '{"a photo of a red circle": "red circle", "a red disc": "red circle", '
    '"a blue square": "blue square"}\n'
)
CLASS_NAMES = '{"my_shapes": ["red circle", "blue square", "green star"]}\n'
CUPL = (
    '{"imagenet1k": {"tench": ["A tench is a freshwater fish.", "A photo of a tench, a type of '
    'fish."], "goldfish": ["A goldfish is a small orange fish."]}}\n'
)

needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="the hints' commands use jq")


def refusal(*args: object) -> str:
    result = run("label", *args, "--show-prompts")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    return line.removeprefix("zsl: error: ")


def command_in(message: str) -> str:
    """The shell command a message gives between backticks, the last one."""
    return re.findall(r"`([^`]+)`", message)[-1]


def prompts_shown(*args: object) -> list[tuple[str, str, str]]:
    result = run("label", *args, "--show-prompts")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["class", "weight", "prompt"]
    return [(name, weight, prompt) for name, weight, prompt in rows[1:]]


@pytest.mark.parametrize("option", ["-c", "--descriptions"])
def test_an_autodistill_ontology_is_refused_with_its_class_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("onto.json").write_text(ONTOLOGY)
    message = refusal(option, "onto.json")
    assert "class: prompt one; prompt two" in message
    if option == "-c":
        assert message.startswith("onto.json maps prompts to classes (an autodistill ontology")
        assert "--descriptions" not in message
    else:  # the lists that keep its strings descriptors come first
        assert message.startswith("onto.json reads as an autodistill ontology")


@needs_jq
def test_the_ontologys_rewrite_keeps_each_class_with_all_its_prompts_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("onto.json").write_text(ONTOLOGY)
    command = command_in(refusal("-c", "onto.json"))
    assert command.endswith("onto.json > classes.txt")
    subprocess.run(["bash", "-c", command], check=True)
    assert Path("classes.txt").read_text() == (
        "red circle: a photo of a red circle; a red disc\nblue square: a blue square\n"
    )
    assert prompts_shown("-c", "classes.txt") == [
        ("red circle", "0.5", "a photo of a red circle"),
        ("red circle", "0.5", "a red disc"),
        ("blue square", "1", "a blue square"),
    ]


def test_an_ontology_is_told_by_a_class_given_longer_prompts_not_naming_it(tmp_path: Path) -> None:
    (tmp_path / "o.json").write_text(
        '{"a round thing": "ball", "a sphere": "ball", "a cube": "box"}\n'
    )
    assert "maps prompts to classes" in refusal("-c", tmp_path / "o.json")
    assert "reads as an autodistill ontology" in refusal("--descriptions", tmp_path / "o.json")


def test_single_string_descriptors_of_another_shape_still_describe_their_classes(
    tmp_path: Path,
) -> None:
    (tmp_path / "d.json").write_text('{"cat": "whiskers", "dog": "a wagging tail"}\n')
    assert prompts_shown("--descriptions", tmp_path / "d.json") == [
        ("cat", "1", "cat, which has whiskers"),
        ("dog", "1", "dog, which has a wagging tail"),
    ]
    # Given as a class list, it may be either: both ways are said, the ontology's first.
    message = refusal("-c", tmp_path / "d.json")
    assert "an autodistill ontology" in message and "pass it as --descriptions" in message


def test_a_single_key_class_list_is_told_to_be_written_one_name_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("cc.json").write_text(CLASS_NAMES)
    message = refusal("-c", "cc.json")
    assert "`jq -r '.my_shapes[]' cc.json > classes.txt`;" in message


@needs_jq
@pytest.mark.parametrize("key", ["my_shapes", "my shapes", "shapes-2", "Bob's shapes"])
def test_the_single_key_class_lists_jq_line_writes_its_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("cc.json").write_text(CLASS_NAMES.replace("my_shapes", key))
    subprocess.run(["bash", "-c", command_in(refusal("-c", "cc.json"))], check=True)
    assert Path("classes.txt").read_text() == "red circle\nblue square\ngreen star\n"


def test_one_classs_descriptors_as_a_class_list_are_sent_with_the_other_classes(
    tmp_path: Path,
) -> None:
    # One class described alone is meaningful beside a class list only: alone it scores 1.
    (tmp_path / "d.json").write_text('{"red star": ["five points"]}\n')
    message = refusal("-c", tmp_path / "d.json")
    assert "pass it as --descriptions beside --classes" in message


@pytest.mark.parametrize("option", ["-c", "--descriptions", "-t"])
def test_cupl_prompts_by_dataset_are_told_how_to_give_one_datasets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("cupl.json").write_text(CUPL)
    Path("two.txt").write_text("tench\ngoldfish\n")
    classes = ("-c", "two.txt") if option == "-t" else ()
    message = refusal(*classes, option, "cupl.json")
    assert message.startswith("cupl.json holds descriptions by dataset (CLIP_benchmark's CuPL")
    assert "`jq '.imagenet1k' cupl.json > d.json`" in message
    assert "`--descriptions d.json --description-template '{1}'`" in message


@needs_jq
def test_the_cupl_rewrite_gives_each_class_its_sentences_as_they_stand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("cupl.json").write_text(CUPL)
    commands = re.findall(r"`([^`]+)`", refusal("-c", "cupl.json"))
    subprocess.run(["bash", "-c", commands[0]], check=True)
    assert prompts_shown(*commands[1].split(" ")[:2], "--description-template", "{1}") == [
        ("tench", "0.5", "A tench is a freshwater fish."),
        ("tench", "0.5", "A photo of a tench, a type of fish."),
        ("goldfish", "1", "A goldfish is a small orange fish."),
    ]


def test_cupl_prompts_in_a_file_named_as_the_rewrites_are_not_written_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("d.json").write_text(CUPL)
    message = refusal("--descriptions", "d.json")
    assert "`jq '.imagenet1k' d.json > descriptions.json`" in message
    assert "`--descriptions descriptions.json --description-template '{1}'`" in message


@pytest.mark.parametrize(
    "text",
    [
        '{"cat": {"a": ["x"]}}\n',  # one class under one key: no dataset's prompts
        '{"mine": {"a": ["x"], "b": ["y"]}, "yours": {"c": ["z"], "d": ["w"]}}\n',
    ],
)
def test_objects_only_resembling_cupl_prompts_are_not_named_so(tmp_path: Path, text: str) -> None:
    (tmp_path / "d.json").write_text(text)
    assert "CuPL" not in refusal("--descriptions", tmp_path / "d.json")


def test_descriptors_alike_are_descriptors_alone_or_in_lists(tmp_path: Path) -> None:
    for text in ('{"cat": "furry", "dog": "furry"}\n', '{"cat": ["furry"], "dog": ["furry"]}\n'):
        (tmp_path / "d.json").write_text(text)
        assert [name for name, _, _ in prompts_shown("--descriptions", tmp_path / "d.json")] == [
            "cat",
            "dog",
        ]
