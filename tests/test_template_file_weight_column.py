"""A template file that is a table of templates and their weights (`a photo of a {}<TAB>2`, or
`,2`, as a prompt engineer's weighted ensemble is kept) is refused: zsl weighs every template
alike, and each weight was part of every prompt, without a word."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.prompts import resolve_templates


@pytest.mark.parametrize(
    ("text", "line", "shown"),
    [
        ("a photo of a {}.\t2\na sketch of a {}.\t1\n", 1, "'a photo of a {}.\\t2'"),
        ("a photo of a {}.,0.75\na sketch of a {}., .25\n", 1, "'a photo of a {}.,0.75'"),
        ("template,weight\na photo of a {}.,2\na sketch of a {}.,1\n", 2, "'a photo of a {}.,2'"),
        ("# weighted\n2\ta photo of a {}.\n1\ta sketch of a {}.\n", 2, "'2\\ta photo of a {}.'"),
    ],
)
def test_a_table_of_templates_and_weights_is_refused(tmp_path, text, line, shown):
    templates = tmp_path / "t.txt"
    templates.write_text(text, encoding="utf-8")
    with pytest.raises(ZslError) as caught:
        resolve_templates(str(templates))
    assert caught.value.message == (
        f"{templates}:{line}: every template has a number beside it, such as {shown} (a table of "
        "templates and their weights?): templates have no weights, each counts the same in its "
        "class's average (a template given twice counts twice); write one template per line, "
        "without a number"
    )


def test_the_refusal_comes_before_any_model_with_show_prompts(tmp_path):
    classes, templates = tmp_path / "c.txt", tmp_path / "t.txt"
    classes.write_text("cat\ndog\n", encoding="utf-8")
    templates.write_text("a photo of a {}.\t2\na sketch of a {}.\t1\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["label", "-c", str(classes), "-t", str(templates), "--show-prompts"]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "every template has a number beside it" in result.stderr


def test_templates_holding_numbers_of_their_own_are_read(tmp_path):
    # Not every line: a number that is part of a template's words.
    templates = tmp_path / "t.txt"
    templates.write_text("a photo of {}, 2\na photo of a {}.\n{} 3\n", encoding="utf-8")
    assert resolve_templates(str(templates)).templates == (
        "a photo of {}, 2",
        "a photo of a {}.",
        "{} 3",
    )
