"""Placeholders typed with a Japanese, Chinese or Korean input method in full-width mode: `｛｝`
for `{}` is text to the model, so a class file's prompt or a template that holds it has no class
name in it; and `；` (or Arabic `؛`) between two prompts that each hold `{}` makes one prompt
with `{}` twice, which is refused: the messages name the look-alike that causes each."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError
from zsl_cli.prompts import resolve_templates

BRACES = "'｛｝' (U+FF5B FULLWIDTH LEFT CURLY BRACKET, U+FF5D FULLWIDTH RIGHT CURLY BRACKET)"


def test_full_width_braces_in_a_class_files_prompts_are_warned_of():
    # The reviewer's run scored every image on 'の写真' against 'のイラスト', without a word.
    spec = parse_classes("犬: ｛｝の写真\n猫: ｛｝のイラスト\n", "c.txt")
    assert [entry.prompts for entry in spec.classes] == [("｛｝の写真",), ("｛｝のイラスト",)]
    assert spec.warnings == (
        f"c.txt:1: prompt '｛｝の写真' (and 1 more) holds {BRACES}, not '{{}}': it stands for "
        "nothing here, and the model reads it as written, without the class's name",
    )


@pytest.mark.parametrize(
    ("prompt", "said"),
    [
        ("｛０｝の写真", "'｛０｝' (U+FF5B FULLWIDTH LEFT CURLY BRACKET, U+FF10 FULLWIDTH DIGIT "
         "ZERO, U+FF5D FULLWIDTH RIGHT CURLY BRACKET), not '{0}'"),
        ("｛0｝の写真", "'｛0｝' (U+FF5B FULLWIDTH LEFT CURLY BRACKET, U+FF5D FULLWIDTH RIGHT "
         "CURLY BRACKET), not '{0}'"),
    ],
)  # fmt: skip
def test_a_full_width_numbered_placeholder_is_named_with_its_ascii_twin(prompt, said):
    [warning] = parse_classes(f"犬: {prompt}\n猫\n", "c.txt").warnings
    assert warning.startswith(f"c.txt:1: prompt {prompt!r} holds {said}: it stands for nothing")


@pytest.mark.parametrize(
    "text",
    [
        "犬: {}の写真\n猫: {}のイラスト\n",
        # A prompt that has the name may hold the look-alike as text.
        "犬: {}の写真 ｛｝\n猫\n",
        # Braces an input method does not type for {}.
        "犬: 【写真】\n猫\n",
    ],
)
def test_prompts_with_the_name_or_other_brackets_are_not_warned_of(text):
    assert parse_classes(text, "c.txt").warnings == ()


def test_a_half_full_width_pair_in_a_prompt_is_refused_naming_the_look_alike():
    with pytest.raises(ZslError) as error:
        parse_classes("犬: {｝の写真\n猫\n", "c.txt")
    assert str(error.value) == (
        "c.txt:1: prompt '{｝の写真': only {} (or {0}) stands for the class name; other braces "
        "are not allowed (it holds '{｝' (U+FF5D FULLWIDTH RIGHT CURLY BRACKET), not '{}')"
    )


def test_the_class_file_warning_reaches_the_command_line(tmp_path: Path):
    classes = tmp_path / "fwb.txt"
    classes.write_text("犬: ｛｝の写真\n猫: ｛｝のイラスト\n", encoding="utf-8")
    result = run("label", "-c", classes, "--show-prompts")
    assert result.exit_code == 0
    assert result.stdout == "class,weight,prompt\n犬,1,｛｝の写真\n猫,1,｛｝のイラスト\n"
    assert f"prompt '｛｝の写真' (and 1 more) holds {BRACES}, not '{{}}'" in result.stderr


def test_a_full_width_template_is_refused_naming_its_braces():
    with pytest.raises(ZslError) as error:
        resolve_templates("｛｝の写真")
    assert str(error.value) == (
        "--templates '｛｝の写真': not a built-in set (default, imagenet80, imagenet7, bare), "
        "not a file, and has no {} placeholder for the class name "
        f"(it holds {BRACES}, not '{{}}')"
    )


def test_a_full_width_template_on_the_command_line_exits_2(tmp_path: Path):
    classes = tmp_path / "plain.txt"
    classes.write_text("犬\n猫\n", encoding="utf-8")
    result = run("label", "-c", classes, "-t", "｛｝の写真", "--show-prompts")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("zsl: error: --templates '｛｝の写真': not a built-in set")
    assert result.stderr.endswith(f"(it holds {BRACES}, not '{{}}')\n")


def test_a_template_file_of_full_width_braces_is_not_taken_for_a_class_list(tmp_path: Path):
    # It was told "a class list? pass it as --classes", the wrong way.
    template_file = tmp_path / "templates.txt"
    template_file.write_text("# 日本語\n｛｝の写真\n｛｝の絵\n", encoding="utf-8")
    with pytest.raises(ZslError) as error:
        resolve_templates(str(template_file))
    assert str(error.value) == (
        f"{template_file}: no line holds {{}}, which stands for the class name in a template "
        f"(line 2 holds {BRACES}, not '{{}}')"
    )


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("｛｝の絵", f"{BRACES}, not '{{}}'"),
        # A lone ASCII brace was told to write literal braces as {{ and }}.
        ("{｝の絵", "'{｝' (U+FF5D FULLWIDTH RIGHT CURLY BRACKET), not '{}'"),
        ("｛}の絵", "'｛}' (U+FF5B FULLWIDTH LEFT CURLY BRACKET), not '{}'"),
    ],
)
def test_a_full_width_line_among_templates_is_refused_naming_its_braces(
    tmp_path: Path, template, said
):
    template_file = tmp_path / "templates.txt"
    template_file.write_text(f"{{}}の写真\n{template}\n", encoding="utf-8")
    with pytest.raises(ZslError) as error:
        resolve_templates(str(template_file))
    assert str(error.value) == (
        f"{template_file}:2: {template!r} must contain exactly one {{}} placeholder (it holds "
        f"{said})"
    )


@pytest.mark.parametrize(
    ("text", "where", "prompt", "mark"),
    [
        ("犬: {}の写真；{}の絵\n猫: {}の写真；{}の絵\n", "jp.txt:1", "{}の写真；{}の絵",
         "'；' (U+FF1B FULLWIDTH SEMICOLON)"),
        ("قطة: صورة {}؛ رسم {}\nكلب\n", "jp.txt:1", "صورة {}؛ رسم {}",
         "'؛' (U+061B ARABIC SEMICOLON)"),
        ("犬\n猫: {0}の写真 ； {}の絵\n", "jp.txt:2", "{0}の写真 ； {}の絵",
         "'；' (U+FF1B FULLWIDTH SEMICOLON)"),
    ],
)  # fmt: skip
def test_two_prompts_joined_by_a_look_alike_semicolon_are_refused_naming_it(
    text, where, prompt, mark
):
    # It was told that {} goes in once, "write the name itself where it appears again": wrong
    # advice for two prompts that hold it once each.
    with pytest.raises(ZslError) as error:
        parse_classes(text, "jp.txt")
    assert str(error.value) == (
        f"{where}: prompt {prompt!r} holds {mark}, not ';': it is one prompt, with {{}} (the "
        "class name) twice; prompts are separated by an ASCII ';' (`name: prompt one; prompt "
        "two`)"
    )


def test_three_prompts_joined_by_look_alike_semicolons_are_counted():
    with pytest.raises(ZslError, match=r"holds '；' .*, with \{\} \(the class name\) 3 times; "):
        parse_classes("犬: {}の写真；{}の絵；{}の像\n猫\n", "c.txt")


def test_a_look_alike_semicolon_outside_the_two_placeholders_keeps_the_once_advice():
    # `；` after both {}: no second prompt would hold one, and the name is written twice.
    with pytest.raises(ZslError, match=r"goes in once \(write the name itself where it appears"):
        parse_classes("犬: {}と{}；写真\n猫\n", "c.txt")


def test_the_look_alike_semicolon_refusal_reaches_the_command_line(tmp_path: Path):
    classes = tmp_path / "jp.txt"
    classes.write_text("犬: {}の写真；{}の絵\n猫: {}の写真；{}の絵\n", encoding="utf-8")
    result = run("label", "-c", classes, "--show-prompts")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(
        f"zsl: error: {classes}:1: prompt '{{}}の写真；{{}}の絵' holds '；' (U+FF1B FULLWIDTH "
        "SEMICOLON), not ';'"
    )
    assert "\n" not in result.stderr.rstrip("\n")
