"""`zsl label --show-prompts`, `zsl hubness --show-prompts` and `api.class_prompts`: the prompts
each class is scored with, as CSV on stdout, with the class files' warnings on stderr, without an
image or a model."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from tests.helpers import run, write_images
from tests.terminal import terminal_bytes, terminal_env
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.prompts import IMAGENET7

HEADER = ["class", "weight", "prompt"]


def show(*args: object):
    return CliRunner().invoke(app, ["label", *map(str, args), "--show-prompts"])


def rows(stdout: str) -> list[list[str]]:
    """The CSV's rows, the header checked and left out."""
    table = list(csv.reader(io.StringIO(stdout, newline="")))
    assert table[0] == HEADER
    return table[1:]


def run_zsl(cwd: Path, *args: str, **options) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-X", "importtime", "-m", "zsl_cli", *args]
    return subprocess.run(command, cwd=cwd, env=env, timeout=120, **options)


def test_plain_classes_and_their_own_prompts(tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog: a photo of a {}; a dog, sleeping\n", encoding="utf-8")
    result = show("-c", classes)
    assert result.exit_code == 0, result.stderr
    assert rows(result.stdout) == [
        ["cat", "1", "a photo of a cat."],
        ["dog", "0.5", "a photo of a dog"],
        ["dog", "0.5", "a dog, sleeping"],
    ]
    assert result.stderr == ""


def test_templates_built_in_from_a_file_and_literal(tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n", encoding="utf-8")
    result = show("-c", classes, "-t", "imagenet7")
    assert result.exit_code == 0, result.stderr
    assert rows(result.stdout) == [
        [name, "0.1428571", template.format(name)]
        for name in ("circle", "square")
        for template in IMAGENET7
    ]
    templates = tmp_path / "templates.txt"
    templates.write_text("# mine\na sketch of a {}.\nart of the {}.\n", encoding="utf-8")
    result = show("-c", classes, "-t", templates)
    assert result.exit_code == 0, result.stderr
    assert [row[2] for row in rows(result.stdout)][:2] == [
        "a sketch of a circle.",
        "art of the circle.",
    ]
    result = show("-c", classes, "-t", "a satellite photo of {}.")
    assert [row[2] for row in rows(result.stdout)] == [
        "a satellite photo of circle.",
        "a satellite photo of square.",
    ]


def test_attributes_show_the_weights_the_scoring_uses(tmp_path):
    table = tmp_path / "attributes.csv"
    table.write_text(
        "class,red,round,striped\n#phrase,red,round,with stripes\ncircle,2,2,0\nzebra,0,-1,3\n",
        encoding="utf-8",
    )
    result = show("--attributes", table, "--attribute-template", "something {}.")
    assert result.exit_code == 0, result.stderr
    # Each row divided by the sum of its absolute values; a weight of 0 is no prompt of its class.
    assert rows(result.stdout) == [
        ["circle", "0.5", "something red."],
        ["circle", "0.5", "something round."],
        ["zebra", "-0.25", "something round."],
        ["zebra", "0.75", "something with stripes."],
    ]


def test_descriptions_default_and_whole_prompt_templates(tmp_path):
    described = tmp_path / "descriptions.json"
    described.write_text('{"circle": ["no corners", "a round outline"]}', encoding="utf-8")
    result = show("--descriptions", described)
    assert result.exit_code == 0, result.stderr
    assert rows(result.stdout) == [
        ["circle", "0.5", "circle, which has no corners"],
        ["circle", "0.5", "circle, which has a round outline"],
    ]
    result = show("--descriptions", described, "--description-template", "{1}")
    assert [row[2] for row in rows(result.stdout)] == ["no corners", "a round outline"]
    # With --classes, a class without descriptors takes the templates.
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare\n", encoding="utf-8")
    result = show("-c", classes, "--descriptions", described)
    assert result.exit_code == 0, result.stderr
    assert rows(result.stdout)[-1] == ["square", "1", "a photo of a square."]
    assert "square" in result.stderr  # the warning that lists the classes without descriptors


def test_tabs_line_breaks_and_non_ascii_reach_a_program_exactly(tmp_path):
    described = tmp_path / "descriptions.json"
    described.write_text(
        '{"café": ["a\\ttab", "two\\nlines"], "猫": ["whiskers, \\"ears\\""], "🐈‍⬛": ["fur"]}',
        encoding="utf-8",
    )
    result = show("--descriptions", described, "--description-template", "{1} ({0})")
    assert result.exit_code == 0, result.stderr
    assert rows(result.stdout) == [
        ["café", "0.5", "a\ttab (café)"],
        ["café", "0.5", "two\nlines (café)"],
        ["猫", "1", 'whiskers, "ears" (猫)'],
        ["🐈‍⬛", "1", "fur (🐈‍⬛)"],
    ]


def test_a_class_name_with_a_tab_or_line_break_is_refused(tmp_path):
    # Names cannot hold control characters, so the class column needs no escape of its own.
    for name in ("d\\tog", "d\\nog"):
        described = tmp_path / "descriptions.json"
        described.write_text(f'{{"{name}": ["fur"]}}', encoding="utf-8")
        result = show("--descriptions", described)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1 and "is not allowed" in result.stderr


def test_warnings_go_to_stderr_and_quiet_silences_them(tmp_path):
    classes = tmp_path / "ids.txt"
    classes.write_text("n01440764\nn01443537\n", encoding="utf-8")
    result = show("-c", classes)
    assert result.exit_code == 0
    assert rows(result.stdout) == [
        ["n01440764", "1", "a photo of a n01440764."],
        ["n01443537", "1", "a photo of a n01443537."],
    ]
    assert "warning:" in result.stderr and "class id" in result.stderr
    quiet = show("-c", classes, "-q")
    assert quiet.stdout == result.stdout and quiet.stderr == ""


def test_errors_of_the_class_options_are_one_line():
    result = show()
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("zsl: error: no classes given")
    result = show("-c", "missing.txt")
    assert result.exit_code == 2 and "missing.txt" in result.stderr


def test_no_image_is_read_no_model_loaded_and_no_output_written(tmp_path):
    (tmp_path / "classes.txt").write_text("circle\nsquare\n", encoding="utf-8")
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    args = ("label", "broken.jpg", "missing-folder", "-c", "classes.txt", "-m", "no-such-model")
    result = run_zsl(tmp_path, *args, "-o", "out.csv", "--show-prompts", capture_output=True)
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout.decode()) == [
        ["circle", "1", "a photo of a circle."],
        ["square", "1", "a photo of a square."],
    ]
    assert not (tmp_path / "out.csv").exists()
    # -X importtime lists every module imported: neither torch nor transformers.
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.decode().splitlines()}
    assert "zsl_cli.api" in imported
    assert not imported & {"torch", "transformers"}
    # The same command line without --show-prompts needs the model.
    assert run_zsl(tmp_path, *args, capture_output=True).returncode == 2


def test_a_terminal_sees_control_characters_escaped(tmp_path):
    described = tmp_path / "descriptions.json"
    described.write_text('{"café": ["two\\nlines", "a\\ttab"]}', encoding="utf-8")
    command = [sys.executable, "-m", "zsl_cli", "label", "--descriptions", described.name]
    # The terminal left unsized, as pty.openpty() gives it; terminal_bytes checks the exit 0.
    env = terminal_env(HF_HUB_OFFLINE="1")
    shown = terminal_bytes(
        [*command, "--show-prompts"], tmp_path, stderr=False, size=(0, 0), env=env, timeout=120
    )
    # One line per row, each break escaped as the predictions' CSV shows them on a terminal.
    assert shown.decode().splitlines() == [
        "class,weight,prompt",
        'café,0.5,"café, which has two\\nlines"',
        'café,0.5,"café, which has a\\ttab"',
    ]


def test_the_python_function_gives_the_rows_and_warnings(tmp_path):
    listed = api.class_prompts(api.ClassOptions(classes=["cat", "dog"], templates="imagenet7"))
    assert len(listed.prompts) == 14 and listed.warnings == ()
    name, weight, prompt = listed.prompts[7]
    assert (name, prompt) == ("dog", "itap of a dog.")
    assert weight == pytest.approx(1 / 7)
    listed = api.class_prompts(api.ClassOptions(classes=["NA", "dog"]))
    assert "missing value" in listed.warnings[0]
    with pytest.raises(ZslError, match="class_prompts: give a ClassOptions"):
        api.class_prompts("classes.txt")  # type: ignore[arg-type]


def _vectors_from(listed: api.ClassPrompts, encoder, names: list[str], mean_of: set[str]):
    """Each class's vector as the listed rows say: the weighted sum of its prompts' embeddings,
    scaled to unit length for the classes in `mean_of` (templates and prompts of their own)."""
    embeddings = encoder.encode_texts([prompt for _, _, prompt in listed.prompts])
    vectors = np.zeros((len(names), embeddings.shape[1]))
    for (name, weight, _), embedding in zip(listed.prompts, embeddings, strict=True):
        vectors[names.index(name)] += weight * embedding
    for index, name in enumerate(names):
        if name in mean_of:
            vectors[index] /= np.linalg.norm(vectors[index])
    return vectors


@pytest.mark.parametrize("mode", ["templates and descriptions", "attributes"])
def test_the_rows_are_what_the_scoring_uses(tmp_path, mode):
    described = tmp_path / "descriptions.json"
    described.write_text('{"circle": ["no corners", "round"]}', encoding="utf-8")
    table = tmp_path / "attributes.csv"
    table.write_text("class,red,round\ncircle,1,3\nsquare,2,-1\n", encoding="utf-8")
    classes = tmp_path / "classes.txt"
    classes.write_text("circle\nsquare: a photo of a {}; a {} shape\nstar\n", encoding="utf-8")
    if mode == "attributes":
        options = api.ClassOptions(attributes=str(table))
    else:
        options = api.ClassOptions(
            classes=str(classes),
            descriptions=str(described),
            templates="imagenet7",
        )
    encoder = api.open_encoder(api.ModelOptions(name="shapes-demo", device="cpu"))
    spec, plan = api.plan_classes(options)
    classifier = api.build_classifier(spec, plan, encoder)
    listed = api.class_prompts(options)
    mean_of = {"square", "star"} if mode != "attributes" else set()
    expected = _vectors_from(listed, encoder, spec.names, mean_of)
    np.testing.assert_allclose(classifier.vectors, expected, atol=1e-5)


# --- zsl hubness --show-prompts: the same class options, the same prompts ---------------------


def _class_files(folder: Path) -> dict[str, str]:
    """Class files of every kind, by name, and "missing", one that is not there."""
    files = {
        "classes": "circle\nsquare: a photo of a {}; a {} shape\nstar\n",
        "ids": "n01440764\nn01443537\n",  # warned of as class ids
        "attributes": "class,red,round\ncircle,1,3\nsquare,2,-1\n",
        "descriptions": '{"circle": ["no corners", "round"]}',
        # Alone, two classes: hubness refuses one, as a run does.
        "two_described": '{"circle": ["no corners", "round"], "star": ["five points"]}',
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {name: str(folder / name) for name in (*files, "missing")}


@pytest.mark.parametrize(
    "options",
    [
        ("-c", "{classes}"),
        ("-c", "{classes}", "-t", "imagenet7"),
        ("--attributes", "{attributes}", "--attribute-template", "something {{}}."),
        ("--descriptions", "{two_described}"),
        ("-c", "{classes}", "--descriptions", "{descriptions}", "-t", "imagenet7"),
        ("-c", "{ids}"),
        ("-c", "{ids}", "-q"),
        (),  # no classes: an error
        ("-c", "{missing}"),
    ],
)
def test_hubness_shows_the_prompts_label_shows(tmp_path, options):
    args = [option.format(**_class_files(tmp_path)) for option in options]
    labelled = CliRunner().invoke(app, ["label", *args, "--show-prompts"])
    measured = CliRunner().invoke(app, ["hubness", *args, "--show-prompts"])
    assert (measured.exit_code, measured.stdout, measured.stderr) == (
        labelled.exit_code,
        labelled.stdout,
        labelled.stderr,
    )
    if args and "missing" not in args[-1]:
        assert measured.exit_code == 0 and rows(measured.stdout)


def test_hubness_ignores_its_other_options_and_paths_with_show_prompts(tmp_path):
    (tmp_path / "classes.txt").write_text("circle\nsquare\n", encoding="utf-8")
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    args = ("broken.jpg", "missing-folder", "-c", "classes.txt", "-m", "no-such-model")
    others = ("--json", "out.json", "--truth", "missing.csv", "-k", "3", "--methods", "csls")
    result = run_zsl(tmp_path, "hubness", *args, *others, "--show-prompts", capture_output=True)
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout.decode()) == [
        ["circle", "1", "a photo of a circle."],
        ["square", "1", "a photo of a square."],
    ]
    assert not (tmp_path / "out.json").exists()
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.decode().splitlines()}
    assert not imported & {"torch", "transformers"}
    # The same command line without --show-prompts needs the model.
    assert run_zsl(tmp_path, "hubness", *args, *others, capture_output=True).returncode == 2


def test_label_and_hubness_describe_show_prompts_alike():
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    helps = {
        name: next(p.help for p in commands[name].params if p.name == "show_prompts")
        for name in ("label", "hubness")
    }
    assert helps["label"] == helps["hubness"] and "PATHs" in helps["label"]


ALL_IN_PROPORTION = "class,red,round\ncat,1,0\ndog,2,0\n"
REFUSED_ROWS = (
    "zsl: error: no model can tell any of the 2 classes apart (their rows of attribute weights "
    "are the same in proportion: check the attribute table)\n"
)
SAME_PROMPTS = "cat: a photo of a pet\ndog: a photo of a pet\n"
REFUSED_PROMPTS = (
    "zsl: error: no model can tell any of the 2 classes apart (their prompts are the same: "
    "check the class file)\n"
)


FIELDS = {"--attributes": "attributes", "-c": "classes"}


@pytest.mark.parametrize(
    ("option", "text", "refusal"),
    [("--attributes", ALL_IN_PROPORTION, REFUSED_ROWS), ("-c", SAME_PROMPTS, REFUSED_PROMPTS)],
)
def test_show_prompts_refuses_classes_alike_in_the_class_file_as_a_run_does(
    tiny_clip, tmp_path, option, text, refusal
):
    # --show-prompts printed their prompts and exited 0, where a run was refused blaming the model.
    classes = tmp_path / "classes.csv"
    classes.write_text(text)
    images, output = tmp_path / "images", tmp_path / "out.csv"
    write_images(images, 2)
    for command in ("label", "hubness"):
        shown = run(command, option, classes, "--show-prompts")
        assert (shown.exit_code, shown.stdout, shown.stderr) == (2, "", refusal)
    ran = run("label", images, option, classes, "-m", tiny_clip, "-o", output)
    assert (ran.exit_code, ran.stderr) == (2, refusal)
    assert not output.exists()
    with pytest.raises(ZslError, match="no model can tell any of the 2 classes apart"):
        api.class_prompts(api.ClassOptions(**{FIELDS[option]: classes}))


def test_show_prompts_warns_of_classes_alike_in_the_class_file_as_a_run_does(tiny_clip, tmp_path):
    table = tmp_path / "alike.csv"
    table.write_text("class,red,round\ncat,1,0\ndog,2,0\nbird,0,1\n")
    warning = (
        "warning: no model can tell 'cat' and 'dog' apart (rows of attribute weights the same in "
        "proportion): they score alike on every image, and the one listed first wins"
    )
    shown = run("label", "--attributes", table, "--show-prompts")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stderr.splitlines() == [warning]
    images = tmp_path / "images"
    write_images(images, 2)
    output = tmp_path / "out.csv"
    ran = run("label", images, "--attributes", table, "-m", tiny_clip, "-o", output)
    assert ran.exit_code == 0, ran.stderr
    # Said once, by the class file's check: the model's finds no other group.
    assert [line for line in ran.stderr.splitlines() if "apart" in line] == [warning]
    info = json.loads((tmp_path / "out.csv.run.json").read_text())
    assert info["classes"]["indistinguishable"] == [["cat", "dog"]]
