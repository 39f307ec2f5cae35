"""Class files typed with a Japanese, Chinese or Arabic input method: its punctuation
(`：`, `；`, `؛`, `、`, `＃`, `・`, `１．`, `「」`) looks like the ASCII marks of a class file's
syntax and is not that syntax. Each line is read as written, as before, and warned of where its
ASCII twin is."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.classes import load_class_spec, parse_classes
from zsl_cli.cli import app
from zsl_cli.prompts import resolve_templates


def classes_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_width_colon_is_part_of_the_name_with_a_warning(tmp_path: Path):
    # A Japanese IME types '：' and '；': the whole line was one class, its prompt
    # 'a photo of a 猫：猫の写真；猫のイラスト.', without a word.
    file = classes_file(tmp_path, "猫：猫の写真；猫のイラスト\n犬\n")
    spec = load_class_spec(classes=file)
    assert spec.names == ["猫：猫の写真；猫のイラスト", "犬"]  # read as written, as before
    assert spec.classes[0].prompts == ()
    assert spec.warnings == (
        f"{file}:1: class '猫：猫の写真；猫のイラスト' holds '：' (U+FF1A FULLWIDTH COLON), not "
        "':': it is part of the class name, where no prompt starts; a class's prompts follow an "
        "ASCII ':' (`name: prompt one; prompt two`)",
    )
    # A line with prompts after an ASCII ':' too: the warning must not say it has none.
    mixed = parse_classes("猫：猫の写真: a cat\n犬\n", "m.txt")
    assert mixed.names == ["猫：猫の写真", "犬"] and mixed.classes[0].prompts == ("a cat",)
    assert mixed.warnings[0].startswith("m.txt:1: class '猫：猫の写真' holds '：'")
    assert "part of the class name, where no prompt starts" in mixed.warnings[0]
    assert "without prompts" not in mixed.warnings[0]
    # Its ASCII twin gives the class its prompts, without a warning.
    ascii_twin = parse_classes("cat: a photo of a cat; a drawing of a cat\ndog\n", "c.txt")
    assert ascii_twin.classes[0].prompts == ("a photo of a cat", "a drawing of a cat")
    assert ascii_twin.warnings == ()


@pytest.mark.parametrize(
    ("text", "prompt", "mark"),
    [
        ("قطة: صورة قطة؛ رسم قطة\nكلب\n", "صورة قطة؛ رسم قطة", "'؛' (U+061B ARABIC SEMICOLON)"),
        (
            "猫: 猫の写真；猫のイラスト\n犬\n",
            "猫の写真；猫のイラスト",
            "'；' (U+FF1B FULLWIDTH SEMICOLON)",
        ),
    ],
)
def test_a_look_alike_semicolon_between_prompts_is_warned_of(text, prompt, mark):
    # Arabic's semicolon: the two prompts were one.
    spec = parse_classes(text, "c.txt")
    assert spec.classes[0].prompts == (prompt,)
    assert spec.warnings == (
        f"c.txt:1: prompt {prompt!r} holds {mark}, not ';': it is one prompt; prompts are "
        "separated by an ASCII ';' (`name: prompt one; prompt two`)",
    )


@pytest.mark.parametrize("text", ["＃ 動物のリスト\n猫\n犬\n", "＃動物のリスト\n猫\n犬\n"])
def test_a_full_width_number_sign_makes_no_comment_line(text):
    # It became a class, and won the top-1 of an image in the reviewer's run.
    spec = parse_classes(text, "c.txt")
    assert spec.names[0] == text.splitlines()[0]
    assert spec.warnings == (
        f"c.txt:1: class {spec.names[0]!r} starts with '＃' (U+FF03 FULLWIDTH NUMBER SIGN), not "
        "'#': the line is a class, not a comment; a comment line starts with an ASCII '#'",
    )


def test_only_the_first_line_of_each_look_alike_is_named():
    spec = parse_classes("＃ 動物\n猫：ねこ\n＃ 鳥\n犬：いぬ\n", "c.txt")
    comment, colon = spec.warnings
    assert comment.startswith("c.txt:1: class '＃ 動物' (and 1 more) starts with '＃'")
    assert colon.startswith("c.txt:2: class '猫：ねこ' (and 1 more) holds '：'")


@pytest.mark.parametrize(
    "text", ["猫、犬、鳥\n", "猫，犬，鳥\n", "قطة، كلب، طائر\n", "猫；犬；鳥\n"]
)
def test_a_list_on_one_line_with_look_alike_commas_is_warned_of(text):
    # As `cat, dog, bird` on one line is.
    [warning] = parse_classes(text, "c.txt").warnings
    assert warning == (
        f"c.txt holds one class, {text.strip()!r}: a class file takes one class name per line"
    )


@pytest.mark.parametrize(
    "text",
    ["・猫\n・犬\n", "・ 猫\n・ 犬\n", "１．猫\n２．犬\n", "1．猫\n2．犬\n", "１）猫\n２）犬\n"],
)
def test_a_list_with_look_alike_markers_is_warned_of(text):
    # As `- cat` and `1. cat` are: CJK punctuation carries its own space, so none follows it.
    spec = parse_classes(text, "c.txt")
    assert spec.names == text.splitlines()
    [warning] = spec.warnings
    assert warning.startswith(
        f"c.txt: every class name starts with a list marker, such as {spec.names[0]!r}"
    )


@pytest.mark.parametrize("text", ["「猫」\n「犬」\n", "『猫』\n『犬』\n"])
def test_a_list_in_corner_brackets_is_warned_of(text):
    # Japanese quotation marks, as `"cat"` is warned of.
    spec = parse_classes(text, "c.txt")
    [warning] = spec.warnings
    assert warning.startswith(f"c.txt: every class name is in quotes, such as {spec.names[0]!r}")


@pytest.mark.parametrize(("text", "end"), [("猫、\n犬、\n", "、"), ("قطة،\nكلب،\n", "،")])
def test_names_that_all_end_with_a_look_alike_comma_are_warned_of(text, end):
    [warning] = parse_classes(text, "c.txt").warnings
    assert warning.startswith(f"c.txt: every class name ends with {end!r}, such as")


def test_a_trailing_comment_after_a_full_width_number_sign_is_warned_of():
    [warning] = parse_classes("猫 ＃ ペット\n犬\n", "c.txt").warnings
    assert warning == (
        "c.txt:1: class '猫 ＃ ペット' holds ' ＃' (U+FF03 FULLWIDTH NUMBER SIGN, not '#'): '#' "
        "makes a comment only at the start of a line, so the rest is part of the name"
    )


@pytest.mark.parametrize(
    "text",
    [
        "猫\n犬\n鳥\n",
        # A look-alike that is not in the place of its ASCII twin is text, as the twin would be.
        "コカ・コーラ\nペプシ\n",  # the middle dot between the words of a foreign name
        "・猫\n犬\n",  # not every name after a marker
        "猫、犬\n鳥\n",  # a comma in one name among others
        "「猫」の本\n犬\n",
        "１．５リットル\n２．０リットル\n",  # numbers' decimals, not a numbered list
        "قطة: صورة قطة، حيوان أليف\nكلب\n",  # Arabic's comma in a prompt
        "Ｃ＃\nＦ＃\n",  # a '＃' that starts no line
    ],
)
def test_cjk_and_arabic_class_lists_without_look_alikes_have_no_warning(text):
    assert parse_classes(text, "c.txt").warnings == ()


def test_a_template_file_in_corner_brackets_is_warned_of(tmp_path: Path):
    templates = tmp_path / "templates.txt"
    templates.write_text("「{}の写真」\n「{}の絵」\n", encoding="utf-8")
    [warning] = resolve_templates(str(templates)).warnings
    assert "every template is in quotes, such as '「{}の写真」'" in warning


def test_label_warns_of_a_full_width_colon_and_labels_with_the_name_as_written(tmp_path: Path):
    write_images(tmp_path / "images", 2)
    file = classes_file(tmp_path, "猫：猫の写真；猫のイラスト\n犬\n")
    output = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app,
        [
            "label",
            str(tmp_path / "images"),
            "-c",
            str(file),
            "-m",
            "shapes-demo",
            "-o",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert (
        f"warning: {file}:1: class '猫：猫の写真；猫のイラスト' holds '：' (U+FF1A" in result.stderr
    )
    assert "猫：猫の写真；猫のイラスト" in output.read_text(encoding="utf-8")
