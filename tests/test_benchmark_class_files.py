"""Class and template files of the standard zero-shot benchmarks as they come (open_clip's
zero_shot_metadata.py, ImageNet's wnids, CUB's folders, AwA2's classes.txt and predicate
matrices, CuPL's descriptions): refused where they would label with nonsense classes, and read
without warnings where zsl itself recommends them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli import api
from zsl_cli.classes import parse_classes
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.formatting import QUOTED_LINE_CHARS, quoted_line
from zsl_cli.prompts import resolve_templates

# open_clip's src/open_clip/zero_shot_metadata.py, cut short: templates as a tuple of lambdas,
# then the class names as a tuple, several on a line.
OPEN_CLIP_METADATA = """\
OPENAI_IMAGENET_TEMPLATES = (
    lambda c: f'a bad photo of a {c}.',
    lambda c: f'a photo of many {c}.',
)

IMAGENET_CLASSNAMES = (
    "tench", "goldfish", "great white shark", "tiger shark", "hammerhead shark", "electric ray",
    "stingray", "rooster", "hen", "ostrich",
)
"""
CLASSNAMES = OPEN_CLIP_METADATA[OPEN_CLIP_METADATA.index("IMAGENET_CLASSNAMES") :]
TUPLE_BODY = "".join(CLASSNAMES.splitlines(keepends=True)[1:3])


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def images(tmp_path: Path) -> Path:
    write_images(tmp_path / "images", 3)
    return tmp_path / "images"


# --- finding 1: a Python tuple of names is refused as a Python list is


@pytest.mark.parametrize(
    ("text", "what"),
    [
        (CLASSNAMES, "Python code, a tuple"),  # open_clip's, several names a line
        ('IMAGENET_CLASSNAMES = (\n    "tench",\n    "goldfish",\n)\n', "Python code, a tuple"),
        ('(\n"tench",\n"goldfish",\n)\n', "Python code, a tuple"),  # bare
        ('X = ("tench", "goldfish", "great white shark")\n', "Python code, a tuple"),
        ('("tench", "goldfish")\n', "Python code, a tuple"),
        (OPEN_CLIP_METADATA, "Python code, a tuple"),  # the whole module
        (TUPLE_BODY, "Python code, the items of a list"),  # its lines alone
        ('"tench", "goldfish",\n"stingray", "rooster",\n', "Python code, the items of a list"),
        # As before: lists.
        ('classes = [\n  "tench", "goldfish",\n]\n', "a Python list"),
        ('["tench", "goldfish"]\n', "a JSON list"),
    ],
)
def test_names_in_code_are_refused_as_a_class_file(text, what):
    # Each line was a class: `IMAGENET_CLASSNAMES = (`, `"tench", "goldfish", ...,` and `)`,
    # most images labelled `)`, with exit 0 and no warning.
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    assert str(error.value).startswith(
        f"c.txt is {what} of names: write one class name per line, without quotes"
    )


@pytest.mark.parametrize(
    "text",
    [
        # One quoted name a line: warned of (its quotes), as before.
        '"tench",\n"goldfish",\n',
        # A CSV's quoted cells end without a comma: no list in code.
        '"tench","a fish"\n"goldfish","a fish"\n',
        # Names with parentheses are names.
        "(unknown) bird\ncat\n",
        "tench (fish)\ngoldfish\n",
    ],
)
def test_files_that_only_look_like_code_are_still_read(text):
    assert len(parse_classes(text, "c.txt").classes) == 2


def test_the_open_clip_module_on_the_command_line_is_refused(images, tmp_path):
    metadata = tmp_path / "zero_shot_metadata.py"
    metadata.write_text(OPEN_CLIP_METADATA)
    result = run("label", images, "-c", metadata, "-m", "shapes-demo", "-o", tmp_path / "p.csv")
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: {metadata} is Python code, a tuple of names: write one class name per line, "
        "without quotes\n"
    )
    assert not (tmp_path / "p.csv").exists()


def test_templates_as_python_code_are_refused_with_how_to_write_them(tmp_path):
    # Refused before as "line 1 'OPENAI_IMAGENET_TEMPLATES = (' must contain exactly one {}".
    metadata = tmp_path / "zero_shot_metadata.py"
    metadata.write_text(OPEN_CLIP_METADATA)
    with pytest.raises(ZslError) as error:
        resolve_templates(str(metadata))
    assert str(error.value) == (
        f"{metadata} is Python code, a tuple of templates: write one template per line, without "
        "quotes (a lambda's text alone, with {} for the class name: `a photo of a {}.` for "
        "`lambda c: f'a photo of a {c}.'`)"
    )
    strings = tmp_path / "t.py"
    strings.write_text('T = (\n    "a photo of a {}.", "art of the {}.",\n)\n')
    with pytest.raises(ZslError, match="is Python code, a tuple of templates: write one templ"):
        resolve_templates(str(strings))


# --- finding 2: no id, path or quote warnings for classes with prompts of their own


@pytest.mark.parametrize(
    "text",
    [
        # ImageNet's wnids, as `zsl evaluate` advises for its folders.
        "n01440764: a photo of a tench.\nn01443537: a photo of a goldfish.\n",
        # CUB's folder names, kept as the labels.
        "001.Black_footed_Albatross: a photo of a Black footed Albatross, a type of bird.\n"
        "002.Laysan_Albatross: a photo of a Laysan Albatross, a type of bird.\n"
        "003.Sooty_Albatross: a photo of a Sooty Albatross, a type of bird.\n",
        # SUN397's paths, and ids beside names.
        "/a/abbey: a photo of an abbey.\n/b/bistro: a photo of a bistro.\n",
        "0,person: a photo of a person.\n1,bicycle: a photo of a bicycle.\n",
        '"cat": a photo of a cat.\n"dog": a photo of a dog.\n',
        "- cat: a photo of a cat.\n- dog: a photo of a dog.\n",
    ],
)
def test_names_with_prompts_of_their_own_are_not_warned_of(text):
    assert parse_classes(text, "c.txt").warnings == ()


def test_names_without_prompts_of_their_own_are_still_warned_of():
    [warning] = parse_classes("n01440764\nn01443537\n", "c.txt").warnings
    assert warning.startswith("c.txt: every class name is a class id, such as 'n01440764'")
    # Those without prompts among those with.
    text = "n01440764: a photo of a tench.\nn01443537\nn01484850\n"
    [warning] = parse_classes(text, "c.txt").warnings
    assert warning.startswith("c.txt: every class name is a class id, such as 'n01443537'")
    # A comment after a name is one wherever it stands.
    [warning] = parse_classes("cat  # pet: a photo of a cat.\ndog: a dog\n", "c.txt").warnings
    assert "holds ' #'" in warning


def test_wnid_classes_with_prompts_label_without_a_warning(images, tmp_path):
    classes = tmp_path / "wnid_prompts.txt"
    classes.write_text("n01440764: a photo of a red circle.\nn01443537: a photo of a square.\n")
    out = tmp_path / "p.jsonl"
    result = run("label", images, "-c", classes, "-m", "shapes-demo", "-k", "0", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    assert out.exists()


# --- finding 3: a description template without the class name warns of no name's spelling


def _cupl(tmp_path: Path) -> Path:
    descriptions = tmp_path / "cupl.json"
    descriptions.write_text(
        json.dumps(
            {
                "grizzly+bear": ["A photo of a grizzly bear, a type of animal."],
                "killer+whale": ["A photo of a killer whale, a type of animal."],
                "polar+bear": ["A photo of a polar bear, a type of animal."],
            }
        )
    )
    return descriptions


def _plan(**options):
    return api.plan_classes(api.ClassOptions(**options))


def test_joined_names_are_not_warned_of_where_the_prompts_leave_them_out(tmp_path):
    descriptions = _cupl(tmp_path)
    spec, plan = _plan(descriptions=descriptions, description_template="{1}")
    assert spec.warnings == ()
    assert "A photo of a grizzly bear, a type of animal." in plan.texts
    # With a class list beside it: neither file's names reach the prompts.
    classes = tmp_path / "classes.txt"
    classes.write_text("grizzly+bear\nkiller+whale\npolar+bear\n")
    spec, _ = _plan(classes=classes, descriptions=descriptions, description_template="{1}")
    assert spec.warnings == ()


@pytest.mark.parametrize("template", ["{1} ({0})", "{0}: {1}", "{}, which has {}"])
def test_joined_names_are_warned_of_where_the_prompts_hold_them(tmp_path, template):
    spec, _ = _plan(descriptions=_cupl(tmp_path), description_template=template)
    assert any("join their words with '+'" in warning for warning in spec.warnings)


def test_joined_names_beside_classes_that_use_templates_are_still_warned_of(tmp_path):
    # `{1}` leaves the described classes' names out, not those of the classes that use the
    # templates.
    classes = tmp_path / "classes.txt"
    classes.write_text("grizzly+bear\nkiller+whale\npolar+bear\nbrown+bear\nsea+lion\n")
    spec, _ = _plan(classes=classes, descriptions=_cupl(tmp_path), description_template="{1}")
    [joined] = [warning for warning in spec.warnings if "join their words" in warning]
    assert joined.startswith(f"{classes}: 2 class names join their words with '+', such as ")
    assert "'brown+bear', 'sea+lion'" in joined


def test_class_ids_are_not_warned_of_where_the_prompts_leave_them_out(tmp_path):
    # CUB's folder names as the labels, CuPL's prompts for them: the ids reach no prompt.
    folders = ["001.Black_footed_Albatross", "002.Laysan_Albatross", "003.Sooty_Albatross"]
    classes = tmp_path / "classes.txt"
    classes.write_text("\n".join(folders) + "\n")
    descriptions = tmp_path / "cupl.json"
    descriptions.write_text(json.dumps({name: [f"a photo of a bird, {i}."] for i, name in
                                        enumerate(folders)}))  # fmt: skip
    spec, _ = _plan(classes=classes, descriptions=descriptions, description_template="{1}")
    assert spec.warnings == ()
    spec, _ = _plan(classes=classes, descriptions=descriptions, description_template="{1}, {0}")
    assert any("every class name holds a class id" in warning for warning in spec.warnings)


def test_the_cli_warns_of_no_joined_name_with_a_template_of_the_descriptor(images, tmp_path):
    out = tmp_path / "p.jsonl"
    result = run(
        "label", images, "--descriptions", _cupl(tmp_path), "--description-template", "{1}",
        "-m", "shapes-demo", "-k", "0", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "join their words" not in result.stderr


# --- finding 8: AwA2's classes.txt, and rows of numbers quoted short


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("\t1\tantelope\n\t2\tgrizzly+bear\n", 3),  # AwA2's
        ("1\tantelope\n2\tgrizzly+bear\n", 2),
        ("      1\tantelope\n      2\tgrizzly+bear\n", 2),  # %7d
    ],
)
def test_awa2_classes_txt_is_refused_with_the_cut_that_keeps_its_names(text, column):
    with pytest.raises(ZslError) as error:
        parse_classes(text, "classes.txt")
    assert str(error.value) == (
        "classes.txt:1: class name '1\\tantelope' contains a tab: a class file has one class name "
        "per line (a numbered list of names, as AwA2's classes.txt? keep the names alone, such "
        f"as with `cut -f{column} classes.txt`)"
    )


def test_a_tab_separated_table_keeps_its_hint():
    with pytest.raises(ZslError, match=r"\(a tab-separated table\? keep its class column only\)$"):
        parse_classes("cat\ta pet\ndog\ta pet\n", "c.txt")


def test_a_row_of_numbers_is_quoted_short(images, tmp_path):
    # AwA2's predicate-matrix-continuous.txt: 85 columns, about 800 characters a row; the
    # message quoted each whole.
    rows = [" ".join(f"{(r * 7 + c) % 100:8.2f}" for c in range(85)) for r in range(3)]
    matrix = tmp_path / "predicate-matrix-continuous.txt"
    matrix.write_text("\n".join(rows) + "\n")
    result = run("label", images, "-c", matrix, "-m", "shapes-demo")
    assert result.exit_code == 2
    first = rows[0].strip()
    assert result.stderr == (
        f"zsl: error: {matrix}:1: {first[:QUOTED_LINE_CHARS]!r}... ({len(first):,} characters) "
        "is a row of numbers, as every line is (a table, as aPY's and AwA2's attribute files "
        "are?): a class file has one class name per line; attributes go to --attributes, a CSV "
        "with the header `class,<attr1>,...`\n"
    )
    assert len(result.stderr) - len(str(matrix)) < 400  # was over 1,000


def test_a_long_template_is_quoted_short(tmp_path):
    template = "a photo of " + "a very " * 30 + "{} and {}."
    with pytest.raises(ZslError) as error:
        resolve_templates(template)
    assert f"--templates: {quoted_line(template)} must contain exactly one {{}}" in str(error.value)
    assert f"({len(template):,} characters)" in str(error.value)


def test_a_short_line_is_quoted_whole():
    assert quoted_line("cat\tdog") == repr("cat\tdog")
    assert quoted_line("x" * QUOTED_LINE_CHARS) == repr("x" * QUOTED_LINE_CHARS)
