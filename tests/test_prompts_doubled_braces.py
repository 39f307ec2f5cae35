"""A template whose only braces are doubled (`{{}}`): str.format's literal braces, no
placeholder. The hint to write literal braces as {{ and }} was advice it had already taken."""

from __future__ import annotations

import pytest

from tests.helpers import run
from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError
from zsl_cli.prompts import plan_prompts, resolve_templates


@pytest.mark.parametrize("template", ["{{}}", "{{ }}", "a photo of a {{}}.", "a photo of a {{0}}."])
def test_a_template_of_doubled_braces_is_told_to_write_single_ones(template):
    with pytest.raises(ZslError) as error:
        resolve_templates(template)
    message = str(error.value)
    assert "must contain exactly one {} placeholder" in message
    assert "write literal braces" not in message
    doubled = template[template.index("{{") : template.rindex("}}") + 2]
    assert f"write {{}} for {doubled}: doubled braces are literal braces, not a placeholder" in (
        message
    )


def test_a_template_file_line_of_doubled_braces_is_refused_in_the_cli(tmp_path):
    templates = tmp_path / "t.txt"
    templates.write_text("a photo of a {{}}.\n")
    (tmp_path / "c.txt").write_text("cat\ndog\n")
    result = run("label", tmp_path, "--classes", tmp_path / "c.txt", "--templates", templates)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert "t.txt:1:" in line and "write {} for {{}}" in line, line


def test_a_lone_brace_is_still_told_how_to_write_literal_ones():
    with pytest.raises(ZslError, match=r"write literal braces as \{\{ and \}\}"):
        resolve_templates("a photo of a {.")


@pytest.mark.parametrize(
    "template", ["{{}}, which has {{}}", "{{0}} ({{1}})", "{{}}, which has {}"]
)
def test_a_description_template_of_doubled_braces_is_told_to_write_single_ones(template):
    # It was told to "write literal braces as {{ and }}", as it had.
    spec = parse_classes("cat\ndog\n")
    with pytest.raises(ZslError) as error:
        plan_prompts(spec, resolve_templates("{}"), description_template=template)
    message = str(error.value)
    assert "write literal braces" not in message
    doubled = template[: template.index("}}") + 2]
    assert message.endswith(
        f"(doubled braces ({doubled}) are literal braces, not placeholders: write {{}} for the "
        "class name and {} for the descriptor, or {0} and {1})"
    ), message
