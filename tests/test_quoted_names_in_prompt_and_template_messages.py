"""The warnings and refusals that quote a class name, prompt or template outside the class files'
own messages (classes alike, prompts cut short, `--templates`, Label Studio's `$`) show a
Persian, Indic or emoji name's joiners (U+200C, U+200D) as written, as the class files' messages
do, not as \\u200c; and a name too long to be one is quoted from its start cut between
characters as a reader sees them, not inside an emoji's ZWJ sequence or before an accent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.classes import MAX_NAME_CHARS, load_class_spec, too_long
from zsl_cli.errors import ZslError
from zsl_cli.label_studio import label_studio_config_warnings

PERSIAN = "\u06af\u0631\u0628\u0647\u200c\u06cc"  # گربه‌ی: a ZWNJ after its fourth letter
HINDI = "\u0915\u094d\u200d\u0937"  # क्‍ष, a half form held by a ZWJ
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧, one character to a reader
ESCAPED_JOINERS = ("\\u200c", "\\u200d")


def _as_written(stderr: str) -> bool:
    return not any(escape in stderr for escape in ESCAPED_JOINERS)


def test_classes_no_model_can_tell_apart_are_named_as_written(tmp_path: Path) -> None:
    table = tmp_path / "attributes.csv"
    table.write_text(
        f"class,red,round\n{PERSIAN},1,0\n{FAMILY},2,0\nsquare,0,1\n", encoding="utf-8"
    )
    result = run("label", "--attributes", table, "--show-prompts")
    assert result.exit_code == 0, result.stderr
    assert f"no model can tell '{PERSIAN}' and '{FAMILY}' apart" in result.stderr, result.stderr
    assert _as_written(result.stderr)


def test_attributes_the_model_reads_alike_are_named_as_written(
    tiny_clip: Path, tmp_path: Path
) -> None:
    # A tokenizer that lowercases reads the two columns as one attribute.
    table = tmp_path / "attributes.csv"
    table.write_text(
        f"class,Red {HINDI},red {HINDI},square\nred circle,1,0,0\nblue square,0,1,1\n",
        encoding="utf-8",
    )
    write_images(tmp_path / "images", 2)
    result = run("label", tmp_path / "images", "--attributes", table, "-m", tiny_clip, "-o", "-")
    assert result.exit_code == 0, result.stderr
    expected = f"the model cannot tell attributes 'Red {HINDI}' and 'red {HINDI}' apart"
    assert expected in result.stderr, result.stderr
    assert _as_written(result.stderr)


def test_a_prompt_cut_short_is_quoted_as_written(tiny_clip: Path, tmp_path: Path) -> None:
    classes = tmp_path / "classes.txt"
    long = f"{PERSIAN} " + "with a very long tail of many words " * 12
    classes.write_text(f"circle\n{long.strip()}\n", encoding="utf-8")
    write_images(tmp_path / "images", 2)
    result = run("label", tmp_path / "images", "-c", classes, "-m", tiny_clip, "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "longer than the model reads" in result.stderr, result.stderr
    assert f"cut short: 'a photo of a {PERSIAN} with a very long" in result.stderr
    assert _as_written(result.stderr)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Neither a built-in set, nor a file, nor a template.
        (PERSIAN, f"--templates '{PERSIAN}': not a built-in set"),
        # A template that reads as a file's path: used as a template, and said.
        (f"photos/{HINDI}{{}}.txt", f"--templates 'photos/{HINDI}{{}}.txt' reads as a file's"),
    ],
)
def test_a_templates_value_is_quoted_as_written(tmp_path: Path, value: str, expected: str) -> None:
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n", encoding="utf-8")
    result = run("label", "-c", classes, "-t", value, "--show-prompts")
    assert expected in result.stderr, result.stderr
    assert _as_written(result.stderr)


def test_a_templates_file_named_with_braces_is_quoted_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # find's -exec leaves files named {}: such a file is read, and the warning says so.
    monkeypatch.chdir(tmp_path)
    name = f"{FAMILY}{{}}"
    Path(name).write_text("a photo of a {}.\n", encoding="utf-8")
    Path("classes.txt").write_text("circle\nsquare\n", encoding="utf-8")
    result = run("label", "-c", "classes.txt", "-t", name, "--show-prompts")
    assert result.exit_code == 0, result.stderr
    assert f"--templates '{name}' names a file" in result.stderr, result.stderr
    assert _as_written(result.stderr)


def test_a_label_studio_variable_in_a_class_name_is_quoted_as_written() -> None:
    (warning,) = label_studio_config_warnings(["circle", f"${PERSIAN}"])
    assert f"(e.g. '${PERSIAN}')" in warning
    assert _as_written(warning)


# Names over the cap whose 40th character falls inside what a reader sees as one character.
OVER_CAP = MAX_NAME_CHARS // len(FAMILY) + 1
CUT_NAMES = [
    # 'x' and 7 families are 36 characters: the 40th is inside the 8th family.
    ("x" + FAMILY * OVER_CAP, "x" + FAMILY * 7),
    # Letters and their accents decomposed (NFD; q has no composed form): 'x' and 19 of them
    # are 39 characters, the 41st the 20th letter's accent.
    ("x" + "q\u0301" * (MAX_NAME_CHARS // 2), "x" + "q\u0301" * 19),
    # Where the 40th character ends one, the start is the 40 characters.
    ("xq" + "q\u0301" * (MAX_NAME_CHARS // 2), "xq" + "q\u0301" * 19),
]


@pytest.mark.parametrize(("name", "start"), CUT_NAMES)
def test_a_name_too_long_is_quoted_from_a_start_cut_between_characters(
    name: str, start: str
) -> None:
    problem = too_long(name, "class name")
    assert problem is not None
    assert f", starting '{start}': class names are at most" in problem, problem
    assert _as_written(problem)


def test_a_class_file_name_too_long_is_quoted_from_a_whole_start(tmp_path: Path) -> None:
    name, start = CUT_NAMES[0]
    classes = tmp_path / "classes.txt"
    classes.write_text(f"circle\n{name}\n", encoding="utf-8")
    with pytest.raises(ZslError) as error:
        load_class_spec(classes=classes)
    assert f"starting '{start}': class names" in str(error.value), error.value
    assert _as_written(str(error.value))


def test_names_given_as_one_str_in_code_are_given_back_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In code a str is a class file's path: the refusal shows the list to give, to be pasted.
    from zsl_cli import api

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as caught:
        api.class_prompts(api.ClassOptions(classes=f"{PERSIAN}, {FAMILY}"))
    assert caught.value.message.endswith(f"classes=['{PERSIAN}', '{FAMILY}']")
    assert _as_written(caught.value.message)
