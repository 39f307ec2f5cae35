"""Each form the template file's weight-column refusal reads as a weight (a sign, an exponent, a
';' cell), and not a number inside a template's words; and each text the invisible-character
warning looks at, or leaves: the description and attribute templates given, descriptions beside
classes of the class list without any, templates that no class's prompts are made of."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zsl_cli.api import ClassOptions, class_prompts
from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError
from zsl_cli.prompts import invisible_character_warnings, resolve_templates

NUMBER_BESIDE = "every template has a number beside it"


@pytest.mark.parametrize(
    "text",
    [
        "a photo of a {}.;2\na sketch of a {}.; 1\n",
        "a photo of a {}.\t-0.5\na sketch of a {}.\t+1.5\n",
        "a photo of a {}.\t1e-3\na sketch of a {}.\t2E+1\n",
    ],
    ids=["semicolon", "signed", "exponent"],
)
def test_a_weight_column_in_each_form_is_refused(tmp_path: Path, text: str) -> None:
    templates = tmp_path / "t.txt"
    templates.write_text(text, encoding="utf-8")
    with pytest.raises(ZslError, match=f"^{templates}:1: {NUMBER_BESIDE}"):
        resolve_templates(str(templates))


def test_a_number_inside_each_template_s_words_is_no_weight(tmp_path: Path) -> None:
    templates = tmp_path / "t.txt"
    templates.write_text("a photo of {}, 2 at a time\na sketch of {}, 3 in a row\n", "utf-8")
    assert resolve_templates(str(templates)).templates == (
        "a photo of {}, 2 at a time",
        "a sketch of {}, 3 in a row",
    )


def invisible(options: ClassOptions) -> list[str]:
    return [w for w in class_prompts(options).warnings if "prints as nothing" in w]


def test_the_description_template_given_is_looked_at(tmp_path: Path) -> None:
    descriptions = tmp_path / "d.json"
    descriptions.write_text(json.dumps({"cat": ["ears"], "dog": ["a tail"]}), "utf-8")
    options = ClassOptions(
        descriptions=str(descriptions), description_template="{},\u200b which has {}"
    )
    (said,) = invisible(options)
    assert said.startswith(
        "1 prompt text holds a character that prints as nothing: '{},\\u200b which has {}' "
        "holds U+200B ZERO WIDTH SPACE"
    )


def test_the_description_template_is_looked_at_where_one_class_has_descriptors(
    tmp_path: Path,
) -> None:
    classes = tmp_path / "c.txt"
    classes.write_text("cat\ndog: a photo of a {}.\n", "utf-8")
    descriptions = tmp_path / "d.json"
    descriptions.write_text(json.dumps({"cat": ["ears"]}), "utf-8")
    options = ClassOptions(
        classes=str(classes),
        descriptions=str(descriptions),
        description_template="{}, which\u00ad has {}",
    )
    assert [said.split(" holds U+")[0] for said in invisible(options)] == [
        "1 prompt text holds a character that prints as nothing: '{}, which\\xad has {}'"
    ]


def test_the_attribute_template_given_is_looked_at(tmp_path: Path) -> None:
    attributes = tmp_path / "a.csv"
    attributes.write_text("class,red,round\ncat,1,0\ndog,0,1\n", "utf-8")
    options = ClassOptions(
        attributes=str(attributes), attribute_template="a photo of\u200e something {}."
    )
    (said,) = invisible(options)
    assert said.startswith(
        "1 prompt text holds a character that prints as nothing: 'a photo of\\u200e something "
        "{}.' holds U+200E LEFT-TO-RIGHT MARK"
    )


def test_templates_no_class_s_prompts_are_made_of_are_not_looked_at(tmp_path: Path) -> None:
    # `label` refuses such templates given; a library caller may still pass them.
    spec = parse_classes("cat: a photo of a {}.\ndog: a sketch of a {}.\n", "c.txt")
    templates = tmp_path / "t.txt"
    templates.write_text("a photo\u200b of a {}.\n", "utf-8")
    assert invisible_character_warnings(spec, resolve_templates(str(templates))) == ()
    some = parse_classes("cat: a photo of a {}.\ndog\n", "c.txt")
    (said,) = invisible_character_warnings(some, resolve_templates(str(templates)))
    assert said.startswith("1 prompt text holds a character that prints as nothing: 'a photo")
