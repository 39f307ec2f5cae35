"""Class files that parse but would label badly without a word: numbered attribute columns,
classes left out of a descriptions file, descriptors that are whole prompts; and messages that
point at the row of an attribute table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import read_jsonl, write_images
from zsl_cli import api
from zsl_cli.classes import (
    load_class_spec,
    parse_attributes,
    parse_descriptions,
    whole_prompt_warnings,
)
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.prompts import Templates, plan_prompts

ROWS = "red circle,1,0,1,0\nblue square,0,1,0,1\nred square,1,0,0,1\n"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def images(tmp_path: Path) -> Path:
    write_images(tmp_path / "images", 3)
    return tmp_path / "images"


# --- attribute columns named by numbers


@pytest.mark.parametrize(
    "header",
    [
        "class,0,1,2,3",  # pandas' default column names
        "class,1,2,3,4",  # AwA2's predicate ids
        "class,V1,V2,V3,V4",  # R's
        "class,X1,X2,X3,X4",  # R's, for numbers read back as names
        "class,Var1,Var2,Var3,Var4",  # MATLAB's
    ],
)
def test_attribute_columns_named_by_numbers_are_refused(header):
    # Every prompt was "a photo of something 0.": top-1 fell below chance, without a word.
    with pytest.raises(ZslError) as raised:
        parse_attributes(f"{header}\n{ROWS}", "a.csv")
    message = str(raised.value)
    assert message.startswith(
        f"a.csv:1: every attribute name is a column number, such as {header.split(',')[1]!r}"
    )
    assert "AwA2's predicates.txt" in message and "#phrase row" in message
    assert "\n" not in message


def test_numbered_columns_with_phrases_are_attributes():
    spec = parse_attributes(f"class,0,1,2,3\n#phrase,red,blue,round,square\n{ROWS}", "a.csv")
    assert spec.attributes is not None
    assert spec.attributes.phrases == ("red", "blue", "round", "square")
    assert spec.warnings == ()
    # Phrases of numbers say no more than names of numbers.
    with pytest.raises(ZslError, match="^a.csv:2: every phrase of the #phrase row is a number"):
        parse_attributes(f"class,red,blue,round,square\n#phrase,1,2,3,4\n{ROWS}", "a.csv")


def test_a_few_attribute_names_that_are_bare_numbers_are_warned_of():
    [warning] = parse_attributes(f"class,red,blue,7,12\n{ROWS}", "a.csv").warnings
    assert warning == (
        "a.csv:1: 2 attribute names are bare numbers ('7', '12'): a prompt of one says nothing "
        "of its attribute; name them with words, or give them phrases in a #phrase row under "
        "the header"
    )
    [warning] = parse_attributes(f"class,red,blue,round,3\n{ROWS}", "a.csv").warnings
    assert warning.startswith("a.csv:1: 1 attribute name is a bare number ('3'): a prompt")
    assert warning.endswith(
        "name it with words, or give it a phrase in a #phrase row under the header"
    )
    phrased = f"class,red,blue,round,square\n#phrase,red,blue,2,3\n{ROWS}"
    [warning] = parse_attributes(phrased, "a.csv").warnings
    assert warning.startswith("a.csv:2: 2 phrases are bare numbers ('2', '3'): a prompt of one")
    assert warning.endswith("; write words instead")
    # Numbers inside words are words: no warning.
    assert parse_attributes(f"class,red,blue,4 legs,2D\n{ROWS}", "a.csv").warnings == ()
    # Numbers that do not count the columns from 0 or 1 (years) are no table's default names:
    # warned of, not refused.
    [warning] = parse_attributes(f"class,1990,2000,2010,2020\n{ROWS}", "a.csv").warnings
    assert warning.startswith("a.csv:1: 4 attribute names are bare numbers ('1990', '2000',")


def test_numbered_attribute_columns_are_refused_on_the_command_line(images, tmp_path):
    table = tmp_path / "numbered.csv"
    table.write_text(f"class,0,1,2,3\n{ROWS}")
    result = run("label", images, "--attributes", table, "-m", "shapes-demo")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"zsl: error: {table}:1: every attribute name is a column")
    assert result.stderr.count("\n") == 1


# --- messages that point at the row


def test_the_missing_value_warning_names_its_first_place():
    table = "class,black,furry,big\nbear,12.5,87.5,-1\nox,12.25,-1,40\nfox,3,1,-1\n"
    [warning] = parse_attributes(table, "a.csv").warnings
    assert warning.startswith(
        "a.csv: 3 weights are -1 among weights otherwise 0 or more (the first at line 2: class "
        "'bear', column 4 ('big'); in 3 classes and 2 columns), such as AwA2 marks"
    )
    [warning] = parse_attributes("class,black,furry\nbear,-1,87.5\nox,12.25,40\n", "a.csv").warnings
    assert warning.startswith(
        "a.csv: 1 weight is -1 among weights otherwise 0 or more (at line 2: class 'bear', "
        "column 2 ('black')), such as"
    )


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        # pandas' to_csv of a table indexed by the class names.
        (",red,blue,round,square", "(a first column with no name: the class names, written as"),
        ("name,red,blue,round,square", "(the class names' column is headed 'name': head it 'c"),
        ("class_name,red,blue,round,square", "(the class names' column is headed 'class_name'"),
        ("Classes,red,blue,round,square", "(the class names' column is headed 'Classes'"),
    ],
)
def test_a_header_that_names_the_class_column_otherwise_is_named(header, hint):
    with pytest.raises(ZslError) as raised:
        parse_attributes(f"{header}\n{ROWS}", "a.csv")
    assert str(raised.value).startswith("a.csv:1: header must be `class,<attr1>,<attr2>,...` ")
    assert hint in str(raised.value)


def test_an_unnamed_column_of_row_numbers_is_no_column_of_class_names():
    with pytest.raises(ZslError) as raised:
        parse_attributes(",red,blue\n0,1,0\n1,0,1\n", "a.csv")
    assert "class names, written as a row index" not in str(raised.value)


def test_a_header_repeated_inside_the_table_is_named(tmp_path, images):
    seen = f"class,red,blue,round,square\n{ROWS}"
    unseen = "class,red,blue,round,square\ngreen circle,0,0,1,0\n"
    with pytest.raises(ZslError) as raised:
        parse_attributes(seen + unseen, "a.csv")
    assert str(raised.value) == (
        "a.csv:5: the header is repeated here (first at line 1): tables joined with `cat`? "
        "keep the first header only"
    )
    with pytest.raises(ZslError, match=r"^a.csv:5: the header is repeated here \(first at line 1,"):
        parse_attributes(seen + "class,red,blue,round,star\ngreen star,0,0,0,1\n", "a.csv")
    joined = tmp_path / "joined.csv"
    joined.write_text(seen + unseen)
    result = run("label", images, "--attributes", joined, "-m", "shapes-demo")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"zsl: error: {joined}:5: the header is repeated here")


def test_a_class_named_as_the_header_with_weights_is_a_class():
    spec = parse_attributes(f"class,red,blue,round,square\n{ROWS}class,1,1,0,0\n", "a.csv")
    assert spec.names[-1] == "class"


def test_api_plan_classes_hears_the_numbered_columns(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text(f"class,red,blue,round,7\n{ROWS}")
    spec, _ = api.plan_classes(api.ClassOptions(attributes=str(table)))
    assert any("bare number ('7')" in warning for warning in spec.warnings)


# --- classes left out of a descriptions file


def test_classes_without_descriptors_among_described_ones_are_warned_of(tmp_path):
    classes, descriptions = tmp_path / "classes.txt", tmp_path / "d.json"
    names = [f"class {index}" for index in range(9)]
    classes.write_text("\n".join(names) + "\nown: a photo of my own\n")
    descriptions.write_text(json.dumps({"class 0": ["fur"], "class 1": ["wings"]}))
    [warning] = load_class_spec(classes, descriptions=descriptions).warnings
    # Five named, the rest counted; the class with prompts of its own is named apart: its
    # prompts are renormalised as a template ensemble is, so it scores on the same other scale.
    assert warning == (
        f"{descriptions}: 8 of 10 classes have no descriptors: 'class 2', 'class 3', "
        "'class 4', 'class 5', 'class 6', ... (2 more) use --templates; 'own' uses its own "
        "prompts (their scores are not comparable with the described classes'; describe "
        "every class, or none)"
    )
    descriptions.write_text(json.dumps({name: ["fur"] for name in names}))
    [warning] = load_class_spec(classes, descriptions=descriptions).warnings
    assert warning.startswith(
        f"{descriptions}: 1 of 10 classes has no descriptors and uses its own prompts: 'own' ("
    )
    classes.write_text("\n".join(names) + "\n")
    assert load_class_spec(classes, descriptions=descriptions).warnings == ()


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # The review's case: one of each kind, both named and counted.
        (
            ["green square", "yellow triangle: {} on a white background"],
            "2 of 4 classes have no descriptors: 'green square' uses --templates; "
            "'yellow triangle' uses its own prompts",
        ),
        # Every class without descriptors has prompts of its own: warned of, as well.
        (
            ["yellow triangle: {} on a white background"],
            "1 of 3 classes has no descriptors and uses its own prompts: 'yellow triangle'",
        ),
        (
            ["yellow triangle: {} on white", "green square: a {}; {} drawn flat"],
            "2 of 4 classes have no descriptors and use their own prompts: 'yellow triangle', "
            "'green square'",
        ),
    ],
)
def test_classes_with_prompts_of_their_own_among_described_ones_are_warned_of(
    tmp_path, lines, expected
):
    classes, descriptions = tmp_path / "classes.txt", tmp_path / "d.json"
    classes.write_text("\n".join(["red circle", "blue star", *lines]) + "\n")
    descriptions.write_text(
        json.dumps({"red circle": ["red colour", "round"], "blue star": ["blue", "five points"]})
    )
    warning = (
        f"{descriptions}: {expected} (their scores are not comparable with the described "
        "classes'; describe every class, or none)"
    )
    # The library's plan and the CLI's, which prints the prompts without a model's images.
    spec, _ = api.plan_classes(
        api.ClassOptions(classes=str(classes), descriptions=str(descriptions))
    )
    assert [w for w in spec.warnings if "no descriptors" in w] == [warning]
    result = run("label", "-c", classes, "--descriptions", descriptions, "--show-prompts")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("no descriptors") == 1
    assert f"warning: {warning}" in " ".join(result.stderr.split())


def test_a_class_left_out_of_the_descriptions_is_heard_through_the_library_and_the_cli(
    tiny_clip, images, tmp_path
):
    classes, descriptions = tmp_path / "classes.txt", tmp_path / "d.json"
    classes.write_text("red circle\nblue square\ngreen star\n")
    descriptions.write_text(json.dumps({"red circle": ["red"], "blue square": ["blue"]}))
    expected = (
        f"{descriptions}: 1 of 3 classes has no descriptors and uses --templates: 'green star'"
    )
    heard: list[str] = []
    report = api.label(
        api.LabelRequest(
            inputs=api.InputOptions(paths=(str(images),)),
            classes=api.ClassOptions(classes=str(classes), descriptions=str(descriptions)),
            model=api.ModelOptions(name=str(tiny_clip)),
            output=None,
        ),
        warn=heard.append,
    )
    assert [w for w in report.warnings if w.startswith(expected)] == [heard[0]]
    result = run("label", images, "-c", classes, "--descriptions", descriptions, "-m", tiny_clip)
    assert result.exit_code == 0, result.stderr
    assert f"warning: {expected}" in result.stderr


# --- descriptors that are whole prompts (CuPL's)

CUPL = {
    "red circle": ["A photo of a red circle, a flat shape.", "The red circle is drawn flat."],
    "blue square": ["An image of a blue square.", "A blue square has four equal sides."],
}


def test_descriptors_that_are_whole_prompts_are_warned_of():
    spec = parse_descriptions(json.dumps(CUPL), "cupl.json")
    [warning] = whole_prompt_warnings(spec)
    assert warning == (
        "cupl.json: every descriptor names its class, such as 'A photo of a red circle, a flat "
        "shape.' (whole prompts, as CuPL's are?): the default description template names the "
        "class again, as 'red circle, which has A photo of a red circle, a flat shape.'; "
        "--description-template '{1}' uses them as they are"
    )
    # Nine in ten are enough; Menon & Vondrick's descriptors, which describe, are not prompts.
    most = {**CUPL, "green star": ["a star", *(["Green stars have five points."] * 9)]}
    [warning] = whole_prompt_warnings(parse_descriptions(json.dumps(most), "d.json"))
    assert warning.startswith("d.json: 13 of 14 descriptors name their class, such as")
    described = {"red circle": ["red colour", "a round outline"], "tench": ["olive-green fish"]}
    assert whole_prompt_warnings(parse_descriptions(json.dumps(described), "d.json")) == ()
    # Prompt-like descriptors that leave the name to the template need it: '{1}' would drop it.
    art = {
        "impressionism": ["a painting with visible short brushstrokes", "a painting of light"],
        "cubism": ["a painting of geometric facets", "a painting seen from several angles"],
    }
    assert whole_prompt_warnings(parse_descriptions(json.dumps(art), "art.json")) == ()


def test_a_description_template_of_the_descriptor_alone_uses_it_as_it_stands():
    spec = parse_descriptions(json.dumps(CUPL), "cupl.json")
    plan = plan_prompts(spec, Templates("x", ()), description_template="{1}")
    assert plan.texts == tuple(d for descriptors in CUPL.values() for d in descriptors)
    after = plan_prompts(spec, Templates("x", ()), description_template="{1} ({0})")
    assert after.texts[0] == "A photo of a red circle, a flat shape. (red circle)"
    default = plan_prompts(spec, Templates("x", ()))
    assert default.texts[0] == "red circle, which has A photo of a red circle, a flat shape."


@pytest.mark.parametrize("template", ["{0}", "{} {1}", "{1!r}", "{2}", "{0} {x}", "{1"])
def test_a_description_template_without_its_descriptor_is_refused(template):
    spec = parse_descriptions(json.dumps(CUPL), "cupl.json")
    with pytest.raises(ZslError, match=r"^--description-template: .*\{1\} alone uses the desc"):
        plan_prompts(spec, Templates("x", ()), description_template=template)


def test_whole_prompt_descriptors_label_as_they_are_on_the_command_line(
    tiny_clip, images, tmp_path
):
    descriptions = tmp_path / "cupl.json"
    descriptions.write_text(json.dumps(CUPL))
    base = ("label", images, "--descriptions", descriptions, "-m", tiny_clip, "-k", "0")
    wrapped = run(*base, "-f", "jsonl")
    assert wrapped.exit_code == 0, wrapped.stderr
    assert "--description-template '{1}' uses them as they are" in wrapped.stderr
    output = tmp_path / "as_they_are.jsonl"
    as_they_are = run(*base, "--description-template", "{1}", "-o", output)
    assert as_they_are.exit_code == 0, as_they_are.stderr
    assert "whole prompts" not in as_they_are.stderr  # the template chosen for them
    info = json.loads(Path(f"{output}.run.json").read_text())
    assert info["classes"]["description_template"] == "{1}"
    # The prompts changed, so the scores did.
    scores = [row["top_k"] for row in read_jsonl(output.read_text())]
    assert scores != [row["top_k"] for row in read_jsonl(wrapped.stdout)]


def test_the_phrase_offered_for_cub_s_attribute_names_keeps_no_double_colon():
    text = (
        "class,has_bill_shape::curved_(up_or_down),has_bill_shape::dagger\n"
        "albatross,10.5,80\nauklet,60,2.5\n"
    )
    [warning] = parse_attributes(text, "cub.csv").warnings
    assert warning.endswith("(`#phrase,has bill shape: curved (up or down),...`)")


def test_warnings_a_library_caller_gets_show_a_file_names_escape_codes_escaped(
    tmp_path: Path,
) -> None:
    # The warnings found after the files were read named them as given: a name's escape
    # sequence reached a library caller's log as it was, where the spec's own warnings (and
    # every error) show it escaped.
    folder = tmp_path / "red\x1b[31m"
    folder.mkdir()
    classes, descriptions = folder / "c.txt", folder / "d.json"
    classes.write_text("NA\ncat\n")
    prompts = api.class_prompts(api.ClassOptions(classes=str(classes)))
    (warning,) = [w for w in prompts.warnings if "missing value" in w]
    assert "\x1b" not in warning and warning.startswith(f"{tmp_path}/red\\x1b[31m/c.txt: ")

    descriptions.write_text(json.dumps({"cat": ["a cat's fur"], "dog": ["a dog's bark"]}))
    prompts = api.class_prompts(api.ClassOptions(descriptions=str(descriptions)))
    (warning,) = [w for w in prompts.warnings if "whole prompts" in w]
    assert "\x1b" not in warning and warning.startswith(f"{tmp_path}/red\\x1b[31m/d.json: ")
