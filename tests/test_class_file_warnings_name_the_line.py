"""A class file's warnings of one line's mistake name that line (`c.txt:2:`), as the warning of
a name split at its ':' does (`c.txt:1: 'Re:Zero' is class 'Re' ...`): a comment after a name or
a prompt (' #') and a class name that is a URL. Where several lines have it, the first is named,
the rest counted, in a template file as in a class file. A seen list, read by `zsl evaluate`,
names no line."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run
from zsl_cli.api import ClassOptions, class_prompts
from zsl_cli.prompts import resolve_templates

URL = "https://www.wikidata.org/wiki/Q146"


def _warnings(tmp_path: Path, text: str, **options: object) -> tuple[str, ...]:
    classes = tmp_path / "c.txt"
    classes.write_text(text, encoding="utf-8")
    return class_prompts(ClassOptions(classes=classes, **options)).warnings  # type: ignore[arg-type]


def test_a_comment_after_a_name_names_its_line(tmp_path: Path) -> None:
    (warning,) = _warnings(tmp_path, "dog\n# birds below\nbird\ncat # a pet\n")
    assert warning.startswith(f"{tmp_path / 'c.txt'}:4: class 'cat # a pet' holds ' #': ")


def test_comments_after_several_names_name_the_first_line(tmp_path: Path) -> None:
    (warning,) = _warnings(tmp_path, "dog\ncat  # a pet\nbird # x\n")
    assert warning.startswith(f"{tmp_path / 'c.txt'}:2: class 'cat  # a pet' (and 1 more) holds")


def test_a_comment_after_a_prompt_names_its_line(tmp_path: Path) -> None:
    (warning,) = _warnings(tmp_path, "dog: a {}\ncat: a photo of a {}.  # mine; a {} pet\n")
    assert warning.startswith(f"{tmp_path / 'c.txt'}:2: prompt 'a photo of a {{}}.  # mine' holds")


def test_a_url_class_name_names_its_line(tmp_path: Path) -> None:
    (warning,) = _warnings(tmp_path, f"dog\n\n{URL}\nhttps://www.wikidata.org/wiki/Q144\n")
    assert warning.startswith(f"{tmp_path / 'c.txt'}:3: class name '{URL}' (and 1 more) is a URL: ")


def test_a_url_class_name_beside_described_classes_names_its_line(tmp_path: Path) -> None:
    # With descriptions the warning is made again, for the classes without descriptors alone.
    described = tmp_path / "d.json"
    described.write_text('{"dog": ["barks"]}', encoding="utf-8")
    warnings = _warnings(tmp_path, f"dog\n{URL}\n", descriptions=described)
    assert sum("is a URL" in warning for warning in warnings) == 1
    assert warnings[0].startswith(f"{tmp_path / 'c.txt'}:2: class name '{URL}' is a URL: ")
    # Described, it is no warning: its prompts are its descriptors.
    described.write_text(f'{{"dog": ["barks"], "{URL}": ["meows"]}}', encoding="utf-8")
    assert not any(
        "is a URL" in w for w in _warnings(tmp_path, f"dog\n{URL}\n", descriptions=described)
    )


def test_the_cli_shows_the_line_too(tmp_path: Path) -> None:
    classes = tmp_path / "c.txt"
    classes.write_text("cat # a pet\ndog\n", encoding="utf-8")
    result = run("label", "-c", classes, "--show-prompts")
    assert result.exit_code == 0, result.output
    assert f"warning: {classes}:1: class 'cat # a pet' holds ' #'" in result.stderr


def test_a_comment_after_a_template_names_its_line(tmp_path: Path) -> None:
    templates = tmp_path / "t.txt"
    templates.write_text("# mine\n\na photo of a {}.\nart of {}  # x\n{} # y\n", encoding="utf-8")
    (warning,) = resolve_templates(str(templates)).warnings
    assert warning.startswith(f"{templates}:4: template 'art of {{}}  # x' (and 1 more) holds")
