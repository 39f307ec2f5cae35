"""Class lists and templates kept by dataset, as CLIP_benchmark ships them (en_classnames.json,
en_zeroshot_classification_templates.json): refused where a class list, descriptions or an
attribute table belongs, in one line saying what the file is and how to take one dataset's list;
never read as classes named after the datasets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.classes import load_class_spec
from zsl_cli.cli import app
from zsl_cli.errors import ZslError

# The shape of CLIP_benchmark's clip_benchmark/datasets/en_classnames.json (17 datasets there).
CLASSNAMES = {
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer"],
    "imagenet1k": ["tench", "goldfish", "great white shark", "tiger shark"],
    "fer2013": ["angry", "disgusted", "fearful", "happy", "neutral", "sad", "surprised"],
    "caltech101_vtab": ["accordion", "airplane", "anchor", "ant", "background"],
}
# Its cn_, ar_, it_ and jp_classnames.json hold ImageNet's alone.
ONE_DATASET = {"imagenet1k": ["丁鲷", "金鱼", "大白鲨"]}
# en_zeroshot_classification_templates.json.
TEMPLATES = {
    "cifar10": ["a photo of a {c}.", "a blurry photo of a {c}."],
    "imagenet1k": ["a bad photo of a {c}.", "a photo of many {c}."],
}
# nllb_dist13b_prompts.json: templates by language, with {} for the class name.
BY_LANGUAGE = {"DE": ["ein Foto von {}.", "ein Bild von {}."], "FR": ["une photo de {}."]}


def write_json(tmp_path: Path, name: str, value: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(value, indent=4, ensure_ascii=False))
    return path


@pytest.mark.parametrize("option", ["classes", "descriptions", "attributes"])
@pytest.mark.parametrize(("content", "key"), [(CLASSNAMES, "cifar10"), (ONE_DATASET, "imagenet1k")])
def test_class_names_by_dataset_are_refused_with_how_to_take_one_dataset_s(
    tmp_path, option, content, key
):
    # As --descriptions they were classes named 'cifar10', 'imagenet1k', ..., described by the
    # class names; as --classes the error sent them there.
    path = write_json(tmp_path, "en_classnames.json", content)
    with pytest.raises(ZslError) as refused:
        load_class_spec(**{option: path})
    message = refused.value.message
    assert message.startswith(f"{path} maps dataset names to class lists")
    assert "CLIP_benchmark" in message and "--descriptions" not in message
    assert f"jq -r '.{key}[]' {path} > classes.txt" in message
    assert "\n" not in message


def test_the_one_liner_given_writes_the_class_list_it_names(tmp_path):
    # What the message tells to run, done here in Python as jq does it: the list reads back.
    path = write_json(tmp_path, "en_classnames.json", CLASSNAMES)
    with pytest.raises(ZslError) as refused:
        load_class_spec(classes=path)
    key = re.search(r"jq -r '\.(\w+)\[\]'", refused.value.message).group(1)
    listed = tmp_path / "classes.txt"
    listed.write_text("".join(f"{name}\n" for name in json.loads(path.read_text())[key]))
    assert load_class_spec(classes=listed).names == CLASSNAMES[key]


def test_a_dataset_key_that_is_no_jq_identifier_is_quoted(tmp_path):
    path = write_json(tmp_path, "names.json", {"imagenet-a": ["goldfish"], "objectnet": ["x"]})
    with pytest.raises(ZslError, match=re.escape(f"""jq -r '.["imagenet-a"][]' {path}""")):
        load_class_spec(classes=path)


@pytest.mark.parametrize("option", ["classes", "descriptions"])
@pytest.mark.parametrize("content", [TEMPLATES, BY_LANGUAGE])
def test_templates_by_dataset_or_language_are_refused_as_classes_or_descriptions(
    tmp_path, option, content
):
    path = write_json(tmp_path, "templates.json", content)
    with pytest.raises(ZslError) as refused:
        load_class_spec(**{option: path})
    assert refused.value.message.startswith(
        f"{path} holds templates by dataset or language (as CLIP_benchmark's), not "
    )
    assert refused.value.message.endswith(
        "give one list's templates to --templates, one per line, with {} for the class name"
    )


@pytest.mark.parametrize(
    "content",
    [
        # Classes that share a name with one of CLIP_benchmark's datasets, as words do.
        {"cars": ["four wheels", "a windscreen"], "pets": ["fur"], "flowers": ["petals"]},
        # Datasets that are not CLIP_benchmark's, and one of its names among other classes.
        {"mnist": ["handwritten digits"], "street signs": ["a pole"]},
        # A descriptor that names a template's placeholder, among others that do not.
        {"cat": ["whiskers", "a {c} with fur"], "dog": ["a tail"]},
    ],
)
def test_descriptions_that_only_resemble_those_files_are_descriptions(tmp_path, content):
    path = write_json(tmp_path, "descriptions.json", content)
    assert load_class_spec(descriptions=path).names == list(content)


def test_the_cli_refuses_en_classnames_in_one_line_with_exit_code_2(tmp_path):
    write_images(tmp_path / "images", 2)
    path = write_json(tmp_path, "en_classnames.json", CLASSNAMES)
    for option in ("-c", "--descriptions"):
        result = CliRunner().invoke(
            app, ["label", str(tmp_path / "images"), option, str(path), "-m", "shapes-demo"]
        )
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"zsl: error: {path} maps dataset")


# A class's own prompt templates, as a prompt-engineering notebook keeps them (CuPL, a
# hand-written ensemble): keys are the classes, not CLIP_benchmark's datasets or languages.
PROMPTS_BY_CLASS = {
    "cat": ["a photo of a {}", "a {} in the wild"],
    "dog": ["a photo of a {}", "a {} playing fetch"],
}


@pytest.mark.parametrize("option", ["classes", "descriptions"])
@pytest.mark.parametrize(
    "content",
    [
        PROMPTS_BY_CLASS,
        {"cat": ["a photo of a {c}."], "street sign": ["a {c} by the road."]},
        # Classes that share a name with one of CLIP_benchmark's datasets, as words do.
        {"cars": ["a photo of {}."], "pets": ["a {} at home."]},
    ],
)
def test_prompts_by_class_are_refused_pointing_to_a_class_file_s_prompts(tmp_path, option, content):
    # Refused as templates by dataset, the message said to give one list to --templates: each
    # class's own prompts would be lost.
    path = write_json(tmp_path, "prompts.json", content)
    with pytest.raises(ZslError) as refused:
        load_class_spec(**{option: path})
    message = refused.value.message
    assert message.startswith(f"{path} holds prompt templates by class, not ")
    assert "--templates" not in message and "dataset" not in message
    assert "`name: prompt; prompt`" in message and "\n" not in message


def test_the_prompts_by_class_one_liner_writes_a_class_file_with_those_prompts(tmp_path):
    # What the message tells to run, done here in Python as jq does it: every class keeps its
    # own prompts, {} standing for its name.
    path = write_json(tmp_path, "prompts.json", PROMPTS_BY_CLASS)
    with pytest.raises(ZslError) as refused:
        load_class_spec(descriptions=path)
    assert """jq -r 'to_entries[] | "\\(.key): \\(.value | join("; "))"'""" in refused.value.message
    listed = tmp_path / "classes.txt"
    lines = (f"{key}: {'; '.join(value)}\n" for key, value in PROMPTS_BY_CLASS.items())
    listed.write_text("".join(lines))
    spec = load_class_spec(classes=listed)
    assert spec.names == list(PROMPTS_BY_CLASS)
    assert [c.prompts for c in spec.classes] == [tuple(v) for v in PROMPTS_BY_CLASS.values()]
