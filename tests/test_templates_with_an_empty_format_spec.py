"""A template whose placeholder carries a format spec or conversion, even an empty one (`{0:}`,
`{:}`), is refused, as a class's own prompt holding it is: a template holds exactly one `{}` or
`{0}`. `{0:}` and `{:}` were taken for `{0}` and `{}` by --templates, a template file,
--attribute-template and --description-template."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zsl_cli.classes import parse_classes
from zsl_cli.cli import app
from zsl_cli.errors import EXIT_USAGE, ZslError
from zsl_cli.prompts import resolve_templates

SPEC = "a conversion or format spec is not allowed"


@pytest.mark.parametrize("field", ["{0:}", "{:}"])
def test_a_literal_template_with_an_empty_format_spec_is_refused(field):
    template = f"a photo of a {field}."
    with pytest.raises(ZslError) as refused:
        resolve_templates(template)
    assert refused.value.message == (
        f"--templates: '{template}' must contain exactly one {{}} placeholder (write {{}} for "
        f"{field}: {SPEC})"
    )


def test_a_template_file_line_with_an_empty_format_spec_is_refused(tmp_path):
    templates = tmp_path / "t.txt"
    templates.write_text("art of the {}.\na photo of a {0:}.\n", encoding="utf-8")
    with pytest.raises(ZslError) as refused:
        resolve_templates(str(templates))
    assert refused.value.message == (
        f"{templates}:2: 'a photo of a {{0:}}.' must contain exactly one {{}} placeholder "
        f"(write {{}} for {{0:}}: {SPEC})"
    )


def test_literal_braces_and_plain_placeholders_are_still_templates():
    assert resolve_templates("{{a}} photo of a {0}.").templates == ("{{a}} photo of a {0}.",)
    assert resolve_templates("a photo of a {}. {{:}}").templates == ("a photo of a {}. {{:}}",)


CLASS_FILES = {
    "--attribute-template": ("--attributes", "a.csv", "class,round,red\ncircle,1,0\nsquare,0,1\n"),
    "--description-template": (
        "--descriptions",
        "d.json",
        '{"circle": ["round"], "square": ["sides"]}',
    ),
}


@pytest.mark.parametrize(
    ("option", "value", "hint"),
    [
        ("--attribute-template", "a {:} thing", f"write {{}} for {{:}}: {SPEC}"),
        ("--description-template", "{0:}, which has {1}", f"write {{0}} for {{0:}}: {SPEC}"),
        ("--description-template", "{}, which has {:}", f"write {{}} for {{:}}: {SPEC}"),
    ],
)
def test_attribute_and_description_templates_with_an_empty_format_spec_are_refused(
    tmp_path, option, value, hint
):
    given, name, text = CLASS_FILES[option]
    classes = tmp_path / name
    classes.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["label", given, str(classes), option, value, "--show-prompts"]
    )
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"zsl: error: {option}: '{value}' must contain exactly"), line
    assert line.endswith(f"({hint})"), line


def test_label_refuses_such_a_template_before_any_model(tmp_path):
    classes = tmp_path / "c.txt"
    classes.write_text("circle\nsquare\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["label", "-c", str(classes), "-t", "a {0:}", "--show-prompts"]
    )
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert result.stderr == (
        "zsl: error: --templates: 'a {0:}' must contain exactly one {} placeholder (write {} for "
        f"{{0:}}: {SPEC})\n"
    )


@pytest.mark.parametrize("field", ["{0:}", "{:}"])
def test_an_own_prompt_with_an_empty_format_spec_says_what_to_write(field):
    with pytest.raises(ZslError) as refused:
        parse_classes(f"square: a {field} shape\n", "c.txt")
    assert refused.value.message == (
        f"c.txt:1: prompt 'a {field} shape': only {{}} (or {{0}}) stands for the class name; "
        f"other braces are not allowed (write {{}} for {field}: {SPEC})"
    )
