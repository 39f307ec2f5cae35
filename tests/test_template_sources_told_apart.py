"""Templates where what they are is told apart by a detail: a literal template named like a
folder, Python code of templates with no lambda in it, and a description template that names a
field twice beside doubled braces."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.classes import parse_descriptions
from zsl_cli.errors import ZslError
from zsl_cli.prompts import Templates, is_template_file, plan_prompts, resolve_templates


def test_a_literal_template_named_like_a_folder_is_a_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A folder is no file of templates: a template holding {} that names one is the template.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a photo of a {}.").mkdir()
    assert not is_template_file("a photo of a {}.")
    assert resolve_templates("a photo of a {}.") == Templates("literal", ("a photo of a {}.",))


def test_python_code_of_templates_without_lambdas_gets_no_lambda_advice(tmp_path: Path) -> None:
    file = tmp_path / "templates.py"
    file.write_text('TEMPLATES = (\n    "a photo of a {}.",\n    "a sketch of a {}.",\n)\n')
    with pytest.raises(ZslError) as refused:
        resolve_templates(str(file))
    assert str(refused.value) == (
        f"{file} is Python code, a tuple of templates: write one template per line, without quotes"
    )


def test_a_description_template_naming_a_field_twice_beside_doubled_braces_is_told_each_once() -> (
    None
):
    # Two fields are there: what is wrong is the field given twice, not the doubled braces.
    template = "{0} {0} {{}}"
    with pytest.raises(ZslError) as refused:
        plan_prompts(
            parse_descriptions('{"cat": ["fur"]}'),
            Templates("x", ()),
            description_template=template,
        )
    assert str(refused.value) == (
        f"--description-template: {template!r} must contain exactly 2 {{}} placeholders (the "
        "class name and the descriptor, or {0} and {1} for them, each once: {1} alone uses the "
        "descriptor as it stands; write literal braces as {{ and }})"
    )
