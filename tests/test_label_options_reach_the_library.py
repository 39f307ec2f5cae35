"""`zsl label`'s options as the library gets them: each option's value reaches the request
unchanged, the defaults the help shows are the ones a run uses, and what the run writes and
how it exits follow from them."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from tests.helpers import SHAPE_CLASSES, read_jsonl, run, spy_on_api, write_images
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.defaults import DEFAULT_ATTRIBUTE_TEMPLATE


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three images under root/photos and the shape classes, in the current folder."""
    write_images(tmp_path / "root" / "photos", 3)
    (tmp_path / "classes.txt").write_text("".join(f"{name}\n" for name in SHAPE_CLASSES))
    monkeypatch.chdir(tmp_path)
    return tmp_path


LABEL = ["label", "root/photos", "-c", "classes.txt", "-m", "shapes-demo"]


def test_every_option_reaches_the_request_as_given(world, monkeypatch):
    Path("described.json").write_text(json.dumps({"red circle": ["a round red thing"]}))
    requests = spy_on_api(monkeypatch, "label")
    result = run(
        *LABEL, "-k", "0", "--threshold", "0.25", "-b", "3", "-j", "2", "--exact-preprocessing",
        "--device", "cpu", "--precision", "float32", "--max-pixels", "5000", "--include-hidden",
        "--ext", "png, jpg", "--ext", "bmp", "--hubness-reduction", "csls", "-f", "jsonl",
        "-o", "out.txt", "-t", "imagenet7", "--descriptions", "described.json",
        "--description-template", "{} with {}", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (request,) = requests
    assert request.inputs == api.InputOptions(
        paths=("root/photos",),
        stdin=None,
        nul_separated=False,
        extensions=("png", "jpg", "bmp"),
        include_hidden=True,
        max_pixels=5000,
    )
    model = request.model
    assert (model.name, model.device, model.precision) == ("shapes-demo", "cpu", "fp32")
    assert (model.batch_size, model.workers) == (3, 2)
    assert (model.exact_preprocessing, model.trust_remote_code, model.revision) == (
        True,
        False,
        None,
    )
    assert (request.decision.top_k, request.decision.threshold) == (0, 0.25)
    assert request.hubness_reduction == "csls" and request.embeddings is None
    output = request.output
    assert (output.path, output.format, output.label_studio) == ("out.txt", "jsonl", None)
    classes = request.classes
    assert (classes.classes, classes.templates) == ("classes.txt", "imagenet7")
    assert classes.descriptions == "described.json"
    assert classes.description_template == "{} with {}"
    assert classes.attribute_template == DEFAULT_ATTRIBUTE_TEMPLATE
    # What was written follows: every class listed (-k 0), the reduction and the limit recorded.
    rows = read_jsonl(Path("out.txt").read_text())
    assert len(rows) == 3
    assert all(len(row["top_k"]) == len(SHAPE_CLASSES) for row in rows)
    info = json.loads(Path("out.txt.run.json").read_text())
    assert (info["top_k"], info["threshold"], info["hubness_reduction"]) == (0, 0.25, "csls")
    assert info["max_pixels"] == 5000 and info["model"]["exact_preprocessing"] is True


def test_a_run_without_options_uses_the_defaults_the_help_shows(world, monkeypatch):
    wide = CliRunner().invoke(app, ["label", "--help"], env={"COLUMNS": "400"})
    text = " ".join(wide.stdout.split())
    for option, default in [
        ("--top-k N", "5"),
        ("--hubness-reduction METHOD", "none"),
        ("--device DEVICE", "auto"),
        ("--precision PRECISION", "auto"),
        ("--ls-from-name NAME", "choice"),
        ("--ls-to-name NAME", "image"),
        ("--templates TEMPLATES", "default"),
    ]:
        shown = text.split(option, 1)[1].split("[default: ", 1)[1].split("]", 1)[0]
        shown = shown.split(";")[0]  # typer adds a range: '5; x>=0'
        assert shown == default, option
    requests = spy_on_api(monkeypatch, "label")
    result = run(*LABEL, "-o", "out.csv", "-q")
    assert result.exit_code == 0, result.stderr
    (request,) = requests
    assert (request.decision.top_k, request.decision.threshold) == (5, None)
    assert request.hubness_reduction == "none"
    model = request.model
    assert (model.device, model.precision, model.batch_size, model.workers) == (
        "auto",
        "auto",
        None,
        None,
    )
    assert not model.exact_preprocessing and not model.trust_remote_code
    assert request.inputs.extensions is None and request.inputs.max_pixels is None
    assert not request.inputs.include_hidden and not request.inputs.nul_separated
    assert request.classes.templates == "default"
    lines = Path("out.csv").read_text().splitlines()
    assert len(lines) == 4
    # Five classes of the five ranked on each row, and their five scores.
    assert all(len(line.split(",")[3].split("|")) == 5 for line in lines[1:])
    assert all(len(line.split(",")[4].split("|")) == 5 for line in lines[1:])


def test_the_null_list_and_remote_code_reach_the_request(world, monkeypatch):
    requests = spy_on_api(monkeypatch, "label")
    listed = b"root/photos/img_000.png\0root/photos/img_002.png\0"
    args = ["label", "-", "-0", "-c", "classes.txt", "-m", "shapes-demo", "--trust-remote-code"]
    result = CliRunner().invoke(app, [*args, "-q"], input=listed)
    assert result.exit_code == 0, result.stderr
    (request,) = requests
    assert request.inputs.paths == ("-",) and request.inputs.nul_separated is True
    assert request.model.trust_remote_code is True
    paths = [line.split(",")[0] for line in result.stdout.splitlines()[1:]]
    assert paths == ["root/photos/img_000.png", "root/photos/img_002.png"]


def test_a_revision_of_the_bundled_model_is_refused(world):
    result = run(*LABEL, "--revision", "main")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("zsl: error: ") and result.stderr.count("\n") == 1
    assert "--revision" in result.stderr


@pytest.mark.parametrize(("k", "listed"), [("0", len(SHAPE_CLASSES)), ("1", 1), ("3", 3)])
def test_top_k_lists_that_many_classes_and_zero_lists_all(world, k, listed):
    result = run(*LABEL, "-k", k, "-f", "jsonl", "-q")
    assert result.exit_code == 0, result.stderr
    rows = read_jsonl(result.stdout)
    assert len(rows) == 3 and {len(row["top_k"]) for row in rows} == {listed}


@pytest.mark.parametrize(
    "args",
    [["-k", "-1"], ["--threshold", "1.5"], ["--threshold", "-0.1"], ["--max-pixels", "0"]],
)
def test_values_out_of_range_are_one_line_and_exit_2(world, args):
    result = run(*LABEL, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("zsl: error: ") and result.stderr.count("\n") == 1
    assert args[0] in result.stderr


def test_the_threshold_writes_unknown_below_it(world):
    # The top scores of the shapes model over five classes, and a threshold above every one.
    result = run(*LABEL, "--threshold", "1", "-q")
    assert result.exit_code == 0, result.stderr
    rows = [line.split(",") for line in result.stdout.splitlines()[1:]]
    assert len(rows) == 3 and {row[1] for row in rows} == {"unknown"}
    result = run(*LABEL, "--threshold", "0", "-q")
    rows = [line.split(",") for line in result.stdout.splitlines()[1:]]
    assert {row[1] for row in rows} <= set(SHAPE_CLASSES)


def test_label_studio_names_default_to_choice_and_image(world):
    args = ["-f", "label-studio", "--ls-document-root", "root", "-o", "t.json"]
    result = run(*LABEL, *args, "--ls-config", "config.xml", "-q")
    assert result.exit_code == 0, result.stderr
    tasks = json.loads(Path("t.json").read_text())
    assert len(tasks) == 3
    (prediction,) = tasks[0]["predictions"]
    assert (prediction["result"][0]["from_name"], prediction["result"][0]["to_name"]) == (
        "choice",
        "image",
    )
    view = ElementTree.parse("config.xml").getroot()
    assert view.find("Image").get("name") == "image"
    assert view.find("Choices").get("name") == "choice"


def test_label_studio_format_is_taken_in_any_spelling(world):
    # `-f Label_Studio` is the label-studio format, whose options are then its own.
    args = ["-f", "Label_Studio", "--ls-document-root", "root", "--ls-to-name", "img"]
    result = run(*LABEL, *args, "--ls-url-prefix", "http://host/files/", "-q")
    assert result.exit_code == 0, result.stderr
    tasks = json.loads(result.stdout)
    assert [task["data"]["image"] for task in tasks] == [
        f"http://host/files/photos/img_00{i}.png" for i in range(3)
    ]
    assert {task["predictions"][0]["result"][0]["to_name"] for task in tasks} == {"img"}


def test_label_studio_options_without_its_format_are_named_in_their_order(world):
    args = [
        "--ls-from-name", "c", "--ls-to-name", "i", "--ls-document-root", "root",
        "--ls-url-prefix", "http://host/", "--ls-model-version", "v1", "--ls-config", "c.xml",
    ]  # fmt: skip
    result = run(*LABEL, "-o", "out.csv", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "zsl: error: --ls-from-name, --ls-to-name, --ls-document-root, --ls-url-prefix, "
        "--ls-model-version, --ls-config: only for label-studio output (add -f label-studio)\n"
    )
    assert not Path("out.csv").exists() and not Path("c.xml").exists()


def test_label_studio_text_typed_in_a_c_locale_is_read_as_utf8(world):
    # In a C locale Python hands the command the UTF-8 bytes of 'é' as two surrogate escapes.
    typed = "caf\udcc3\udca9"
    args = ["-f", "label-studio", "--ls-document-root", "root", "--ls-from-name", typed]
    args += ["--ls-url-prefix", f"http://{typed}/", "--ls-model-version", typed, "-q"]
    result = run(*LABEL, *args, "-o", "t.json")
    assert result.exit_code == 0, result.stderr
    tasks = json.loads(Path("t.json").read_text(encoding="utf-8"))
    assert tasks[0]["data"]["image"] == "http://café/photos/img_000.png"
    prediction = tasks[0]["predictions"][0]
    assert prediction["model_version"] == "café"
    assert prediction["result"][0]["from_name"] == "café"


def test_label_studio_config_is_named_in_the_summary(world):
    args = ["-f", "label-studio", "--ls-document-root", "root", "-o", "t.json"]
    result = run(*LABEL, *args, "--ls-config", "config.xml")
    assert result.exit_code == 0, result.stderr
    assert "Predictions: t.json\n" in result.stderr
    assert "Label Studio config: config.xml\n" in result.stderr


def test_a_failed_image_fails_the_run_only_under_strict(world):
    Path("root/photos/broken.png").write_bytes(b"not a png at all")
    result = run(*LABEL, "-o", "out.csv")
    assert result.exit_code == 0, result.stderr
    # The summary names the image that failed, and each image has its row.
    assert "1 failed" in result.stderr and "broken.png" in result.stderr
    assert len(Path("out.csv").read_text().splitlines()) == 5
    strict = run(*LABEL, "-o", "strict.csv", "--strict", "-q")
    # Quiet, the run still says in one line why it exits 1.
    assert strict.exit_code == 1
    [line] = strict.stderr.splitlines()
    assert line.startswith("--strict: 1 of 4 images failed (") and "broken.png" in line
    assert len(Path("strict.csv").read_text().splitlines()) == 5


def test_a_run_whose_every_image_failed_exits_1_and_says_so(world):
    for image in Path("root/photos").iterdir():
        image.write_bytes(b"not a png at all")
    result = run(*LABEL, "-o", "out.csv")
    assert result.exit_code == 1
    assert "No image labelled: all 3 images failed" in result.stderr
    assert "img_000.png" in result.stderr
    rows = [line.split(",") for line in Path("out.csv").read_text().splitlines()[1:]]
    assert len(rows) == 3 and all(row[5] != "ok" for row in rows)


def test_show_prompts_needs_no_image_and_quiet_keeps_its_warnings_off_stderr(world):
    Path("classes.txt").write_text("class\nred circle\nblue square\n")  # a header line
    said = run("label", "-c", "classes.txt", "--show-prompts")
    assert said.exit_code == 0 and "warning:" in said.stderr
    quiet = run("label", "-c", "classes.txt", "--show-prompts", "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == said.stdout
    assert quiet.stdout.splitlines() == [
        "class,weight,prompt",
        "class,1,a photo of a class.",
        "red circle,1,a photo of a red circle.",
        "blue square,1,a photo of a blue square.",
    ]


@pytest.mark.parametrize(
    "option", ["--ls-from-name", "--ls-to-name", "--ls-url-prefix", "--ls-model-version"]
)
def test_label_studio_text_that_is_not_utf8_is_refused_by_its_option(world, option):
    # A lone surrogate escape: a byte that starts no UTF-8 character, typed in a C locale.
    args = ["-f", "label-studio", "--ls-document-root", "root", option, "http://x\udcff/"]
    result = run(*LABEL, *args, "-o", "t.json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"zsl: error: {option}: the text given is not UTF-8\n"
    assert not Path("t.json").exists()
