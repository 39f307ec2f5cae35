"""A template file's `#` lines are comments: one that holds `{}` as a template does (a hashtag,
`#{} on instagram`) is warned of, and a file of only comments is said to be one."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.prompts import resolve_templates


def show(*args: object):
    return CliRunner().invoke(app, ["label", *map(str, args), "--show-prompts"])


def test_a_comment_line_holding_braces_as_a_template_does_is_warned_of(tmp_path):
    # `#{} on instagram` went without a word: the template set was one template short.
    classes = tmp_path / "c2.txt"
    classes.write_text("cat\ndog\n", encoding="utf-8")
    templates = tmp_path / "t.txt"
    templates.write_text(
        "a photo of a {}.\n#{} on instagram\n#{0}photo\n# a sketch of a {}.\n## {}\n",
        encoding="utf-8",
    )
    result = show("-c", classes, "-t", templates)
    assert result.exit_code == 0, result.stderr
    assert "a photo of a cat." in result.stdout and "instagram" not in result.stdout
    assert result.stderr == (
        f"warning: {templates}:2: '#{{}} on instagram' (and 1 more) holds {{}}, but the "
        "line starts with '#', which makes it a comment, not a template (a template cannot "
        "start with '#')\n"
    )


def test_a_comment_out_of_a_template_is_no_warning(tmp_path):
    # `# a photo of a {}.`: a template put aside, as a comment key of an editor writes it.
    templates = tmp_path / "t.txt"
    templates.write_text(
        "# a photo of a {}.\n##{}\n#art of a {}\na sketch of a {}.\n", encoding="utf-8"
    )
    assert resolve_templates(str(templates)).warnings == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "#{}\n#{}photo\n",
            "has no templates: every line that is not blank starts with '#', which makes it a "
            "comment (a template cannot start with '#')",
        ),
        (
            "# mine\n\n# yours\n",
            "has no templates: every line that is not blank starts with '#', which makes it a "
            "comment",
        ),
        ("\n \n", "has no templates (one per line, each with {})"),
    ],
)
def test_a_template_file_of_comments_only_is_said_to_be_so(tmp_path, text, message):
    # Every line holds {}, and the error asked for {}.
    templates = tmp_path / "t2.txt"
    templates.write_text(text, encoding="utf-8")
    with pytest.raises(ZslError) as refused:
        resolve_templates(str(templates))
    assert refused.value.message == f"template file {templates} {message}"
