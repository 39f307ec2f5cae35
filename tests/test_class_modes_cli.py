"""Classes defined by attributes or descriptions, through every path that uses classes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers import read_jsonl, write_images
from zsl_cli.cli import app
from zsl_cli.encoders import load_encoder

ATTRIBUTES = (
    "class,red,blue,round,square\nred circle,1,0,1,0\nblue square,0,1,0,1\nred square,1,0,0,1\n"
)
DESCRIPTIONS = {
    "red circle": ["red colour", "circle shape"],
    "blue square": ["blue colour", "square shape"],
}


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "attributes.csv").write_text(ATTRIBUTES)
    (tmp_path / "descriptions.json").write_text(json.dumps(DESCRIPTIONS))
    (tmp_path / "classes.txt").write_text("red circle\nblue square\ngreen star\n")
    write_images(tmp_path / "images", 4)
    return {
        name: tmp_path / name
        for name in ("attributes.csv", "descriptions.json", "classes.txt", "images")
    }


def test_attribute_scores_are_weighted_means_of_attribute_similarities(tiny_clip, files):
    result = run(
        "label",
        files["images"],
        "--attributes",
        files["attributes.csv"],
        "-m",
        tiny_clip,
        "-k",
        "0",
        "-f",
        "jsonl",
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    rows = read_jsonl(result.stdout)
    assert len(rows) == 4  # the checks below are per row

    encoder = load_encoder(str(tiny_clip))
    attributes = encoder.encode_texts(
        [f"a photo of something {a}." for a in ("red", "blue", "round", "square")]
    )
    weights = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0, 1]], dtype=np.float32) / 2
    from PIL import Image

    for row in rows:
        pixels = encoder.preprocessor(Image.open(row["path"]).convert("RGB"))
        image = encoder.encode_images(pixels[None])[0]
        class_scores = weights @ (attributes @ image)  # mean of the class's attribute cosines
        logits = encoder.head.scale * class_scores
        expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        names = ["red circle", "blue square", "red square"]
        got = {entry["label"]: entry["score"] for entry in row["top_k"]}
        for name, value in zip(names, expected, strict=True):
            assert got[name] == pytest.approx(float(value), abs=1e-5)


def test_descriptions_alone_and_with_a_class_list(tiny_clip, files):
    alone = run(
        "label",
        files["images"],
        "--descriptions",
        files["descriptions.json"],
        "-m",
        tiny_clip,
        "-f",
        "jsonl",
        "-q",
    )
    assert alone.exit_code == 0, alone.stderr
    assert {r["label"] for r in read_jsonl(alone.stdout)} <= set(DESCRIPTIONS)
    merged = run(
        "label",
        files["images"],
        "-c",
        files["classes.txt"],
        "--descriptions",
        files["descriptions.json"],
        "-m",
        tiny_clip,
        "-k",
        "0",
        "-f",
        "jsonl",
        "-q",
    )
    assert merged.exit_code == 0, merged.stderr
    rows = read_jsonl(merged.stdout)
    assert {e["label"] for e in rows[0]["top_k"]} == {"red circle", "blue square", "green star"}


def test_class_modes_work_from_a_store_with_threshold_and_hubness(tiny_clip, files, tmp_path):
    store = tmp_path / "s.zsl"
    assert run("embed", files["images"], "--store", store, "-m", tiny_clip, "-q").exit_code == 0
    for mode in (
        ["--attributes", files["attributes.csv"]],
        ["--descriptions", files["descriptions.json"]],
    ):
        direct = run("label", files["images"], *mode, "-m", tiny_clip, "-f", "jsonl", "-q")
        stored = run(
            "label",
            "--embeddings",
            store,
            *mode,
            "-m",
            tiny_clip,
            "-f",
            "jsonl",
            "--threshold",
            "0.0",
            "-q",
        )
        assert direct.exit_code == 0 and stored.exit_code == 0, stored.stderr
        assert [r["label"] for r in read_jsonl(direct.stdout)] == [
            r["label"] for r in read_jsonl(stored.stdout)
        ]
        hub = run("hubness", "--embeddings", store, *mode, "-m", tiny_clip, "-k", "1", "-q")
        assert hub.exit_code == 0, hub.stderr


def test_attribute_file_errors_are_one_line(files, tmp_path, tiny_clip):
    bad = tmp_path / "bad.csv"
    bad.write_text("class,red,blue\nred circle,1,x\n")
    result = run("label", files["images"], "--attributes", bad, "-m", tiny_clip)
    assert result.exit_code == 2
    assert result.stderr == "zsl: error: " + f"{bad}:2: column 3 ('blue'): 'x' is not a number\n"
    result = run(
        "label",
        files["images"],
        "--attributes",
        files["attributes.csv"],
        "--attribute-template",
        "no placeholder",
        "-m",
        tiny_clip,
    )
    assert result.exit_code == 2 and "--attribute-template" in result.stderr


def test_templates_apply_only_where_a_class_has_no_prompts_of_its_own(tiny_clip, files, tmp_path):
    def label(*mode):
        output = tmp_path / "out.csv"
        result = run("label", files["images"], *mode, "-m", tiny_clip, "-o", output, "-q")
        info = json.loads((tmp_path / "out.csv.run.json").read_text())["classes"]
        return result, info

    attributes, info = label("--attributes", files["attributes.csv"])
    assert attributes.exit_code == 0, attributes.stderr
    assert info["templates"] is None and info["attribute_template"] == "a photo of something {}."
    assert info["description_template"] is None  # no class has descriptors
    # With a class list, green star (no descriptors) is prompted through the templates.
    merged, info = label(
        "-c", files["classes.txt"], "--descriptions", files["descriptions.json"], "-t", "bare"
    )
    assert merged.exit_code == 0, merged.stderr
    assert info["templates"] == "bare" and info["description_template"] == "{}, which has {}"
    assert info["attribute_template"] is None
    for mode in (
        ["--attributes", files["attributes.csv"]],
        ["--descriptions", files["descriptions.json"]],
    ):
        refused = run("label", files["images"], *mode, "-t", "imagenet80", "-m", tiny_clip)
        assert refused.exit_code == 2
        assert refused.stderr.startswith("zsl: error: --templates imagenet80: no class uses")
    for option, unused, needed in (
        ("--attribute-template", ["-c", files["classes.txt"]], "--attributes\n"),
        ("--description-template", ["--attributes", files["attributes.csv"]], "--descriptions\n"),
    ):
        refused = run("label", files["images"], *unused, option, "{} here {}", "-m", tiny_clip)
        assert refused.exit_code == 2
        assert refused.stderr.startswith(f"zsl: error: {option}: only with {needed}")


def test_a_comment_at_the_end_of_a_template_line_is_warned_of(tiny_clip, files, tmp_path):
    # As in a class file, '#' makes a comment only at the start of a line: the note after
    # `a photo of a {}.  # the default` went into every prompt without a word.
    templates = tmp_path / "templates.txt"
    templates.write_text("# mine\na photo of a {}.  # the default\nart of {}\n#art of a {}\n")
    output = tmp_path / "out.csv"
    args = ("-c", files["classes.txt"], "-t", templates, "-m", tiny_clip, "-o", output)
    result = run("label", files["images"], *args)
    assert result.exit_code == 0, result.stderr
    warning = f"warning: {templates}:2: template 'a photo of a {{}}.  # the default' holds ' #'"
    assert result.stderr.count(warning) == 1, result.stderr
    assert "'#' makes a comment only at the start of a line" in result.stderr
    # Comment lines are left out, as in a class file: 3 classes by the 2 other templates.
    assert json.loads((tmp_path / "out.csv.run.json").read_text())["classes"]["n_prompts"] == 6
    templates.write_text("# mine\na photo of a {}.\n#art of a {}  # unused\n")
    assert "warning" not in run("label", files["images"], *args).stderr


def test_attribute_columns_the_model_reads_alike_are_warned_of(tiny_clip, files, tmp_path):
    # 'Red' and 'red' are one prompt to a tokenizer that lowercases: the two columns were one
    # attribute, their weights added, without a word (as classes alike are warned of).
    table = tmp_path / "alike.csv"
    table.write_text(
        "class,Red,red,round,ROUND,square\nred circle,1,0,1,1,0\nred square,0,1,0,0,1\n"
    )
    out = tmp_path / "out.csv"
    result = run("label", files["images"], "--attributes", table, "-m", tiny_clip, "-o", out)
    assert result.exit_code == 0, result.stderr
    # Past 5 groups the warnings only count them: the run info lists them all.
    info = json.loads((tmp_path / "out.csv.run.json").read_text())["classes"]
    assert info["indistinguishable_attributes"] == [["Red", "red"], ["round", "ROUND"]]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert warnings == [
        "warning: the model cannot tell attributes 'Red' and 'red' apart (the same prompts once "
        "tokenized): it reads them as one attribute, their weights added",
        "warning: the model cannot tell attributes 'round' and 'ROUND' apart (the same prompts "
        "once tokenized): it reads them as one attribute, their weights added",
    ]
    # The same name twice is refused, as a class named twice is.
    table.write_text("class,red,red\nred circle,1,0\n")
    refused = run("label", files["images"], "--attributes", table, "-m", tiny_clip)
    assert refused.exit_code == 2
    assert "column 3: duplicate attribute 'red' (first at" in refused.stderr
    # Spelled composed once and decomposed once: said by code point, in one line.
    table.write_text("class,rose\u0301,ros\u00e9\nred circle,1,0\n", encoding="utf-8")
    refused = run("label", files["images"], "--attributes", table, "-m", tiny_clip)
    assert refused.exit_code == 2
    assert refused.stderr.endswith(
        "column 2, in decomposed form (NFD) there (e + U+0301) and in composed form (NFC) here "
        "(é, U+00E9))\n"
    )
    assert refused.stderr.count("\n") == 1 and "\\x" not in refused.stderr


def test_attribute_classes_alike_are_said_to_be_alike_by_their_rows(tiny_clip, files, tmp_path):
    # No class name is in an attribute prompt: 'cat' and 'dog' were said to have "the same
    # prompts once tokenized", and a table of rows all in proportion was refused asking to check
    # the class names and the tokenizer. Rows in proportion are alike to any model: the table's
    # fault, which `--show-prompts` finds too.
    table = tmp_path / "alike.csv"
    table.write_text("class,red,round\ncat,1,0\ndog,2,0\nbird,0,1\n")
    out = tmp_path / "out.csv"
    result = run("label", files["images"], "--attributes", table, "-m", tiny_clip, "-o", out)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert warnings == [
        "warning: no model can tell 'cat' and 'dog' apart (rows of attribute weights the same "
        "in proportion): they score alike on every image, and the one listed first wins"
    ]
    # Rows alike only once the model reads 'Red' and 'red' as one attribute say so.
    table.write_text("class,Red,red,round,square\ncat,1,-1,1,0\ndog,0,1,0,1\nbird,1,0,0,1\n")
    result = run("label", files["images"], "--attributes", table, "-m", tiny_clip, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert (
        "warning: the model cannot tell 'dog' and 'bird' apart (rows of attribute weights the "
        "same in proportion, once the attributes it reads alike are one): they score alike on "
        "every image, and the one listed first wins\n"
    ) in result.stderr
    table.write_text("class,red,round\ncat,1,1\ndog,0.5,0.5\n")
    refused = run("label", files["images"], "--attributes", table, "-m", tiny_clip, "-o", out)
    assert refused.exit_code == 2
    assert refused.stderr == (
        "zsl: error: no model can tell any of the 2 classes apart (their rows of attribute "
        "weights are the same in proportion: check the attribute table)\n"
    )


def test_attribute_phrases_alike_once_cut_short_are_said_to_be(tiny_clip, files, tmp_path):
    # Phrases that differ only past what the text model reads: they were said to be "the same
    # prompts once tokenized", and cut short as "class prompts", and the refusal of a table of
    # such phrases only asked to check the class names.
    long = "the main visible colour of the single shape in this picture " * 8
    table = tmp_path / "long.csv"
    table.write_text(
        f"class,red,blue,round\n#phrase,{long}red,{long}blue,round\ncat,1,0,1\ndog,0,1,0\n"
    )
    result = run("label", files["images"], "--attributes", table, "-m", tiny_clip, "-o", "-")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert warnings == [
        "warning: the model cannot tell attributes 'red' and 'blue' apart (the same prompts as "
        "the model reads them): it reads them as one attribute, their weights added",
        "warning: 2 attribute prompts are longer than the model reads (77 tokens) and cut short "
        "(the run info lists them), the first: 'a photo of something the main visible colour "
        "of the single shape in this picture the main visible ...'",
    ]
    table.write_text(f"class,red,blue\n#phrase,{long}red,{long}blue\ncat,1,0\ndog,0,1\n")
    refused = run("label", files["images"], "--attributes", table, "-m", tiny_clip, "-o", "-")
    assert refused.exit_code == 2
    assert refused.stderr.endswith(
        "cut short to its 77 tokens: shorten them, and check the attribute names or phrases)\n"
    )


def _label(tiny_clip, images, *mode):
    return run("label", images, *mode, "-m", tiny_clip, "-k", "0", "-f", "jsonl")


def _class_names(result) -> set[str]:
    return {entry["label"] for entry in read_jsonl(result.stdout)[0]["top_k"]}


def test_joined_names_are_offered_only_a_fix_their_mode_can_take(tiny_clip, files, tmp_path):
    # The warning offered `red_circle: a photo of a red circle.` to a class the descriptions
    # file describes: taken, the run was refused (a class has prompts or descriptors).
    classes, described = tmp_path / "joined.txt", tmp_path / "joined.json"
    classes.write_text("red_circle\nblue_square\ngreen_star\n")
    described.write_text(json.dumps({"red_circle": ["red colour"], "blue_square": ["blue"]}))
    first = _label(tiny_clip, files["images"], "-c", classes, "--descriptions", described)
    assert first.exit_code == 0, first.stderr
    [warning] = [line for line in first.stderr.splitlines() if "join their words" in line]
    assert warning.startswith(f"warning: {classes}: 3 class names join their words with '_'")
    # The one class without descriptors is offered prompts of its own; the others, spaces.
    [offered] = re.findall(r"`(\w+: a photo of [^`]*)`", warning)
    assert offered == "green_star: a photo of a green star."
    assert "not those with descriptors, such as 'red_circle'" in warning
    # Taken, the fix is a run, where the fix offered before was an error.
    classes.write_text(classes.read_text().replace("green_star\n", offered + "\n"))
    fixed = _label(tiny_clip, files["images"], "-c", classes, "--descriptions", described)
    assert fixed.exit_code == 0, fixed.stderr
    [warning] = [line for line in fixed.stderr.splitlines() if "join their words" in line]
    assert "`" not in warning.replace("`zsl evaluate`", "")  # no prompts offered
    assert f"write the names with spaces (in the class list and in {described})" in warning
    # The descriptions alone: the same names, told once, and no prompts offered.
    alone = _label(tiny_clip, files["images"], "--descriptions", described)
    assert alone.exit_code == 0, alone.stderr
    [warning] = [line for line in alone.stderr.splitlines() if "join their words" in line]
    assert warning == (
        f"warning: {described}: 2 class names join their words with '_', such as 'red_circle', "
        "'blue_square': the prompts hold them so; write the names with spaces, such as "
        "'red circle': a class with descriptors has no prompts of its own"
    )
    # The class list alone still offers prompts to every joined name.
    listed = _label(tiny_clip, files["images"], "-c", classes)
    assert "give each its prompts: `red_circle: a photo of a red circle.`" in listed.stderr


def test_a_url_for_a_class_name_is_one_name(tiny_clip, files, tmp_path):
    # `https://...` was class 'https' with the prompt '//www.wikidata.org/wiki/Q146', unsaid.
    classes = tmp_path / "urls.txt"
    url = "https://www.wikidata.org/wiki/Q146"
    classes.write_text(
        f"{url}\nhttp://example.org:8080/dog: a photo of a dog\nC:\\shapes\\red circle\ncat: fur\n"
    )
    result = _label(tiny_clip, files["images"], "-c", classes, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.stderr
    rows = read_jsonl((tmp_path / "out.jsonl").read_text())
    assert {e["label"] for e in rows[0]["top_k"]} == {
        url,
        "http://example.org:8080/dog",
        "C:\\shapes\\red circle",
        "cat",
    }
    info = json.loads((tmp_path / "out.jsonl.run.json").read_text())["classes"]
    assert info["n_prompts"] == 4  # the url's and the path's by the template, the others' own
    assert f"warning: {classes}:1: class name {url!r} is a URL: its prompts hold it as text" in (
        result.stderr
    )
    assert f"`{url}: a photo of a cat.`" in result.stderr
    # Its fix, taken, is one class with its prompt, and no warning.
    classes.write_text(f"{url}: a photo of a cat\nred circle\n")
    fixed = _label(tiny_clip, files["images"], "-c", classes)
    assert fixed.exit_code == 0 and _class_names(fixed) == {url, "red circle"}
    assert "warning" not in fixed.stderr


@pytest.mark.parametrize(
    ("text", "spelling"),
    [
        ('["a photo of a {}.", "a sketch of a {}."]\n', "JSON"),
        ("['a photo of a {}.', 'a sketch of a {}.']\n", "Python"),
        ('templates = ["a photo of a {}."]\n', "Python"),
        # One template: it was taken whole, brackets and quotes in every prompt.
        ('["a photo of a {}."]', "JSON"),
    ],
)
def test_a_template_list_on_one_line_is_named(tiny_clip, files, tmp_path, text, spelling):
    templates = tmp_path / "templates.txt"
    templates.write_text(text)
    result = _label(tiny_clip, files["images"], "-c", files["classes.txt"], "-t", templates)
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: {templates} is a {spelling} list of templates: write one template per "
        "line, without quotes\n"
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_an_excel_separator_line_names_the_delimiter(tiny_clip, files, tmp_path, delimiter):
    # Excel's `sep=,` above the header: the header was refused without a word of why.
    table = tmp_path / "sep.csv"
    rows = ATTRIBUTES.replace(",", delimiter)
    table.write_text(f"sep={delimiter}\n{rows}")
    plain = _label(tiny_clip, files["images"], "--attributes", files["attributes.csv"])
    named = _label(tiny_clip, files["images"], "--attributes", table)
    assert named.exit_code == 0, named.stderr
    assert named.stdout == plain.stdout.replace(str(files["attributes.csv"]), str(table))
    # The lines keep their numbers in messages.
    table.write_text(f"sep={delimiter}\n{rows.replace('0', 'x', 1)}")
    refused = _label(tiny_clip, files["images"], "--attributes", table)
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"zsl: error: {table}:3: column 3 ('blue'): 'x' is not")
    # A class column saved so: the line is no class.
    classes = tmp_path / "classes.csv"
    classes.write_text(f"sep={delimiter}\nred circle\nblue square\n")
    listed = _label(tiny_clip, files["images"], "-c", classes)
    assert listed.exit_code == 0 and _class_names(listed) == {"red circle", "blue square"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # CLIP_benchmark's zeroshot_classification.json: refused for its first line, '{'.
        (
            '{\n  "cifar10": [\n    "a photo of a {c}.",\n    "a blurry photo of a {c}."\n  ]\n}\n',
            "{path} is a JSON object, not a template file (templates by dataset, as "
            "CLIP_benchmark's?): write one dataset's templates one per line, with {{}} for the "
            "class name",
        ),
        # Its templates, one per line: refused, without a word of what to write for {c}.
        (
            "a photo of a {c}.\na blurry photo of a {c}.\n",
            "{path}:1: 'a photo of a {{c}}.' must contain exactly one {{}} placeholder (write {{}} "
            "for {{c}})",
        ),
        # CLIP's data/prompts.md lists templates as lambdas.
        (
            "lambda c: f'a photo of a {c}.',\nlambda c: f'art of the {c}.',\n",
            "{path}:1: \"lambda c: f'a photo of a {{c}}.',\" must contain exactly one {{}} "
            "placeholder (a Python lambda? write its text alone, with {{}} for the class name)",
        ),
        (
            "a {x} and {}\n",
            "{path}:1: 'a {{x}} and {{}}' must contain exactly one {{}} placeholder (drop {{x}} or "
            "put it in plain words: {{}} is the class name, which goes in once)",
        ),
    ],
)
def test_templates_from_other_tools_are_named(tiny_clip, files, tmp_path, text, message):
    templates = tmp_path / "templates.txt"
    templates.write_text(text)
    result = _label(tiny_clip, files["images"], "-c", files["classes.txt"], "-t", templates)
    assert result.exit_code == 2
    assert result.stderr == f"zsl: error: {message.format(path=templates)}\n"


def test_a_template_file_given_as_the_class_list_is_refused(tiny_clip, files, tmp_path):
    # Class 'a photo of a {}.' was labelled with the prompt 'a photo of a a photo of a {}..'.
    classes = tmp_path / "templates.txt"
    classes.write_text("# mine\na photo of a {}.\na sketch of a {}.\n")
    result = _label(tiny_clip, files["images"], "-c", classes)
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: {classes}:2: every class name holds {{}}, such as 'a photo of a {{}}.' (a "
        "template file? pass it as --templates): a class file has one class name per line\n"
    )
    # One name with {} among others is a name.
    classes.write_text("cat\n{} braces\n")
    assert _label(tiny_clip, files["images"], "-c", classes).exit_code == 0


def test_a_template_file_of_braces_alone_is_the_bare_template(tiny_clip, files, tmp_path):
    # `{}` parses as a JSON object too: an empty one is the bare template, not JSON refused.
    templates = tmp_path / "bare.txt"
    templates.write_text("{}\n")
    output = tmp_path / "out.jsonl"
    args = ("-c", files["classes.txt"], "-t", templates, "-o", output)
    result = _label(tiny_clip, files["images"], *args)
    assert result.exit_code == 0, result.stderr
    info = json.loads((tmp_path / "out.jsonl.run.json").read_text())["classes"]
    assert info["n_prompts"] == 3
