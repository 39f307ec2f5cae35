"""The commands zsl's refusals give for another tool's JSON (`jq ... FILE > classes.txt`) write a
file of another name than the one they read: the shell empties the file it writes before jq
reads it, and a JSON class list saved as classes.txt, the usual name, was lost to the line that
was to rewrite it. Each line is run here, where jq is installed: the file read is kept, and the
file written reads as the classes meant."""

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

SHAPES = ["red circle", "blue square", "green star"]

# What each kind of file is, as given where a class list belongs, and the classes it names.
CLASS_FILES = {
    "autodistill ontology": (
        '{"a photo of a red circle": "red circle", "a red disc": "red circle", '
        '"a photo of a blue square": "blue square"}\n',
        ["red circle", "blue square"],
    ),
    "one-key class list": (f'{{"my_shapes": {json.dumps(SHAPES)}}}\n', SHAPES),
    "class lists by dataset": (f'{{"cifar10": {json.dumps(SHAPES)}}}\n', SHAPES),
    "prompts by class": (
        '{"red circle": ["a photo of a {}"], "blue square": ["a drawing of a {}"]}\n',
        ["red circle", "blue square"],
    ),
    "model config": ('{"id2label": {"1": "blue square", "0": "red circle"}}\n', SHAPES[:2]),
    "dataset info": (
        '{"features": {"label": {"names": ["red circle", "blue square", "green star"]}}}\n',
        SHAPES,
    ),
    "JSON list": ('["red circle", "blue square", "green star"]\n', SHAPES),
    "JSON list of objects": ('[{"name": "red circle"}, {"name": "blue square"}]\n', SHAPES[:2]),
}


def refusal(*args: object) -> str:
    result = run("label", *args, "--show-prompts")
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    return line.removeprefix("zsl: error: ")


def class_names(*args: object) -> list[str]:
    result = run("label", *args, "--show-prompts")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))[1:]
    return list(dict.fromkeys(name for name, _, _ in rows))


def commands_in(message: str) -> list[str]:
    """The commands a message gives, between backticks, that write a file with `>`."""
    return [command for command in re.findall(r"`([^`]+)`", message) if " > " in command]


def written_by(command: str) -> str:
    return command.rpartition(" > ")[2]


@pytest.mark.parametrize("name", ["classes.txt", "Classes.TXT", "data/classes.txt"])
@pytest.mark.parametrize("kind", list(CLASS_FILES))
def test_no_rewrite_writes_the_class_file_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    text, _ = CLASS_FILES[kind]
    Path(name).parent.mkdir(exist_ok=True)
    Path(name).write_text(text)
    [command] = commands_in(refusal("-c", name))
    assert written_by(command).casefold() != Path(name).name.casefold()
    assert command.endswith(f" > {written_by(command)}")


@needs_jq
@pytest.mark.parametrize("kind", list(CLASS_FILES))
def test_each_rewrite_run_on_a_file_named_classes_txt_keeps_it_and_writes_the_classes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.chdir(tmp_path)
    text, names = CLASS_FILES[kind]
    Path("classes.txt").write_text(text)
    [command] = commands_in(refusal("-c", "classes.txt"))
    subprocess.run(["bash", "-c", command], check=True)
    assert Path("classes.txt").read_text() == text
    assert class_names("-c", written_by(command)) == names


@pytest.mark.parametrize("option", ["-c", "--descriptions"])
def test_a_file_not_named_as_the_rewrite_keeps_the_usual_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("cc.json").write_text(CLASS_FILES["class lists by dataset"][0])
    [command] = commands_in(refusal(option, "cc.json"))
    assert command == "jq -r '.cifar10[]' cc.json > classes.txt"
