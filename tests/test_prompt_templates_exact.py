"""Templates as resolve_templates gives them, word for word: their source's name, the lines of a
template file as an editor leaves them, and the warnings and errors in full."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.classes import parse_descriptions
from zsl_cli.errors import ZslError
from zsl_cli.prompts import IMAGENET7, Templates, plan_prompts, resolve_templates


def test_templates_are_named_by_their_source(tmp_path: Path) -> None:
    # A built-in set by its name, a file by its path, a template given as text as "literal".
    assert resolve_templates("imagenet7").name == "imagenet7"
    assert resolve_templates("imagenet7").templates == IMAGENET7
    assert resolve_templates("bare").name == "bare"
    assert resolve_templates("bare").templates == ("{}",)
    file = tmp_path / "t.txt"
    file.write_text("a {}.\n")
    assert resolve_templates(str(file)).name == str(file)
    assert resolve_templates("itap of a {}").name == "literal"


def test_a_zero_width_space_at_an_end_of_a_template_line_is_not_part_of_the_template(
    tmp_path: Path,
) -> None:
    # Invisible in an editor, but not to a tokenizer: every prompt would carry it.
    file = tmp_path / "t.txt"
    file.write_text("a photo of a {}.\u200b\n\u200bart of the {}.\ufeff\n")
    assert resolve_templates(str(file)).templates == ("a photo of a {}.", "art of the {}.")


def test_a_single_hashtag_template_is_warned_of_without_a_count_of_more(tmp_path: Path) -> None:
    file = tmp_path / "t.txt"
    file.write_text("a photo of a {}.\n#{0} on instagram\n")
    resolved = resolve_templates(str(file))
    assert resolved.templates == ("a photo of a {}.",)
    assert resolved.warnings == (
        f"{file}:2: '#{{0}} on instagram' holds {{0}}, but the line starts with '#', which makes "
        "it a comment, not a template (a template cannot start with '#')",
    )


@pytest.mark.parametrize("name", ["TEMPLATES.TXT", "Shapes.Json"])
def test_a_missing_template_file_named_in_capitals_is_said_to_be_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Its extension in capitals, as a Windows share shows it, still reads as a file's name.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as refused:
        resolve_templates(name)
    assert str(refused.value) == f"template file not found: {name}"


def test_a_template_file_of_the_bare_template_is_no_json_object(tmp_path: Path) -> None:
    # `{}` parses as JSON, an empty object: the bare template still, not templates by dataset.
    file = tmp_path / "t.txt"
    file.write_text("{}\n")
    assert resolve_templates(str(file)).templates == ("{}",)


def test_open_clips_lambdas_in_a_template_file_are_named_so(tmp_path: Path) -> None:
    # open_clip's zero_shot_metadata.py: a tuple of lambdas making f-strings, no literal.
    file = tmp_path / "templates.py"
    file.write_text(
        "OPENAI_IMAGENET_TEMPLATES = (\n"
        "    lambda c: f'a bad photo of a {c}.',\n"
        "    lambda c: f'a photo of many {c}.',\n"
        ")\n"
    )
    with pytest.raises(ZslError) as refused:
        resolve_templates(str(file))
    assert str(refused.value) == (
        f"{file} is Python code, a tuple of templates: write one template per line, without "
        "quotes (a lambda's text alone, with {} for the class name: `a photo of a {}.` for "
        "`lambda c: f'a photo of a {c}.'`)"
    )


def test_a_lambda_given_as_the_template_is_named_so() -> None:
    with pytest.raises(ZslError) as refused:
        resolve_templates("lambda c: f'a photo of a {c}.'")
    assert str(refused.value) == (
        "--templates: \"lambda c: f'a photo of a {c}.'\" must contain exactly one {} placeholder "
        "(a Python lambda? write its text alone, with {} for the class name)"
    )


DESCRIPTION_HINT = (
    "the class name and the descriptor, or {0} and {1} for them{each}: {1} alone uses the "
    "descriptor as it stands; write literal braces as {{ and }}"
)


@pytest.mark.parametrize(
    ("template", "each"),
    [("{} ({1})", ""), ("{0} {0}", ", each once"), ("{1} {1}", ", each once")],
)
def test_a_description_template_says_each_once_only_of_a_field_given_twice(
    template: str, each: str
) -> None:
    # `{} ({1})` mixes two ways of numbering, with no field twice.
    with pytest.raises(ZslError) as refused:
        plan_prompts(
            parse_descriptions('{"cat": ["fur"]}'),
            Templates("x", ()),
            description_template=template,
        )
    hint = DESCRIPTION_HINT.replace("{each}", each)
    assert str(refused.value) == (
        f"--description-template: {template!r} must contain exactly 2 {{}} placeholders ({hint})"
    )


def test_a_template_file_of_numbered_placeholders_is_read(tmp_path: Path) -> None:
    # `{0}` is the class name as str.format takes it: a file of them holds templates.
    file = tmp_path / "t.txt"
    file.write_text("a photo of a {0}.\n")
    assert resolve_templates(str(file)).templates == ("a photo of a {0}.",)


def test_a_json_list_of_templates_holding_the_word_lambda_is_no_python_code(
    tmp_path: Path,
) -> None:
    file = tmp_path / "t.txt"
    file.write_text('["a lambda {}.", "a sheep {}."]\n')
    with pytest.raises(ZslError) as refused:
        resolve_templates(str(file))
    assert str(refused.value) == (
        f"{file} is a JSON list of templates: write one template per line, without quotes"
    )


def test_a_template_that_reads_as_a_path_is_used_and_warned_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    resolved = resolve_templates("photos/{}.jpg")
    assert (resolved.name, resolved.templates) == ("literal", ("photos/{}.jpg",))
    assert resolved.warnings == (
        "--templates 'photos/{}.jpg' reads as a file's path, but no such file is there: it is "
        "used as a template, its text in every prompt",
    )


def test_a_folder_given_as_templates_is_said_to_be_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prompts").mkdir()
    with pytest.raises(ZslError) as refused:
        resolve_templates("prompts")
    assert str(refused.value) == "template file is a directory: prompts"


def test_a_printf_placeholder_is_pointed_to_braces() -> None:
    with pytest.raises(ZslError) as refused:
        resolve_templates("a photo of a %s")
    assert str(refused.value) == (
        "--templates 'a photo of a %s': not a built-in set (default, imagenet80, imagenet7, "
        "bare), not a file, and has no {} placeholder for the class name (write {} for %s)"
    )
