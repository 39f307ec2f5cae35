"""Prompts, descriptors, templates and attribute phrases are capped as class names are: a
30 MB descriptor, class prompt or template line took ~14 s and ~1 GB to be cut to the 77 tokens
a model reads (security review h618, #5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.classes import MAX_NAME_CHARS, load_class_spec, parse_attributes
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.prompts import Templates, plan_prompts, resolve_templates

# The longest text taken, and one character more: 'abab...' (a word a model cuts anyway).
AT_CAP = "ab" * (MAX_NAME_CHARS // 2)
OVER = AT_CAP + "a"
START = repr(OVER[:40])
TAIL = "are at most 10,000 characters (a model reads a few hundred at most)"


def _refused(what: str, where: str) -> str:
    return f"{where}: {what} of 10,001 characters, starting {START}: {what}s {TAIL}"


def test_the_cap_is_the_class_names():
    assert MAX_NAME_CHARS == 10_000 and len(OVER) == MAX_NAME_CHARS + 1


def test_a_class_files_prompt_over_the_cap_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "c.txt"
    path.write_text(f"# shapes\ncircle: a round thing\nsquare: a box; {OVER}\n", "utf-8")
    with pytest.raises(ZslError) as error:
        load_class_spec(classes=path)
    assert str(error.value) == _refused("prompt", f"{path}:3")
    path.write_text(f"circle: a round thing\nsquare: a box; {AT_CAP}\n", "utf-8")
    assert load_class_spec(classes=path).classes[1].prompts == ("a box", AT_CAP)


def test_a_descriptor_over_the_cap_is_refused_with_its_class(tmp_path: Path):
    path = tmp_path / "d.json"
    data = {"circle": ["round"], "square": ["four corners", OVER]}
    path.write_text(json.dumps(data, indent=1), "utf-8")
    with pytest.raises(ZslError) as error:
        load_class_spec(descriptions=path)
    assert str(error.value) == _refused("descriptor", f"{path}:5: class 'square'")
    data["square"][1] = AT_CAP
    path.write_text(json.dumps(data, indent=1), "utf-8")
    assert load_class_spec(descriptions=path).classes[1].descriptors[1] == AT_CAP


def test_a_template_line_over_the_cap_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "t.txt"
    path.write_text(f"a photo of a {{}}.\n{OVER[:-2]}{{}}\n", "utf-8")
    with pytest.raises(ZslError) as error:
        resolve_templates(str(path))
    assert str(error.value) == _refused("template", f"{path}:2")
    path.write_text(f"a photo of a {{}}.\n{AT_CAP[:-2]}{{}}\n", "utf-8")
    assert resolve_templates(str(path)).templates[1] == AT_CAP[:-2] + "{}"


@pytest.mark.parametrize(
    ("option", "fields"), [("--attribute-template", "{}"), ("--description-template", "{} {}")]
)
def test_a_template_option_over_the_cap_is_refused(option: str, fields: str):
    spec = load_class_spec(classes=["circle", "square"])
    over, at_cap = OVER[: -len(fields)] + fields, AT_CAP[: -len(fields)] + fields
    keyword = option.removeprefix("--").replace("-", "_")
    with pytest.raises(ZslError) as error:
        plan_prompts(spec, Templates("t", ("a {}",)), **{keyword: over})
    assert str(error.value) == _refused("template", option).replace(START, repr(over[:40]))
    assert plan_prompts(spec, Templates("t", ("a {}",)), **{keyword: at_cap}).texts


def test_a_literal_template_over_the_cap_is_refused():
    with pytest.raises(ZslError) as error:
        resolve_templates(OVER[:-2] + "{}")
    assert str(error.value) == _refused("template", "--templates")
    assert resolve_templates(AT_CAP[:-2] + "{}").templates == (AT_CAP[:-2] + "{}",)


def test_attribute_phrases_and_names_over_the_cap_are_refused_with_their_column():
    phrased = "class,red,round\n#phrase,red colour,{}\ncircle,1,1\nsquare,1,0\n"
    with pytest.raises(ZslError) as error:
        parse_attributes(phrased.format(OVER), "a.csv")
    assert str(error.value) == _refused("phrase", "a.csv:2, column 3")
    assert parse_attributes(phrased.format(AT_CAP), "a.csv").attributes.phrases[1] == AT_CAP
    named = "class,red,{}\ncircle,1,1\nsquare,1,0\n"
    with pytest.raises(ZslError) as error:
        parse_attributes(named.format(OVER), "a.csv")
    assert str(error.value) == _refused("attribute name", "a.csv:1, column 3")
    assert parse_attributes(named.format(AT_CAP), "a.csv").attributes.phrases[1] == AT_CAP


def test_a_descriptor_over_the_cap_ends_the_run_with_one_line(tmp_path: Path):
    write_images(tmp_path / "images", 1)
    descriptions = tmp_path / "d.json"
    data = {"circle": ["round", OVER], "square": ["four corners"], "triangle": ["three"]}
    descriptions.write_text(json.dumps(data), "utf-8")
    args = ["label", str(tmp_path / "images"), "-m", "shapes-demo", "-o", "-", "-q"]
    result = CliRunner().invoke(app, [*args, "--descriptions", str(descriptions)])
    assert result.exit_code == 2, result.stderr
    where = f"{descriptions}:1: class 'circle'"
    assert result.stderr == f"zsl: error: {_refused('descriptor', where)}\n"


def test_realistic_prompts_of_every_kind_still_label(tmp_path: Path):
    write_images(tmp_path / "images", 1)
    classes = tmp_path / "c.txt"
    classes.write_text(
        "circle: a photo of a round red circle; a drawing of a circle\nsquare\ntriangle\n", "utf-8"
    )
    templates = tmp_path / "t.txt"
    templates.write_text("a photo of a {}.\na blurry photo of a {}, a simple shape.\n", "utf-8")
    descriptions = tmp_path / "d.json"
    descriptor = "a closed curve every point of which is as far from its centre as any other"
    descriptions.write_text(
        json.dumps({"circle": [descriptor], "square": ["four sides"], "triangle": ["three"]})
    )
    args = ["label", str(tmp_path / "images"), "-m", "shapes-demo", "-o", "-", "-q"]
    for extra in (
        ["-c", str(classes), "-t", str(templates)],
        ["--descriptions", str(descriptions)],
    ):
        result = CliRunner().invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.stderr
        assert "img_000.png" in result.stdout
